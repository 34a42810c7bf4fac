package registry

import (
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/match"
)

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expiresIn int64
		want      time.Duration
	}{
		{expiresIn: 0, want: 60 * time.Second}, // the spec's default
		{expiresIn: -5, want: 60 * time.Second},
		{expiresIn: 2, want: 2 * time.Second},
		{expiresIn: 300, want: 300 * time.Second},
		{expiresIn: 1 << 40, want: 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := tokenLifetime(tt.expiresIn); got != tt.want {
			t.Errorf("tokenLifetime(%d) = %v, want %v", tt.expiresIn, got, tt.want)
		}
	}
}

func TestTokenRefreshAndPrune(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	r := &Resolver{batch: DefaultScopeBatch, now: func() time.Time { return now }}
	as := &authState{rs: &registryState{r: r}, tokens: map[string]*tokenCall{}, pendingSet: map[string]bool{}, singleOnly: map[string]bool{}}
	done := func(refreshAt time.Time, err error) *tokenCall {
		c := &tokenCall{done: make(chan struct{}), refreshAt: refreshAt, err: err, at: now}
		close(c.done)
		return c
	}
	as.tokens["fresh"] = done(now.Add(time.Minute), nil)
	as.tokens["stale"] = done(now.Add(-time.Second), nil)
	as.tokens["failed-recently"] = done(time.Time{}, match.ErrNetwork)
	as.tokens["in-flight"] = &tokenCall{done: make(chan struct{})}
	as.prune(now)
	want := []string{"failed-recently", "fresh", "in-flight"}
	for _, k := range want {
		if as.tokens[k] == nil {
			t.Errorf("prune dropped %q", k)
		}
	}
	if len(as.tokens) != len(want) {
		t.Errorf("after prune: %d tokens, want %d", len(as.tokens), len(want))
	}
	// A failure is retried once failureTTL has passed.
	now = now.Add(failureTTL)
	if as.tokens["failed-recently"].usable(now) {
		t.Error("a failure is still remembered after failureTTL")
	}
	// Announcing a covered repository adds nothing; others queue up once.
	for _, repo := range []string{"fresh", "a", "b", "a"} {
		as.announce(repo, now)
	}
	if got := as.takePending("c", now); len(got) != 3 || got[0] != "c" || got[1] != "a" || got[2] != "b" {
		t.Errorf("takePending = %q, want [c a b]", got)
	}
}
