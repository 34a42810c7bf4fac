package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// TestConvertReportsEachHelper: convert names every entry whose helper
// failed, one line each, not just the first (issue 8, item 17).
func TestConvertReportsEachHelper(t *testing.T) {
	t.Parallel()
	file := writeAuthFile(t, `{"credHelpers":{"a.example":"absent1","b.example":"absent2","c.example":"absent3"}}`)
	r := runCLI(t, "", map[string]string{"PATH": t.TempDir(), "HOME": t.TempDir()}, "convert", "--authfile", file, "-o", "dockerconfigjson")
	if r.code != exitNoCredentials {
		t.Errorf("exit %d, want %d", r.code, exitNoCredentials)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("stderr has %d lines, want one per helper:\n%s", len(lines), r.stderr)
	}
	for i, name := range []string{"absent1", "absent2", "absent3"} {
		if !strings.HasPrefix(lines[i], "pullsecret: convert: ") || !strings.Contains(lines[i], "docker-credential-"+name+" get") {
			t.Errorf("line %d = %q, want a convert error naming docker-credential-%s", i+1, lines[i], name)
		}
	}
}

// inspectSecrets is a SecretList of n pull secrets, each in its own
// namespace and each holding credentials for quay.io, as
// `kubectl get secret -A -o yaml` prints them.
func inspectSecrets(n int) []byte {
	payload := `{"auths":{"quay.io":{"auth":"` + dockercfg.EncodeAuth("robot", "Passw0rd") + `"}}}`
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: regcred\n    namespace: ns%05d\n  type: kubernetes.io/dockerconfigjson\n  stringData:\n    .dockerconfigjson: '%s'\n", i, payload)
	}
	return []byte(b.String())
}

// BenchmarkInspect8000Secrets runs inspect on 8,000 Secrets of one registry
// (issue 8, item 16: 2.1 GB of output and 4 GB of memory before) and reports
// the bytes printed and the allocations.
func BenchmarkInspect8000Secrets(b *testing.B) {
	data := inspectSecrets(8000)
	file := filepath.Join(b.TempDir(), "secrets.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var out countWriter
	for b.Loop() {
		out = 0
		if code := run(b.Context(), []string{"pullsecret", "inspect", "--authfile", file}, strings.NewReader(""), &out, &out, func(string) string { return "" }); code != 0 {
			b.Fatalf("inspect exit %d", code)
		}
	}
	b.ReportMetric(float64(len(data)), "input-bytes")
	b.ReportMetric(float64(out), "output-bytes")
}

// countWriter counts what is written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
