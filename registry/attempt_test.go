package registry_test

import (
	"testing"

	"github.com/pullsecret/pullsecret/registry"
)

func TestAttemptStatusText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		want   string
	}{{0, ""}, {200, "OK"}, {401, "Unauthorized"}, {404, "Not Found"}, {599, ""}} {
		if got := (registry.Attempt{Status: tt.status}).StatusText(); got != tt.want {
			t.Errorf("Attempt{Status: %d}.StatusText() = %q, want %q", tt.status, got, tt.want)
		}
	}
}
