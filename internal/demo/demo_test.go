package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// TestDemo runs `make demo`'s program with freshly built binaries: the whole
// main job against the real registry, as the README promises it, and the
// live part against a real kube-apiserver when the control plane's binaries
// are there ($PULLSECRET_REQUIRE_CLUSTER makes their absence a failure).
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	bin := t.TempDir()
	for _, b := range []struct{ out, pkg string }{
		{"pullsecret", "github.com/pullsecret/pullsecret/cmd/pullsecret"},
		{"docker-credential-" + helperName, "github.com/pullsecret/pullsecret/internal/demohelper"},
	} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, b.out), b.pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", b.pkg, err, out)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), bin, filepath.Join("..", "..", "testdata", "demo"), "", &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"(helper pullsecret-demo)",    // inspect sees the helper-backed entry
		"name: demo-pull",             // convert
		"name: sso-test-",             // delegated: the realm host's secret
		"kubelet tries, in order:",    // match
		"verdict     ok: pulled with", // test-pull
		"/demo/app@sha256:",           // resolve
		`"platform": "linux/arm64"`,   // resolve --platform
		"verdict     forbidden",       // the failure is named
		"registry stopped",            // clean end
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "== live part skipped:") {
		if os.Getenv(clustertest.RequireEnv) != "" {
			t.Fatalf("live part skipped and %s is set:\n%s", clustertest.RequireEnv, out.String())
		}
		t.Log("live part skipped: no control plane binaries")
	} else {
		for _, want := range []string{
			"secret/demo-pull created",                                          // create --apply
			"secret/demo-pull unchanged",                                        // ... again
			"serviceaccount/default configured",                                 // link --apply
			"copied the ServiceAccount's imagePullSecrets into it: [demo-pull]", // admission saw the link
			"rolebinding.rbac.authorization.k8s.io/system:image-puller created",
			"rolebinding.rbac.authorization.k8s.io/system:image-puller configured",
			"rolebinding.rbac.authorization.k8s.io/system:image-puller unchanged", // oc's argument order
			"subjects: ServiceAccount project-a/default, Group system:serviceaccounts:project-a",
			"secret openshift-config/pull-secret",             // login --diff labels the live Secret
			"cluster (secret openshift-config/pull-secret)",   // inspect reads it
			"as before the login",                             // logout restored it, the rest kept
			"demo-user  registry  secret project-a/demo-pull", // match --authfile secret/NAME
			"verdict     ok: pulled with",                     // test-pull --pod
			"live part done",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("demo output lacks %q (live part)", want)
			}
		}
		// diagnose pod/NAME runs when the build has it (exit 0: predicted ok).
		if _, report, ran := strings.Cut(out.String(), "$ pullsecret diagnose pod/web\n"); ran {
			report, _, _ = strings.Cut(report, "\n==")
			if !strings.Contains(report, "web") || !strings.Contains(report, "ok") {
				t.Errorf("diagnose pod/web ran but its report names no pod web predicted ok:\n%s", report)
			}
		}
	}
	if strings.Contains(out.String(), demoPassword) {
		t.Error("demo output shows the password")
	}
}
