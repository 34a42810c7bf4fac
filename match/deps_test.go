package match_test

import (
	"testing"

	"github.com/pullsecret/pullsecret/internal/depstest"
)

// TestDependencies keeps matching pure: no HTTP client or TLS, no
// go-containerregistry, no Kubernetes, no registry client.
func TestDependencies(t *testing.T) {
	t.Parallel()
	depstest.Forbid(t, "net/http", "crypto/tls",
		"github.com/google/go-containerregistry", "k8s.io", "sigs.k8s.io",
		"github.com/pullsecret/pullsecret/registry", "github.com/pullsecret/pullsecret/secrets")
}
