package dockercfg

import (
	"context"
	"fmt"
)

// ResolveSources returns sources with the entries of local files that use
// credsStore or credHelpers resolved to inline credentials (Config.Resolve),
// as docker, podman and crane resolve them when they read those files.
// Sources read from a Secret, and configs without helpers, are returned as
// they are: the kubelet never runs helpers. A resolved config keeps its
// format and holds only the inline entries; it has no credsStore or
// credHelpers left. Entries that cannot be resolved are dropped, each with
// an error in errs naming the source (Source.Label) and wrapping its
// *ResolveError. newHelper makes the Helper for a suffix (NewHelper in
// production). The input slice and its configs are not changed.
func ResolveSources(ctx context.Context, sources []Source, newHelper func(name string) Helper) (resolved []Source, errs []error) {
	resolved = make([]Source, 0, len(sources))
	for _, s := range sources {
		cfg := s.Config
		if s.Secret != "" || cfg == nil || (cfg.CredsStore == "" && len(cfg.CredHelpers) == 0) {
			resolved = append(resolved, s)
			continue
		}
		entries, rerrs := cfg.Resolve(ctx, newHelper)
		for _, err := range rerrs {
			errs = append(errs, fmt.Errorf("%s: %w", s.Label(), err))
		}
		rc := &Config{Format: cfg.Format}
		for _, r := range entries {
			rc.Entries = append(rc.Entries, r.Entry)
		}
		s.Config = rc // s is a copy: the caller's slice keeps its config
		resolved = append(resolved, s)
	}
	return resolved, errs
}
