package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const testKubeconfig = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: one
  context: {cluster: c, user: u, namespace: team-a}
- name: two
  context: {cluster: c, user: u}
users:
- name: u
  user: {token: not-a-real-token}
`

// TestOptionsClient checks kubectl's precedence for the namespace and
// context, impersonation and the rate limit, without a server.
func TestOptionsClient(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(testKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "KUBECONFIG" {
			return path
		}
		return ""
	}
	tests := []struct {
		name      string
		o         Options
		wantNS    string
		wantSet   bool
		wantAs    string
		wantQPS   float32
		wantBurst int
	}{
		{"context namespace", Options{Getenv: env}, "team-a", false, "", DefaultQPS, DefaultBurst},
		{"flag namespace wins", Options{Kubeconfig: path, Namespace: "b"}, "b", true, "", DefaultQPS, DefaultBurst},
		{"context without namespace", Options{Getenv: env, Context: "two"}, "default", false, "", DefaultQPS, DefaultBurst},
		{"impersonation and rate", Options{Getenv: env, As: "alice", AsGroups: []string{"g"}, QPS: 5, Burst: 7}, "team-a", false, "alice", 5, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.o.Client()
			if err != nil {
				t.Fatal(err)
			}
			if c.Namespace != tt.wantNS || c.NamespaceSet != tt.wantSet {
				t.Errorf("namespace %q (set %v), want %q (%v)", c.Namespace, c.NamespaceSet, tt.wantNS, tt.wantSet)
			}
			if c.Config.Impersonate.UserName != tt.wantAs {
				t.Errorf("impersonate %q, want %q", c.Config.Impersonate.UserName, tt.wantAs)
			}
			if c.Config.QPS != tt.wantQPS || c.Config.Burst != tt.wantBurst {
				t.Errorf("QPS/burst %v/%v, want %v/%v", c.Config.QPS, c.Config.Burst, tt.wantQPS, tt.wantBurst)
			}
		})
	}
}

func TestOptionsClientNoConfig(t *testing.T) {
	// No kubeconfig and (in a test process) not in a pod, unless the
	// test itself runs in one.
	if os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		t.Skip("running in a pod")
	}
	_, err := Options{}.Client()
	if !errors.Is(err, ErrNoConfig) {
		t.Fatalf("err = %v, want ErrNoConfig", err)
	}
}

func TestResultLine(t *testing.T) {
	r := Result{Kind: ResourceSecret, Name: "regcred", Action: Configured}
	if got := r.Line(""); got != "secret/regcred configured" {
		t.Errorf("Line = %q", got)
	}
	if got := r.Line("name"); got != "secret/regcred" {
		t.Errorf("Line(name) = %q", got)
	}
	r.DryRun = true
	if got := r.String(); got != "secret/regcred configured (server dry run)" {
		t.Errorf("String = %q", got)
	}
}
