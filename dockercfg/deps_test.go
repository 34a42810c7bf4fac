package dockercfg_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/internal/depstest"
)

// TestDependencies keeps dockercfg small: the standard library (without the
// network stack) and the docker-credential-helpers client only; no Kubernetes,
// no HTTP client, no go-containerregistry. (internal/depstest is imported by
// this test only, so it is not among dockercfg's own dependencies.)
func TestDependencies(t *testing.T) {
	t.Parallel()
	allowed := []string{
		"github.com/pullsecret/pullsecret/dockercfg",
		"github.com/docker/docker-credential-helpers/client",
		"github.com/docker/docker-credential-helpers/credentials",
	}
	for _, dep := range depstest.Deps(t) {
		std := !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".")
		if std && !strings.HasPrefix(dep, "net") && !strings.HasPrefix(dep, "crypto/tls") {
			continue
		}
		if !slices.Contains(allowed, dep) {
			t.Errorf("dockercfg depends on %s", dep)
		}
	}
}
