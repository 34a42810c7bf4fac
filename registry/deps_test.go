package registry_test

import (
	"testing"

	"github.com/pullsecret/pullsecret/internal/depstest"
)

// TestDependencies keeps the registry client free of Kubernetes: it knows
// credentials (match, dockercfg) and registries, not Secrets or clusters.
func TestDependencies(t *testing.T) {
	t.Parallel()
	depstest.Forbid(t, "k8s.io", "sigs.k8s.io", "github.com/pullsecret/pullsecret/secrets",
		"github.com/urfave/cli")
}
