package dockercfg

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entry kinds reported by Inspect.
const (
	KindAuth          = "auth"
	KindPassword      = "password"
	KindIdentityToken = "identitytoken"
	KindRegistryToken = "registrytoken"
	KindHelper        = "helper"
	KindEmpty         = "empty"
)

// Source is one set of credentials read from a file: a whole docker config,
// or the payload of one pull secret found in Kubernetes manifests (see
// secrets.ReadSource, which returns Sources).
type Source struct {
	Name   string  // file path, or "-" for standard input
	Secret string  // "namespace/name" or "name" of the Secret; "" for a plain config file
	Type   string  // the Secret's type (kubernetes.io/dockerconfigjson...); "" for a plain config file
	Config *Config // the parsed credentials
}

// Label names the source as reports show it: the file, and the secret.
func (s Source) Label() string {
	if s.Secret != "" {
		return s.Name + " (secret " + s.Secret + ")"
	}
	return s.Name
}

// InspectOptions tunes Inspect. Now is the clock for JWT expiry (zero means
// time.Now); ShowSecrets puts the password in the report.
type InspectOptions struct {
	Now         time.Time
	ShowSecrets bool
}

// InspectEntry is one row of an inspection report. Its JSON field names are
// a stable interface (docs/json-output.md#inspect).
type InspectEntry struct {
	Source   string   `json:"source"`
	Key      string   `json:"key"`
	Registry string   `json:"registry,omitempty"`
	Path     string   `json:"path,omitempty"`
	Username string   `json:"username,omitempty"`
	Kind     string   `json:"kind"`
	Email    string   `json:"email,omitempty"`
	Helper   string   `json:"helper,omitempty"`
	Secret   string   `json:"secret,omitempty"` // redacted description: length and short hash
	Password string   `json:"password,omitempty"`
	Warnings []string `json:"warnings"`
}

// InspectReport is the result of Inspect.
type InspectReport struct {
	Entries  []InspectEntry `json:"entries"`
	Warnings []string       `json:"warnings,omitempty"` // source-level warnings
}

// WarningCount counts entry and source warnings.
func (r *InspectReport) WarningCount() int {
	n := len(r.Warnings)
	for _, e := range r.Entries {
		n += len(e.Warnings)
	}
	return n
}

// Redact describes a secret without revealing it: its length and the first
// eight hex digits of its SHA-256.
func Redact(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	var h [8]byte
	hex.Encode(h[:], sum[:4])
	return "<redacted len=" + strconv.Itoa(len(secret)) + " sha256=" + string(h[:]) + ">"
}

// Inspect lists every entry of the sources with lint warnings: non-canonical
// keys, unpadded auth, auth disagreeing with username/password, ':' in a user
// name, entries without credentials or helper, identity and registry tokens
// (the kubelet ignores them), JWT expiry, missing auth fields (podman ignores
// username/password), wildcard keys, and one registry in several sources.
func Inspect(sources []Source, opts InspectOptions) *InspectReport {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	n := 0
	for _, src := range sources {
		n += len(src.Config.Entries) + len(src.Config.HelperOrder)
	}
	r := &InspectReport{Entries: make([]InspectEntry, 0, n)}
	// where records the distinct sources of each registry key, in order;
	// most keys have one, which needs no set.
	type seen struct {
		labels []string
		set    map[string]struct{} // made once a second label appears
	}
	where := make(map[Key]*seen, n)
	for _, src := range sources {
		c := src.Config
		label := src.Label()
		if c.Format == FormatLegacy && src.Secret == "" {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: legacy .dockercfg format: docker 25+ ignores it; the kubelet and podman still read it", label))
		}
		if src.Secret != "" && (c.CredsStore != "" || len(c.CredHelpers) > 0) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: credsStore/credHelpers in a Secret: the kubelet ignores them and gets no credentials for those entries; run pullsecret convert", label))
		}
		for _, e := range c.Entries {
			ie := inspectEntry(src, label, e, now, opts.ShowSecrets)
			if k, err := ParseKey(e.Key); err == nil {
				switch w := where[k]; {
				case w == nil:
					where[k] = &seen{labels: []string{label}}
				case w.labels[len(w.labels)-1] == label:
					// another entry of the same source
				default:
					if w.set == nil {
						w.set = map[string]struct{}{w.labels[0]: {}}
					}
					if _, dup := w.set[label]; !dup {
						w.set[label] = struct{}{}
						w.labels = append(w.labels, label)
					}
				}
			}
			r.Entries = append(r.Entries, ie)
		}
		for _, h := range c.HelperOrder {
			if c.Entry(h) != nil {
				continue
			}
			ie := InspectEntry{Source: label, Key: h, Kind: KindHelper, Helper: c.CredHelpers[h], Warnings: []string{}}
			if k, err := ParseKey(h); err == nil {
				ie.Registry, ie.Path = k.Host, k.Path
			}
			r.Entries = append(r.Entries, ie)
		}
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		k, err := ParseKey(e.Key)
		if err != nil {
			continue
		}
		if w := where[k]; w != nil && len(w.labels) > 1 {
			e.Warnings = append(e.Warnings, alsoIn(k, w.labels, e.Source))
		}
	}
	return r
}

// maxNamedSources is how many other sources the "also has credentials in"
// warning names before it only counts them, so that a registry found in
// thousands of Secrets gives each entry a warning of bounded size.
const maxNamedSources = 3

// alsoIn is the warning for an entry of source self whose registry k has
// credentials in every one of labels (distinct, self among them): all the
// others when they are few, else their number and the first few.
func alsoIn(k Key, labels []string, self string) string {
	others := len(labels) - 1
	named := make([]string, 0, maxNamedSources)
	for _, l := range labels {
		if l == self {
			continue
		}
		if len(named) == maxNamedSources {
			return fmt.Sprintf("registry %s also has credentials in %d other sources: %s and %d more", k, others, strings.Join(named, ", "), others-len(named))
		}
		named = append(named, l)
	}
	return fmt.Sprintf("registry %s also has credentials in %s", k, strings.Join(named, ", "))
}

func inspectEntry(src Source, label string, e *Entry, now time.Time, show bool) InspectEntry {
	c := src.Config
	ie := InspectEntry{Source: label, Key: e.Key, Username: e.Username, Email: e.Email}
	warn := func(format string, args ...any) { ie.Warnings = append(ie.Warnings, fmt.Sprintf(format, args...)) }
	if k, err := ParseKey(e.Key); err == nil {
		ie.Registry, ie.Path = k.Host, k.Path
	}
	ie.Warnings = KeyWarnings(e.Key)
	helper := c.HelperFor(e.Key)
	secret := e.Password
	switch {
	case e.IdentityToken != "":
		ie.Kind, secret = KindIdentityToken, e.IdentityToken
		warn("identity token: the kubelet ignores it and tries an empty credential; docker, podman and crane use it")
	case e.RegistryToken != "":
		ie.Kind, secret = KindRegistryToken, e.RegistryToken
		warn("registry token: the kubelet and podman ignore it; only docker and crane use it")
	case e.Auth != "":
		ie.Kind = KindAuth
	case e.Username != "" || e.Password != "":
		ie.Kind = KindPassword
		warn("no auth field: podman, skopeo and oc image ignore username/password without auth")
	case helper != "":
		ie.Kind, ie.Helper = KindHelper, helper
	default:
		ie.Kind = KindEmpty
		warn("entry has no credentials and no credential helper serves it")
	}
	if ie.Kind != KindHelper && helper != "" {
		ie.Helper = helper
	}
	if ie.Warnings == nil {
		ie.Warnings = []string{} // encodes as [], never null
	}
	ie.Secret = Redact(secret)
	if show {
		ie.Password = secret
	}
	if e.Unpadded {
		warn("auth is unpadded base64: docker and podman reject it (the whole docker config fails to load)")
	}
	if e.Auth != "" && ((e.RawUsername != "" && e.RawUsername != e.Username) || (e.RawPassword != "" && e.RawPassword != e.Password)) {
		warn("auth disagrees with username/password; auth wins for every consumer")
	}
	if strings.Contains(e.RawUsername, ":") {
		warn("username contains ':'; auth cannot carry it (the user name ends at the first colon)")
	}
	if len(e.Spellings) > 0 {
		warn("non-canonical field spelling %s; consumers read it, but write lower-case names", strings.Join(e.Spellings, ", "))
	}
	for _, tok := range []string{e.Password, e.IdentityToken, e.RegistryToken} {
		if exp, ok := jwtExpiry(tok); ok {
			if d := exp.Sub(now); d <= 0 {
				warn("token expired %s ago (%s)", (-d).Round(time.Second), exp.UTC().Format(time.RFC3339))
			} else {
				warn("token expires in %s (%s)", d.Round(time.Second), exp.UTC().Format(time.RFC3339))
			}
		}
	}
	return ie
}

// jwtExpiry returns the exp claim of a JWT-shaped string.
func jwtExpiry(s string) (time.Time, bool) {
	if !strings.HasPrefix(s, "eyJ") {
		return time.Time{}, false
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if !PeekJWT(s, &claims) || claims.Exp == nil {
		return time.Time{}, false
	}
	f, err := claims.Exp.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
