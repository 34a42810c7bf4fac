package dockercfg

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoCredentials: an entry has no inline credentials and no helper serves it.
var ErrNoCredentials = errors.New("entry has no credentials and no credential helper serves it")

// ResolveError is an entry that could not be resolved to inline credentials.
type ResolveError struct {
	Key    string // entry key
	Helper string // helper consulted, "" if none
	Err    error
}

func (e *ResolveError) Error() string {
	if e.Key == StoreListKey {
		return fmt.Sprintf("credential store %q: %v", e.Helper, e.Err)
	}
	if e.Helper != "" {
		return fmt.Sprintf("entry %q (credential helper %q): %v", e.Key, e.Helper, e.Err)
	}
	return fmt.Sprintf("entry %q: %v", e.Key, e.Err)
}

func (e *ResolveError) Unwrap() error { return e.Err }

// StoreListKey is the ResolveError.Key of a credsStore whose list action
// failed: the registries known only to the store are then not resolved.
const StoreListKey = "*"

// Resolved is an entry whose credentials are inline, and where they came from.
type Resolved struct {
	Entry  *Entry
	Helper string // helper that supplied the credentials, "" for inline ones
	// Fallback, when not nil, is the *ResolveError of the entry's helper
	// (missing or failed) that the entry's inline credentials stand in for
	// (ResolveOptions.InlineFallback). A helper's "not found" is not a
	// fallback: inline credentials are then the rule.
	Fallback error
}

// ResolveOptions configures Config.ResolveWith. The zero value resolves every
// entry, without falling back to inline credentials when a helper is missing
// or fails.
type ResolveOptions struct {
	// Keep limits resolution to the keys for which it returns true (nil
	// keeps all); helpers are not asked for keys that are not kept.
	Keep func(key string) bool
	// InlineFallback resolves an entry whose helper is missing
	// (ErrHelperMissing) or fails (ErrHelperFailed) to the entry's inline
	// credentials, when it has any, and records the helper's error in
	// Resolved.Fallback, instead of returning a *ResolveError. Docker and the
	// credential helper protocol use inline credentials only when the helper
	// answers "not found"; this is for a caller that says so to its user.
	// A cancelled ctx never falls back.
	InlineFallback bool
}

// HelperFor returns the helper suffix that serves key: credHelpers for the
// key's host, else credsStore, else "".
func (c *Config) HelperFor(key string) string {
	if h, ok := c.CredHelpers[key]; ok {
		return h
	}
	if k, err := ParseKey(key); err == nil {
		for _, hk := range c.HelperOrder {
			if hkk, err := ParseKey(hk); err == nil && hkk.Host == k.Host {
				return c.CredHelpers[hk]
			}
		}
	}
	return c.CredsStore
}

// Resolve turns every entry of c into inline credentials: credHelpers[host]
// first, then credsStore, then the entry's own fields. Hosts that appear only
// in credHelpers, or only in the credsStore (found with its list action), are
// resolved too. newHelper makes the Helper for a suffix (NewHelper in
// production). Entries that cannot be resolved are returned as
// *ResolveError values; the others are returned in order.
func (c *Config) Resolve(ctx context.Context, newHelper func(name string) Helper) ([]Resolved, []error) {
	return c.ResolveFiltered(ctx, newHelper, nil)
}

// ResolveFiltered is Resolve limited to the keys for which keep returns true
// (nil keeps all); helpers are not asked for keys that are not kept.
func (c *Config) ResolveFiltered(ctx context.Context, newHelper func(name string) Helper, keep func(key string) bool) ([]Resolved, []error) {
	return c.ResolveWith(ctx, newHelper, ResolveOptions{Keep: keep})
}

// ResolveWith is Resolve with options (see ResolveOptions).
func (c *Config) ResolveWith(ctx context.Context, newHelper func(name string) Helper, opts ResolveOptions) ([]Resolved, []error) {
	keep := opts.Keep
	helpers := map[string]Helper{}
	helper := func(name string) Helper {
		h, ok := helpers[name]
		if !ok {
			h = newHelper(name)
			helpers[name] = h
		}
		return h
	}
	type cand struct {
		key   string
		entry *Entry
	}
	cands := make([]cand, 0, len(c.Entries)+len(c.HelperOrder))
	seen := make(map[Key]bool, len(c.Entries)+len(c.HelperOrder))
	add := func(key string, e *Entry) {
		if keep != nil && !keep(key) {
			return
		}
		if k, err := ParseKey(key); err == nil {
			if seen[k] {
				return
			}
			seen[k] = true
		}
		cands = append(cands, cand{key, e})
	}
	for _, e := range c.Entries {
		add(e.Key, e)
	}
	for _, h := range c.HelperOrder {
		add(h, nil)
	}
	var errs []error
	if c.CredsStore != "" {
		list, err := helper(c.CredsStore).List(ctx)
		if err != nil {
			errs = append(errs, &ResolveError{Key: StoreListKey, Helper: c.CredsStore, Err: fmt.Errorf("list stored credentials: %w", err)})
		}
		for _, k := range sortedKeys(list) {
			add(k, nil)
		}
	}
	out := make([]Resolved, 0, len(cands))
	for _, cd := range cands {
		email := ""
		if cd.entry != nil {
			email = cd.entry.Email
		}
		name := c.HelperFor(cd.key)
		var fallback error
		if name != "" {
			user, secret, err := helperGet(ctx, helper(name), cd.key)
			switch {
			case err == nil && user == "<token>":
				out = append(out, Resolved{Entry: &Entry{Key: cd.key, IdentityToken: secret, Email: email}, Helper: name})
				continue
			case err == nil:
				out = append(out, Resolved{Entry: NewEntry(cd.key, user, secret, email), Helper: name})
				continue
			case errors.Is(err, ErrCredentialsNotFound) && cd.entry != nil && cd.entry.HasCredentials():
				// fall through to the inline credentials
			case opts.InlineFallback && ctx.Err() == nil && (errors.Is(err, ErrHelperMissing) || errors.Is(err, ErrHelperFailed)) &&
				cd.entry != nil && cd.entry.HasCredentials():
				fallback = &ResolveError{Key: cd.key, Helper: name, Err: err}
			default:
				errs = append(errs, &ResolveError{Key: cd.key, Helper: name, Err: err})
				continue
			}
		}
		e := cd.entry
		if e == nil || !e.HasCredentials() {
			errs = append(errs, &ResolveError{Key: cd.key, Helper: name, Err: ErrNoCredentials})
			continue
		}
		r := NewEntry(e.Key, e.Username, e.Password, e.Email)
		if e.Username == "" && e.Password == "" {
			r = &Entry{Key: e.Key, Email: e.Email}
		}
		r.IdentityToken, r.RegistryToken = e.IdentityToken, e.RegistryToken
		out = append(out, Resolved{Entry: r, Fallback: fallback})
	}
	return out, errs
}

// helperGet asks a helper for key as written and then, if it has nothing, for
// the canonical spelling of the same registry (https://index.docker.io/v1/
// for a "docker.io" entry, "quay.io" for "https://quay.io"): docker asks
// helpers with the canonical Docker Hub key, and users write keys either way.
func helperGet(ctx context.Context, h Helper, key string) (string, string, error) {
	user, secret, err := h.Get(ctx, key)
	if !errors.Is(err, ErrCredentialsNotFound) {
		return user, secret, err
	}
	k, kerr := ParseKey(key)
	if kerr != nil || k.String() == key {
		return user, secret, err
	}
	return h.Get(ctx, k.String())
}
