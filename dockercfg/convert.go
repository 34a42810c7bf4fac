package dockercfg

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
)

// ErrEmptyResult: nothing was left to convert.
var ErrEmptyResult = errors.New("no credentials to convert")

// ErrHelperNotRun: the credential helper is named inside a Kubernetes
// Secret's payload (Source.Secret is set), and such helpers are never run,
// as the kubelet never runs them. It also matches ErrHelperMissing, so the
// entry is treated like an uninstalled helper's: its inline credentials are
// used with ConvertOptions.SkipUnresolved, else it is an error.
var ErrHelperNotRun error = helperNotRunError{}

type helperNotRunError struct{}

func (helperNotRunError) Error() string {
	return "not run: helpers named in a Secret are not run (the kubelet never runs them)"
}

func (helperNotRunError) Unwrap() error { return ErrHelperMissing }

// secretHelper stands in for a helper named in a Secret: it runs nothing.
type secretHelper struct{}

func (secretHelper) Get(context.Context, string) (string, string, error) {
	return "", "", ErrHelperNotRun
}

func (secretHelper) List(context.Context) (map[string]string, error) {
	return nil, ErrHelperNotRun
}

// ConvertOptions configures Convert.
type ConvertOptions struct {
	// Registries keeps only entries matching one of these patterns (see
	// MatchPattern); empty keeps all.
	Registries []string
	// SkipUnresolved keeps what can be kept instead of failing: an entry
	// whose credential helper is missing or fails is converted from its
	// inline credentials when it has any (ResolveOptions.InlineFallback),
	// and any other entry that cannot be resolved is left out; each is one
	// warning naming the source, the entry and the reason.
	SkipUnresolved bool
	// NewHelper makes a credential helper; nil means NewHelper(name, nil).
	NewHelper func(name string) Helper
}

// ConvertResult is a self-contained config plus what the caller should say.
type ConvertResult struct {
	Config   *Config
	Warnings []string
}

// MatchPattern reports whether a registry key matches a --registry pattern.
// The pattern is a path.Match glob compared with the canonical key
// ("quay.io/team", "https://index.docker.io/v1/"), its host, and its
// host/path; a pattern without glob characters is normalised with ParseKey
// first, so "docker.io" selects Docker Hub.
func MatchPattern(pattern, key string) bool {
	k, err := ParseKey(key)
	if err != nil {
		return false
	}
	if !strings.ContainsAny(pattern, "*?[") {
		pk, err := ParseKey(pattern)
		return err == nil && pk == k
	}
	hp := k.Host
	if k.Path != "" {
		hp += "/" + k.Path
	}
	for _, s := range []string{k.String(), k.Host, hp} {
		if ok, _ := path.Match(pattern, s); ok {
			return true
		}
	}
	return false
}

// Convert resolves every entry of the sources (credential helpers of local
// files included) into one self-contained config whose entries all carry auth, username and
// password under canonical keys. Earlier sources win when two give the same
// registry key. Identity-token entries are kept with a warning, since the
// kubelet ignores them. Unresolvable entries are an error (errors.Join of
// one error per entry, each wrapping its *ResolveError) unless
// SkipUnresolved. An empty result is ErrEmptyResult; the result is then
// returned too, with the warnings that say what was left out and why.
// Helpers named in a source read from a Secret (Source.Secret set) are never
// run: their entries fail with ErrHelperNotRun, like an uninstalled helper's.
func Convert(ctx context.Context, sources []Source, opts ConvertOptions) (*ConvertResult, error) {
	newHelper := opts.NewHelper
	if newHelper == nil {
		newHelper = func(name string) Helper { return NewHelper(name, nil) }
	}
	var keep func(string) bool
	if len(opts.Registries) > 0 {
		keep = func(key string) bool {
			for _, p := range opts.Registries {
				if MatchPattern(p, key) {
					return true
				}
			}
			return false
		}
	}
	n := 0
	for _, src := range sources {
		n += len(src.Config.Entries)
	}
	res := &ConvertResult{Config: &Config{Format: FormatConfigJSON, Entries: make([]*Entry, 0, n)}}
	from := make(map[Key]string, n)
	leftOut := 0
	var unresolved []error // every entry that failed, one error each
	for _, src := range sources {
		srcHelper := newHelper
		if src.Secret != "" {
			srcHelper = func(string) Helper { return secretHelper{} }
		}
		resolved, errs := src.Config.ResolveWith(ctx, srcHelper, ResolveOptions{Keep: keep, InlineFallback: opts.SkipUnresolved})
		for _, err := range errs {
			if !opts.SkipUnresolved {
				unresolved = append(unresolved, fmt.Errorf("%s: %w", src.Label(), err))
				continue
			}
			var re *ResolveError
			if errors.As(err, &re) && re.Key == StoreListKey {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v; registries known only to the store are left out", src.Label(), err))
				continue
			}
			leftOut++
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v; left out", src.Label(), err))
		}
		for _, r := range resolved {
			if r.Fallback != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %v; converted the entry's inline credentials instead", src.Label(), r.Fallback))
			}
			k, err := ParseKey(r.Entry.Key)
			if err != nil {
				return nil, fmt.Errorf("%s: entry %q: %w", src.Label(), r.Entry.Key, err)
			}
			if prev, dup := from[k]; dup {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: entry %q ignored: %s already gave credentials for %s", src.Label(), r.Entry.Key, prev, k))
				continue
			}
			from[k] = src.Label()
			e := r.Entry
			out := &Entry{Key: k.String(), Email: e.Email, IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
			if e.Username != "" || e.Password != "" {
				if strings.Contains(e.Username, ":") {
					return nil, fmt.Errorf("%s: entry %q: username contains ':', which auth cannot carry", src.Label(), e.Key)
				}
				out = NewEntry(k.String(), e.Username, e.Password, e.Email)
				out.IdentityToken, out.RegistryToken = e.IdentityToken, e.RegistryToken
			}
			if out.IdentityToken != "" {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: entry %q carries an identity token: the kubelet ignores it (docker, podman and crane use it)", src.Label(), e.Key))
			}
			if k.String() != e.Key {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: key %q written as %q", src.Label(), e.Key, k.String()))
			}
			res.Config.Entries = append(res.Config.Entries, out)
		}
	}
	if len(unresolved) > 0 {
		return nil, errors.Join(unresolved...)
	}
	if len(res.Config.Entries) == 0 {
		err := ErrEmptyResult
		if len(opts.Registries) > 0 {
			err = fmt.Errorf("%w matching %s", err, strings.Join(opts.Registries, ", "))
		}
		if leftOut > 0 {
			err = fmt.Errorf("%w: %d %s left out", err, leftOut, map[bool]string{true: "entry", false: "entries"}[leftOut == 1])
		}
		return res, err
	}
	return res, nil
}
