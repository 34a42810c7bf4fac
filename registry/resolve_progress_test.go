package registry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// The Progress hook sees every reference once, as it is resolved, with
// running counts; calls never overlap (the hook takes no lock here, so the
// race detector would see overlapping calls).
func TestResolveProgress(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	_, tags, err := env.TagMany(context.Background(), "app", 20)
	if err != nil {
		t.Fatal(err)
	}
	refs := []string{env.Ref("app", "missing"), "Not A Reference"}
	for _, tag := range tags {
		refs = append(refs, env.Ref("app", tag))
	}
	for _, each := range []bool{false, true} {
		name := "Resolve"
		if each {
			name = "ResolveEach"
		}
		t.Run(name, func(t *testing.T) {
			var events []registry.ProgressEvent
			opts := resolveOpts(env)
			opts.Concurrency = 4
			opts.Progress = func(ev registry.ProgressEvent) { events = append(events, ev) }
			r, err := registry.NewResolver(opts)
			if err != nil {
				t.Fatal(err)
			}
			wantTotal := len(refs)
			if each {
				wantTotal = 0 // read from a stream: unknown
				err = r.ResolveEach(context.Background(), slices.Values(refs), func(registry.ResolveResult) error { return nil })
			} else {
				_, err = r.Resolve(context.Background(), refs)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != len(refs) {
				t.Fatalf("%d progress events for %d references", len(events), len(refs))
			}
			var inputs []string
			failed := 0
			for i, ev := range events {
				if ev.Verdict != match.VerdictOK {
					failed++
				}
				if ev.Done != i+1 || ev.Failed != failed || ev.Total != wantTotal {
					t.Errorf("event %d: done %d failed %d total %d, want %d %d %d", i, ev.Done, ev.Failed, ev.Total, i+1, failed, wantTotal)
				}
				inputs = append(inputs, ev.Input)
			}
			if failed != 2 {
				t.Errorf("%d failed events, want 2", failed)
			}
			slices.Sort(inputs)
			want := slices.Sorted(slices.Values(refs))
			if !slices.Equal(inputs, want) {
				t.Errorf("events name %q, want every input once", inputs)
			}
		})
	}
}
