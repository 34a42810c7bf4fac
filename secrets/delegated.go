package secrets

import (
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// MaxDerivedNameLength bounds the secret names DelegatedName derives: a
// DNS-1123 label, so the name also fits where only labels are allowed.
const MaxDerivedNameLength = 63

// ErrInvalidAuthServer is wrapped by errors for an auth server that is not
// HOST[:PORT].
var ErrInvalidAuthServer = errors.New("invalid auth server")

// DelegatedOptions describe the secrets for a registry that delegates
// authentication to a token server on another host (docs/manifests.md#delegated-pairs).
type DelegatedOptions struct {
	// Registry is the registry as HOST[:PORT][/PATH] (a scheme and a /v1/
	// or /v2/ suffix are accepted and dropped). Required.
	Registry string
	// AuthServer is the HOST[:PORT] of the token server (the host of the
	// Bearer realm). Empty, or the registry's own host, means the registry
	// authenticates itself: only the registry entry is written.
	AuthServer string
	// Username, Password and Email are the credentials, the same for both
	// entries. Username must be non-empty and free of ':'.
	Username, Password, Email string
	// Namespace is set on every secret when non-empty.
	Namespace string
	// RegistrySecret and AuthSecret name the two secrets; empty means
	// DelegatedName of the entry's key. They conflict with Single.
	RegistrySecret, AuthSecret string
	// Single, when non-empty, is the name of one secret holding both
	// entries instead of two secrets.
	Single string
	// Format is the payload format (and so the secret type); the zero
	// value is dockercfg.FormatConfigJSON.
	Format dockercfg.Format
}

// DelegatedKeys returns the registry keys DelegatedPair writes: the
// canonical key of registry (dockercfg.Key.String: host lower-cased, scheme
// and /v1/ /v2/ dropped, Docker Hub as https://index.docker.io/v1/, a
// repository path kept) and the canonical key of authServer without the
// default port :443 (OpenShift strips it from the realm URL before looking
// credentials up). authKey is "" when authServer is empty or names the
// registry's own host and port: then there is no second entry to write.
func DelegatedKeys(registry, authServer string) (registryKey, authKey string, err error) {
	rk, err := dockercfg.ParseKey(registry)
	if err != nil {
		return "", "", fmt.Errorf("parse registry: %w", err)
	}
	if authServer == "" {
		return rk.String(), "", nil
	}
	ak, err := dockercfg.ParseKey(authServer)
	if err != nil {
		return "", "", fmt.Errorf("parse auth server: %w", err)
	}
	if ak.Path != "" {
		return "", "", fmt.Errorf("%w %q: want HOST[:PORT] without a path (the host of the token realm)", ErrInvalidAuthServer, authServer)
	}
	ak.Host = strings.TrimSuffix(ak.Host, ":443")
	if ak.Host == strings.TrimSuffix(rk.Host, ":443") {
		return rk.String(), "", nil
	}
	return rk.String(), ak.String(), nil
}

// DelegatedName derives a default secret name from a registry key: the
// host and path (Docker Hub is "docker.io"), lower-cased, every run of
// characters other than a-z and 0-9 replaced by one '-', leading and
// trailing '-' dropped, cut to MaxDerivedNameLength characters. So
// "registry.example.com:5000" gives "registry-example-com-5000",
// "https://index.docker.io/v1/" gives "docker-io" and "quay.io/team" gives
// "quay-io-team". The result is a DNS-1123 label, or "" when key has no
// letter or digit.
func DelegatedName(key string) string {
	s := key
	if k, err := dockercfg.ParseKey(key); err == nil {
		s = k.Host
		if k.Path != "" {
			s += "/" + k.Path
		}
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	name := b.String()
	if len(name) > MaxDerivedNameLength {
		name = strings.TrimRight(name[:MaxDerivedNameLength], "-")
	}
	return name
}

// DelegatedConfig returns the docker config holding the entries
// DelegatedPair writes, in that order: the auth server entry (absent when
// DelegatedKeys finds none) and the registry entry, each with the same
// username, password, email and padded auth.
func DelegatedConfig(opts DelegatedOptions) (*dockercfg.Config, error) {
	if opts.Registry == "" {
		return nil, errors.New("build delegated config: no registry given")
	}
	regKey, authKey, err := DelegatedKeys(opts.Registry, opts.AuthServer)
	if err != nil {
		return nil, fmt.Errorf("build delegated config: %w", err)
	}
	cfg, err := NewConfig(regKey, opts.Username, opts.Password, opts.Email)
	if err != nil {
		return nil, fmt.Errorf("build delegated config: %w", err)
	}
	if authKey != "" {
		cfg.Entries = append([]*dockercfg.Entry{dockercfg.NewEntry(authKey, opts.Username, opts.Password, opts.Email)}, cfg.Entries...)
	}
	return cfg, nil
}

// DelegatedPair returns the pull secrets for a registry that delegates
// authentication to a token server on another host, as the OpenShift
// documentation asks for ("image pull secrets must be defined for both the
// authentication and registry endpoints"): the kubelet, CRI-O, containerd,
// podman and go-containerregistry send the registry's credentials to the
// realm, but OpenShift's image import looks credentials up by the realm's
// host, so both keys must exist.
//
// Without Single it returns two secrets, the auth server's (named
// AuthSecret) and the registry's (RegistrySecret), each holding one entry;
// with Single, one secret holding both entries. When there is no separate
// auth server (see DelegatedKeys) only the registry entry is written: one
// secret. Default names come from DelegatedName; should the two derived
// names coincide, the auth server's gets the suffix "-auth". Every secret
// is checked with Validate.
func DelegatedPair(opts DelegatedOptions) ([]*corev1.Secret, error) {
	if opts.Single != "" && (opts.RegistrySecret != "" || opts.AuthSecret != "") {
		return nil, errors.New("build delegated secrets: a single secret name conflicts with separate registry and auth secret names")
	}
	cfg, err := DelegatedConfig(opts)
	if err != nil {
		return nil, err
	}
	var groups []struct {
		name    string
		entries []*dockercfg.Entry
	}
	add := func(name string, es ...*dockercfg.Entry) {
		groups = append(groups, struct {
			name    string
			entries []*dockercfg.Entry
		}{name, es})
	}
	switch {
	case opts.Single != "":
		add(opts.Single, cfg.Entries...)
	case len(cfg.Entries) == 1:
		add(nameOr(opts.RegistrySecret, cfg.Entries[0].Key), cfg.Entries[0])
	default:
		authE, regE := cfg.Entries[0], cfg.Entries[1]
		regName := nameOr(opts.RegistrySecret, regE.Key)
		authName := nameOr(opts.AuthSecret, authE.Key)
		if opts.AuthSecret == "" && authName == regName {
			authName += "-auth"
		}
		if authName == regName {
			return nil, fmt.Errorf("build delegated secrets: the registry and auth server secrets are both named %q", regName)
		}
		add(authName, authE)
		add(regName, regE)
	}
	out := make([]*corev1.Secret, 0, len(groups))
	for _, g := range groups {
		if g.name == "" {
			return nil, fmt.Errorf("build delegated secrets: cannot derive a secret name from %q; name it", g.entries[len(g.entries)-1].Key)
		}
		c := &dockercfg.Config{Format: dockercfg.FormatConfigJSON, Entries: g.entries}
		s, err := FromConfig(g.name, opts.Namespace, c, opts.Format)
		if err != nil {
			return nil, fmt.Errorf("build delegated secret %q: %w", g.name, err)
		}
		if err := Validate(s); err != nil {
			return nil, fmt.Errorf("build delegated secrets: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// nameOr returns name, or the name derived from key when name is empty.
func nameOr(name, key string) string {
	if name != "" {
		return name
	}
	return DelegatedName(key)
}
