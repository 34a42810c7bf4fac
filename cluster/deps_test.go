package cluster

import (
	"testing"

	"github.com/pullsecret/pullsecret/internal/depstest"
)

// TestDependencies keeps the package's import boundary (doc.go): no
// registry client, no command-line library.
func TestDependencies(t *testing.T) {
	depstest.Forbid(t,
		"github.com/pullsecret/pullsecret/registry",
		"github.com/pullsecret/pullsecret/cmd",
		"github.com/urfave/cli",
		"github.com/google/go-containerregistry",
	)
}
