package dockercfg_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps dockercfg small: the standard library (without the
// network stack) and the docker-credential-helpers client only; no Kubernetes,
// no HTTP client, no go-containerregistry.
func TestDependencies(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := []string{
		"github.com/pullsecret/pullsecret/dockercfg",
		"github.com/docker/docker-credential-helpers/client",
		"github.com/docker/docker-credential-helpers/credentials",
	}
	for _, dep := range strings.Fields(string(out)) {
		std := !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".")
		if std && !strings.HasPrefix(dep, "net") && !strings.HasPrefix(dep, "crypto/tls") {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || dep == a
		}
		if !ok {
			t.Errorf("dockercfg depends on %s", dep)
		}
	}
}
