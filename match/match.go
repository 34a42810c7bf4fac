package match

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker/cli/cli/config/credentials"
)

// Docker Hub names, as the various consumers spell them.
const (
	dockerHubDomain       = "docker.io"                   // distribution/reference, podman keys
	dockerHubIndexHost    = "index.docker.io"             // ggcr registry, kubelet fallback key
	dockerHubRegistryHost = "registry-1.docker.io"        // the API host
	dockerHubAuthKey      = "https://index.docker.io/v1/" // docker CLI, ggcr, kubectl
)

// Credential is one usable credential from a config file or pull secret:
// an entry of "auths" (or of a legacy .dockercfg map) with any "auth"
// already decoded into Username and Password.
//
// String, GoString and LogValue never show Password, IdentityToken or
// RegistryToken, and encoding/json skips them.
type Credential struct {
	// Key is the entry's key exactly as written ("https://index.docker.io/v1/",
	// "quay.io/team").
	Key string
	// Username and Password are the basic-auth credentials.
	Username string
	Password string `json:"-"`
	// IdentityToken is an OAuth2 refresh token ("identitytoken").
	IdentityToken string `json:"-"`
	// RegistryToken is a bearer token sent to the registry as is
	// ("registrytoken").
	RegistryToken string `json:"-"`
	// Email is the legacy email field.
	Email string
	// HasAuthField reports that the entry carried an "auth" field;
	// containers/image (podman, skopeo, CRI-O) reads nothing else.
	HasAuthField bool
	// Source names where the entry came from: a file path or
	// "secret NAMESPACE/NAME". Consumers that read one file at a time
	// (docker, podman) search sources in order of first appearance.
	Source string
}

// IsEmpty reports whether the credential carries nothing to authenticate
// with: no username, password, identity token or registry token.
func (c Credential) IsEmpty() bool {
	return c.Username == "" && c.Password == "" && c.IdentityToken == "" && c.RegistryToken == ""
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// String describes the credential without its secrets.
func (c Credential) String() string {
	var secrets []string
	if c.Password != "" {
		secrets = append(secrets, "password")
	}
	if c.IdentityToken != "" {
		secrets = append(secrets, "identity token")
	}
	if c.RegistryToken != "" {
		secrets = append(secrets, "registry token")
	}
	what := "no secret"
	if len(secrets) > 0 {
		what = strings.Join(secrets, ", ") + " redacted"
	}
	s := fmt.Sprintf("credential %q user %q (%s)", c.Key, c.Username, what)
	if c.Source != "" {
		s += " from " + c.Source
	}
	return s
}

// GoString is the %#v form, with secrets redacted.
func (c Credential) GoString() string {
	return fmt.Sprintf("match.Credential{Key:%q, Username:%q, Password:%s, IdentityToken:%s, RegistryToken:%s, Email:%q, HasAuthField:%t, Source:%q}",
		c.Key, c.Username, redacted(c.Password), redacted(c.IdentityToken), redacted(c.RegistryToken), c.Email, c.HasAuthField, c.Source)
}

// LogValue implements slog.LogValuer without secrets.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("key", c.Key),
		slog.String("username", c.Username),
		slog.Bool("password", c.Password != ""),
		slog.Bool("identityToken", c.IdentityToken != ""),
		slog.Bool("registryToken", c.RegistryToken != ""),
		slog.String("source", c.Source),
	)
}

// Semantics names the consumer whose credential selection is simulated.
type Semantics string

// The consumers [Keyring.Lookup] can simulate.
const (
	// SemanticsKubelet is the kubelet keyring (pod imagePullSecrets and the
	// node's config.json): every matching credential, most specific key
	// first, with globs, string-prefix paths and a Docker Hub fallback.
	SemanticsKubelet Semantics = "kubelet"
	// SemanticsDocker is the docker CLI and go-containerregistry's
	// authn.DefaultKeychain (crane, ko, …): one credential, found under the
	// full repository key (ggcr only), the registry key, or any key whose
	// host is the registry.
	SemanticsDocker Semantics = "docker"
	// SemanticsPodman is containers/image (podman, skopeo, buildah, CRI-O
	// for its own auth file): one credential, most specific
	// segment-aware key first, only entries with "auth".
	SemanticsPodman Semantics = "podman"
)

// ErrUnknownSemantics is returned for a semantics name that is not one of
// kubelet, docker, podman.
var ErrUnknownSemantics = errors.New("unknown semantics")

// ParseSemantics parses a semantics name: "kubelet" (also ""), "docker"
// (also "crane", "ggcr"), "podman" (also "skopeo", "buildah",
// "containers-image", "cri-o"). Case is ignored.
func ParseSemantics(s string) (Semantics, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "kubelet", "kubernetes":
		return SemanticsKubelet, nil
	case "docker", "crane", "ggcr", "go-containerregistry":
		return SemanticsDocker, nil
	case "podman", "skopeo", "buildah", "containers-image", "containers/image", "cri-o", "crio":
		return SemanticsPodman, nil
	}
	return "", fmt.Errorf("parse semantics %q: %w (want kubelet, docker or podman)", s, ErrUnknownSemantics)
}

// Reason says why a credential matched an image: one of the Reason
// constants. Its JSON form is the string value.
type Reason string

// Reasons a credential matched, as reported in [Match.Reason].
const (
	// ReasonExact: the key names exactly this repository.
	ReasonExact Reason = "exact"
	// ReasonRegistry: the key names the image's registry, without a path.
	ReasonRegistry Reason = "registry"
	// ReasonPathPrefix: the key names a namespace of the repository (for
	// the kubelet: a string prefix of it; see Match.Note).
	ReasonPathPrefix Reason = "path-prefix"
	// ReasonWildcard: a kubelet glob key such as "*.example.com".
	ReasonWildcard Reason = "wildcard"
	// ReasonDockerHubFallback: nothing matched a Docker Hub image and the
	// kubelet used the credentials stored for index.docker.io.
	ReasonDockerHubFallback Reason = "docker-hub-fallback"
	// ReasonHostFallback: no exact key, so docker or podman compared the
	// key's host (scheme and path removed) with the registry.
	ReasonHostFallback Reason = "host-fallback"
)

// Match is one credential a consumer would use for an image.
type Match struct {
	// Credential is the credential as the consumer passes it on: the
	// kubelet drops identity and registry tokens (possibly leaving an empty
	// credential) and podman drops the registry token and email.
	Credential
	// MatchedKey is the key as the consumer saw it when it matched: the
	// kubelet's normalised key ("quay.io/team", "index.docker.io"), the
	// lookup key docker or podman used ("https://index.docker.io/v1/",
	// "quay.io/team/app"), or the host a fallback compared.
	MatchedKey string
	// Reason is one of the Reason constants.
	Reason Reason
	// Note explains a surprise, such as a kubelet string-prefix match on a
	// different repository, or is "".
	Note string

	index int // position of the credential in the keyring's input
}

// String describes the match without secrets.
func (m Match) String() string {
	s := fmt.Sprintf("%s: %s (key %q)", m.Reason, m.Credential.String(), m.MatchedKey)
	if m.Note != "" {
		s += ": " + m.Note
	}
	return s
}

// GoString is the %#v form, with secrets redacted.
func (m Match) GoString() string {
	return fmt.Sprintf("match.Match{Credential:%#v, MatchedKey:%q, Reason:%q, Note:%q}", m.Credential, m.MatchedKey, m.Reason, m.Note)
}

// Keyring indexes credentials for lookups under each consumer's rules. It
// is immutable and safe for concurrent use.
//
// For the kubelet one Keyring corresponds to one BasicDockerKeyring: build
// one from all of a pod's imagePullSecrets (in spec order) and a separate
// one from the node's config.json; the kubelet tries the pod keyring's
// matches first, then the node's.
type Keyring struct {
	creds []Credential
	// kubelet: unique normalised keys, reverse-sorted.
	kubelet []kubeletKey
	// kubelet: credentials stored under exactly "index.docker.io".
	hubFallback []int
	// docker and podman: credential indices grouped by Source, groups in
	// order of first appearance.
	sources [][]int
	// per credential: docker's ConvertToHostname(Key) and podman's
	// normalised key.
	dockerHost []string
	podmanHost []string
	// per credential, for notes: the kubelet's normalised key ("" when it
	// cannot parse it) and the key's host with scheme and path removed.
	kubeKey   []string
	looseHost []string
}

// kubeletKey is one entry of the kubelet's index.
type kubeletKey struct {
	key   string
	creds []int
	url   kubeletURL
	glob  bool
}

// kubeletURL is a key or image as the kubelet's URLsMatch sees it.
type kubeletURL struct {
	ok     bool // parsed
	labels []string
	port   string
	path   string
}

// NewKeyring indexes creds. Their order matters: it is the order of the
// sources (and, for pod secrets, of spec.imagePullSecrets), which decides
// between entries with the same key.
func NewKeyring(creds []Credential) *Keyring {
	k := &Keyring{
		creds:      slices.Clone(creds),
		dockerHost: make([]string, len(creds)),
		podmanHost: make([]string, len(creds)),
		kubeKey:    make([]string, len(creds)),
		looseHost:  make([]string, len(creds)),
	}
	byKey := map[string]int{}
	groups := map[string]int{}
	for i, c := range k.creds {
		k.dockerHost[i] = credentials.ConvertToHostname(c.Key)
		k.podmanHost[i] = podmanNormalizeKey(c.Key)
		k.looseHost[i] = looseHost(c.Key)

		g, ok := groups[c.Source]
		if !ok {
			g = len(k.sources)
			groups[c.Source] = g
			k.sources = append(k.sources, nil)
		}
		k.sources[g] = append(k.sources[g], i)

		key, ok := kubeletNormalizeKey(c.Key)
		if !ok {
			continue // the kubelet logs "Entry … in dockercfg invalid" and ignores it
		}
		k.kubeKey[i] = key
		if key == dockerHubIndexHost {
			k.hubFallback = append(k.hubFallback, i)
		}
		j, seen := byKey[key]
		if !seen {
			j = len(k.kubelet)
			byKey[key] = j
			u := kubeletParse(key)
			k.kubelet = append(k.kubelet, kubeletKey{key: key, url: u, glob: slices.ContainsFunc(u.labels, isGlob)})
		}
		k.kubelet[j].creds = append(k.kubelet[j].creds, i)
	}
	// Reverse lexicographic order: longer keys sharing a prefix first,
	// literal labels before '*'.
	slices.SortFunc(k.kubelet, func(a, b kubeletKey) int { return strings.Compare(b.key, a.key) })
	return k
}

// Len returns the number of credentials in the keyring.
func (k *Keyring) Len() int { return len(k.creds) }

// Lookup returns the credentials the consumer sem would use for ref, in the
// order it tries them. The kubelet may return several (it tries each until
// a pull succeeds); docker and podman return at most one. An empty result
// means an anonymous pull. Empty sem means SemanticsKubelet; an unknown
// one gives no matches (use [ParseSemantics] to validate).
func (k *Keyring) Lookup(ref Reference, sem Semantics) []Match {
	m, _ := k.lookup(ref, sem, false)
	return m
}

// lookup runs sem's lookup; with explain it also returns notes about keys
// this consumer does not use but another would, or that nearly match.
func (k *Keyring) lookup(ref Reference, sem Semantics, explain bool) ([]Match, []string) {
	var (
		ms    []Match
		notes []string
	)
	switch sem {
	case SemanticsKubelet, "":
		ms = k.lookupKubelet(ref)
		if explain {
			notes = k.kubeletNotes(ref)
		}
	case SemanticsDocker:
		ms = k.lookupDocker(ref)
		if explain {
			notes = k.dockerNotes(ref, firstIndex(ms))
		}
	case SemanticsPodman:
		ms, notes = k.lookupPodman(ref)
		if explain {
			notes = append(notes, k.podmanNotes(ref, firstIndex(ms))...)
		} else {
			notes = nil
		}
	}
	return ms, notes
}

// ---- kubelet (k8s.io/kubernetes pkg/credentialprovider/keyring.go) ----

// kubeletNormalizeKey turns a config key into the kubelet's index key:
// https:// is assumed when no http(s) scheme is written, the scheme is then
// dropped, a leading /v1/ or /v2/ path loses its first three bytes, and a
// path of "" or "/" leaves the bare host[:port]. ok is false when the
// kubelet cannot parse the key and ignores the entry.
func kubeletNormalizeKey(raw string) (string, bool) {
	v := raw
	if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	p := u.Path
	if strings.HasPrefix(p, "/v2/") || strings.HasPrefix(p, "/v1/") {
		p = p[3:]
	}
	if p == "" || p == "/" {
		return u.Host, true
	}
	return u.Host + p, true
}

// kubeletParse parses a schemeless key or image the way URLsMatchStr does.
func kubeletParse(s string) kubeletURL {
	u, err := url.Parse("https://" + s)
	if err != nil {
		return kubeletURL{}
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, ""
	}
	return kubeletURL{ok: true, labels: strings.Split(host, "."), port: port, path: u.Path}
}

// hostOf returns the text of a normalised key before its first '/'.
func hostOf(key string) string {
	h, _, _ := strings.Cut(key, "/")
	return h
}

// kubeletMatches is URLsMatch: equal port, equal label count, every label
// matching as a filepath.Match pattern, and the key's path a plain string
// prefix of the image's.
func kubeletMatches(key, img kubeletURL) bool {
	if !key.ok || !img.ok || key.port != img.port || len(key.labels) != len(img.labels) {
		return false
	}
	if !strings.HasPrefix(img.path, key.path) {
		return false
	}
	for i, pat := range key.labels {
		if pat == img.labels[i] && !isGlob(pat) {
			continue
		}
		ok, err := filepath.Match(pat, img.labels[i])
		if err != nil || !ok {
			return false
		}
	}
	return true
}

// isGlob reports whether a host label is a filepath.Match pattern rather
// than a literal.
func isGlob(label string) bool {
	return strings.ContainsAny(label, `*?[\`)
}

// kubeletDefaultRegistryMatch is isDefaultRegistryMatch: the first path
// element is docker.io or index.docker.io, or has no '.' or ':' (so
// "localhost/x" qualifies too).
func kubeletDefaultRegistryMatch(image string) bool {
	first, _, found := strings.Cut(image, "/")
	if first == "" {
		return false
	}
	if !found || first == dockerHubDomain || first == dockerHubIndexHost {
		return true
	}
	return !strings.ContainsAny(first, ".:")
}

const (
	noteStringPrefix = "kubelet string-prefix match: the key's path %q is not a path segment of repository %q; docker and podman do not use this key"
	noteKubeletToken = "the kubelet ignores identitytoken and registrytoken and sends an empty credential (one failed or anonymous attempt)"
	noteWildcard     = "wildcard keys work only in the kubelet; docker and podman never match them"
)

func (k *Keyring) lookupKubelet(ref Reference) []Match {
	img := kubeletParse(ref.RepoToPull)
	var out []Match
	for _, e := range k.kubelet {
		if !kubeletMatches(e.url, img) {
			continue
		}
		reason, note := ReasonPathPrefix, ""
		switch {
		case e.glob:
			reason, note = ReasonWildcard, noteWildcard
		case e.url.path == "":
			reason = ReasonRegistry
		case e.url.path == img.path:
			reason = ReasonExact
		}
		if e.url.path != "" && e.url.path != img.path && !strings.HasSuffix(e.url.path, "/") && img.path[len(e.url.path)] != '/' {
			note = joinNotes(note, fmt.Sprintf(noteStringPrefix, e.url.path, ref.Repository))
		}
		for _, i := range e.creds {
			out = append(out, k.kubeletMatch(i, e.key, reason, note))
		}
	}
	if len(out) == 0 && kubeletDefaultRegistryMatch(ref.RepoToPull) {
		for _, i := range k.hubFallback {
			out = append(out, k.kubeletMatch(i, dockerHubIndexHost, ReasonDockerHubFallback, ""))
		}
	}
	return out
}

// kubeletNotes names keys for this registry that the kubelet ignores.
func (k *Keyring) kubeletNotes(ref Reference) []string {
	var notes []string
	for i, c := range k.creds {
		if k.kubeKey[i] == "" && k.looseHost[i] == ref.Registry {
			notes = append(notes, fmt.Sprintf("the kubelet cannot parse key %q as a URL and ignores it", c.Key))
		}
	}
	return append(notes, k.nearMissNotes(ref, -1)...)
}

func (k *Keyring) kubeletMatch(i int, key string, reason Reason, note string) Match {
	c := k.creds[i]
	if c.IdentityToken != "" || c.RegistryToken != "" {
		c.IdentityToken, c.RegistryToken = "", ""
		if c.Username == "" && c.Password == "" {
			note = joinNotes(note, noteKubeletToken)
		}
	}
	return Match{Credential: c, MatchedKey: key, Reason: reason, Note: note, index: i}
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// ---- docker CLI and go-containerregistry DefaultKeychain ----

const (
	noteGGCRRepoKey  = "go-containerregistry (crane) uses this repository key; the docker CLI looks up registry keys only"
	noteDockerRandom = "%d keys map to host %q; docker and go-containerregistry pick one at random (the first is shown)"
	noteLaterSource  = "found in a later source; docker and go-containerregistry read a single config file"
)

func (k *Keyring) lookupDocker(ref Reference) []Match {
	reg := ref.Registry
	if reg == dockerHubDomain {
		reg = dockerHubIndexHost // go-containerregistry's name for Docker Hub
	}
	repoKey := reg + "/" + ref.Repository
	regKey := reg
	if regKey == dockerHubIndexHost {
		regKey = dockerHubAuthKey
	}
	for g, group := range k.sources {
		for _, lk := range []string{repoKey, regKey} {
			m, ok := k.dockerFind(group, lk, lk == repoKey)
			if !ok {
				continue
			}
			if g > 0 {
				m.Note = joinNotes(m.Note, noteLaterSource)
			}
			return []Match{m}
		}
	}
	return nil
}

// dockerFind is configfile.GetAuthConfig on the file store followed by
// go-containerregistry's emptiness test: the exact key, else any key whose
// ConvertToHostname is lk. An empty entry counts as not found.
func (k *Keyring) dockerFind(group []int, lk string, isRepo bool) (Match, bool) {
	for _, i := range group {
		if k.creds[i].Key != lk {
			continue
		}
		if k.creds[i].IsEmpty() {
			return Match{}, false
		}
		m := Match{Credential: k.creds[i], MatchedKey: lk, Reason: ReasonRegistry, index: i}
		if isRepo {
			m.Reason, m.Note = ReasonExact, noteGGCRRepoKey
		}
		return m, true
	}
	var cands []int
	keys := map[string]bool{}
	for _, i := range group {
		if k.dockerHost[i] == lk {
			cands = append(cands, i)
			keys[k.creds[i].Key] = true
		}
	}
	for _, i := range cands {
		if k.creds[i].IsEmpty() {
			continue
		}
		m := Match{Credential: k.creds[i], MatchedKey: lk, Reason: ReasonHostFallback, index: i}
		if len(keys) > 1 {
			m.Note = fmt.Sprintf(noteDockerRandom, len(keys), lk)
		}
		return m, true
	}
	return Match{}, false
}

// dockerNotes explains keys that other consumers would use but docker and
// go-containerregistry do not.
func (k *Keyring) dockerNotes(ref Reference, chosen int) []string {
	var notes []string
	for i, c := range k.creds {
		if i == chosen {
			continue
		}
		key := k.kubeKey[i]
		if key == "" {
			continue
		}
		host, path, _ := strings.Cut(key, "/")
		switch {
		case ref.IsDockerHub() && path == "" && (host == dockerHubDomain || host == dockerHubIndexHost || host == dockerHubRegistryHost) && c.Key != dockerHubAuthKey:
			notes = append(notes, fmt.Sprintf("docker and go-containerregistry find Docker Hub credentials only under %q; key %q is not used", dockerHubAuthKey, c.Key))
		case strings.ContainsAny(host, `*?[`) && kubeletMatches(kubeletParse(key), kubeletParse(ref.RepoToPull)):
			notes = append(notes, fmt.Sprintf("docker and go-containerregistry do not support wildcard key %q", c.Key))
		case host == ref.Registry && path != "" && k.dockerHost[i] == ref.Registry && !strings.Contains(c.Key, "://") &&
			isPathParent(path, ref.Repository) && path != ref.Repository:
			notes = append(notes, fmt.Sprintf("docker and go-containerregistry never use namespace key %q for %s; only the full repository or the registry", c.Key, ref.RepoToPull))
		}
	}
	return append(notes, k.nearMissNotes(ref, chosen)...)
}

// isPathParent reports whether ns is repo or a whole-segment prefix of it.
func isPathParent(ns, repo string) bool {
	ns = strings.TrimSuffix(ns, "/")
	return ns == repo || strings.HasPrefix(repo, ns+"/")
}

// nearMissNotes names keys that differ from the registry only in letter
// case or by the default port, which every consumer treats as different.
func (k *Keyring) nearMissNotes(ref Reference, chosen int) []string {
	var notes []string
	reg := ref.Registry
	for i, c := range k.creds {
		if i == chosen {
			continue
		}
		h := k.looseHost[i]
		switch {
		case h != reg && strings.EqualFold(h, reg):
			notes = append(notes, fmt.Sprintf("key %q differs from registry %q only in letter case; keys are matched case-sensitively", c.Key, reg))
		case h == reg+":443" || reg == h+":443":
			notes = append(notes, fmt.Sprintf("key %q and registry %q differ only by the default port :443; consumers treat them as different registries", c.Key, reg))
		}
	}
	return notes
}

// looseHost is the host[:port] of a key with any scheme and path removed.
func looseHost(key string) string {
	if _, rest, ok := strings.Cut(key, "://"); ok {
		key = rest
	}
	h, _, _ := strings.Cut(key, "/")
	return h
}

// ---- containers/image (podman, skopeo, buildah) ----

// podmanNormalizeKey is normalizeAuthFileKey for a non-legacy file: a key
// with an http(s) scheme loses it and its path; Docker Hub aliases become
// index.docker.io.
func podmanNormalizeKey(key string) string {
	s := strings.TrimPrefix(key, "http://")
	s = strings.TrimPrefix(s, "https://")
	if s != key {
		s, _, _ = strings.Cut(s, "/")
	}
	return podmanNormalizeRegistry(s)
}

func podmanNormalizeRegistry(r string) string {
	if r == dockerHubRegistryHost || r == dockerHubDomain {
		return dockerHubIndexHost
	}
	return r
}

// podmanLookupKeys is authKeyLookupOrder: the repository name, then each
// parent namespace, then the registry.
func podmanLookupKeys(name string) []string {
	keys := []string{name}
	for {
		j := strings.LastIndexByte(name, '/')
		if j < 0 {
			return keys
		}
		name = name[:j]
		keys = append(keys, name)
	}
}

const (
	notePodmanNoAuth = "podman ignores key %q in %s: the entry has no \"auth\" field and containers/image reads no username or password"
	notePodmanRandom = "%d keys normalise to host %q; containers/image picks one at random (the first is shown)"
)

func (k *Keyring) lookupPodman(ref Reference) ([]Match, []string) {
	lookupKeys := podmanLookupKeys(ref.RepoToPull)
	normReg := podmanNormalizeRegistry(ref.Registry)
	var notes []string
	for _, group := range k.sources {
		m, found, ok := k.podmanFindExact(group, lookupKeys, ref)
		if !found {
			m, found, ok = k.podmanFindFallback(group, normReg)
		}
		if found && !ok {
			c := k.creds[m.index]
			if !c.HasAuthField {
				notes = append(notes, fmt.Sprintf(notePodmanNoAuth, c.Key, sourceName(c.Source)))
			}
			continue // this file yields nothing; containers/image tries the next
		}
		if ok {
			return []Match{m}, notes
		}
	}
	return nil, notes
}

func sourceName(s string) string {
	if s == "" {
		return "its source"
	}
	return s
}

// podmanView is the credential as decodeDockerAuth returns it; ok is false
// when it is empty (no auth field, or nothing in it).
func (k *Keyring) podmanView(i int) (Credential, bool) {
	c := k.creds[i]
	if !c.HasAuthField {
		return Credential{}, false
	}
	v := Credential{Key: c.Key, Username: c.Username, Password: c.Password, IdentityToken: c.IdentityToken, HasAuthField: true, Source: c.Source}
	return v, !v.IsEmpty()
}

// podmanFindExact looks up each key in turn; the first key present decides
// the file's answer even when its entry is unusable.
func (k *Keyring) podmanFindExact(group []int, keys []string, ref Reference) (m Match, found, ok bool) {
	for _, lk := range keys {
		for _, i := range group {
			if k.creds[i].Key != lk {
				continue
			}
			reason := ReasonPathPrefix
			switch lk {
			case ref.RepoToPull:
				reason = ReasonExact
			case ref.Registry:
				reason = ReasonRegistry
			}
			v, ok := k.podmanView(i)
			return Match{Credential: v, MatchedKey: lk, Reason: reason, index: i}, true, ok
		}
	}
	return Match{}, false, false
}

// podmanFindFallback compares every key's normalised form with the
// normalised registry. Of several candidates the first usable one is taken.
func (k *Keyring) podmanFindFallback(group []int, normReg string) (m Match, found, ok bool) {
	var cands []int
	keys := map[string]bool{}
	for _, i := range group {
		if k.podmanHost[i] == normReg {
			cands = append(cands, i)
			keys[k.creds[i].Key] = true
		}
	}
	if len(cands) == 0 {
		return Match{}, false, false
	}
	note := ""
	if len(keys) > 1 {
		note = fmt.Sprintf(notePodmanRandom, len(keys), normReg)
	}
	for _, i := range cands {
		if v, ok := k.podmanView(i); ok {
			return Match{Credential: v, MatchedKey: normReg, Reason: ReasonHostFallback, Note: note, index: i}, true, true
		}
	}
	return Match{index: cands[0]}, true, false
}

// podmanNotes explains keys that the kubelet would use but containers/image
// does not.
func (k *Keyring) podmanNotes(ref Reference, chosen int) []string {
	var notes []string
	img := kubeletParse(ref.RepoToPull)
	for i, c := range k.creds {
		if i == chosen {
			continue
		}
		key := k.kubeKey[i]
		if key == "" {
			continue
		}
		host := hostOf(key)
		if strings.ContainsAny(host, `*?[`) && kubeletMatches(kubeletParse(key), img) {
			notes = append(notes, fmt.Sprintf("podman does not support wildcard key %q", c.Key))
		}
	}
	return append(notes, k.nearMissNotes(ref, chosen)...)
}
