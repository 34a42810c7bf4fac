package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs `make demo`'s program with freshly built binaries: the whole
// main job against the real registry, as the README promises it.
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
	if err := run(context.Background(), bin, filepath.Join("..", "..", "testdata", "demo"), &out); err != nil {
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
	if strings.Contains(out.String(), demoPassword) {
		t.Error("demo output shows the password")
	}
}
