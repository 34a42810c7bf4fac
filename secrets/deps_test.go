package secrets_test

import (
	"testing"

	"github.com/pullsecret/pullsecret/internal/depstest"
)

// TestDependencies keeps Kubernetes objects off the network: secrets
// builds on matching (package match) and files (dockercfg), never on the
// registry client or go-containerregistry. (k8s.io/apimachinery itself
// links net/http, so net/http cannot be forbidden here; the registry
// client can.)
func TestDependencies(t *testing.T) {
	t.Parallel()
	depstest.Forbid(t, "github.com/pullsecret/pullsecret/registry",
		"github.com/google/go-containerregistry", "github.com/urfave/cli")
}
