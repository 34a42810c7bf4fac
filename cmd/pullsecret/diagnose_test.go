package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const diagDir = "testdata/diagnose"

func diagFile(name string) string { return filepath.Join(diagDir, name) }

func TestDiagnoseCLIText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		want     []string // lines (trimmed) that stdout must contain
	}{
		{
			name:     "deployment with service account secrets",
			args:     []string{"-f", diagFile("deploy-sa.yaml")},
			wantCode: exitOK,
			want: []string{
				"Deployment shop/web  (testdata/diagnose/deploy-sa.yaml)",
				"pull secrets: regcred (from ServiceAccount builder)",
				"container app: registry.example.com/shop/web:1.2  pullPolicy IfNotPresent (default)  -> ok",
				`credential 1: registry.example.com  user "alice"  from secret shop/regcred  (registry)`,
				"container sidecar: registry.example.com/shop/proxy@sha256:" + strings.Repeat("0", 64) + "  pullPolicy IfNotPresent (default)  -> ok",
			},
		},
		{
			name:     "pod secrets missing, opaque and token-only",
			args:     []string{"-f", diagFile("pods.yaml")},
			wantCode: exitOK,
			want: []string{
				"pull secrets: gone, opaque, regcred, tokenonly",
				"container app: registry.example.com/shop/web:latest  pullPolicy Always (default)  -> ok",
				"warning: secret shop/gone is not in the input: the kubelet skips a missing secret, and the pull may fail",
				"container hub: nginx  pullPolicy IfNotPresent  -> unknown",
				"error: secret shop/gone is not in the input: the kubelet skips a missing secret, and the pull may fail",
				"container tok: tokens.example.com/x/y:2  pullPolicy IfNotPresent (default)  -> unknown",
			},
		},
		{
			name:     "malformed secret fails the pod",
			args:     []string{"-f", diagFile("malformed.yaml")},
			wantCode: exitError,
			want: []string{
				"container app: registry.example.com/shop/web:1.2  pullPolicy IfNotPresent (default)  -> fail",
				"container public: busybox:1.36  pullPolicy IfNotPresent (default)  -> fail",
			},
		},
		{
			name:     "cronjob with init container and node config, manifests on stdin",
			args:     []string{"--node-config", diagFile("node-config.json"), "-f", "-"},
			stdin:    readFixture(t, "cronjob.yaml"),
			wantCode: exitOK,
			want: []string{
				"CronJob ops/nightly  (-)",
				"pull secrets: none (ServiceAccount default)",
				"init container fetch: quay.io/ops/fetcher:latest  pullPolicy Always (default)  -> ok",
				`credential 1: quay.io/ops  user "robot"  from node config testdata/diagnose/node-config.json  (path-prefix)`,
				"container run: quay.io/ops/runner:2.0  pullPolicy Always  -> ok",
			},
		},
		{
			name:     "cronjob without node config is anonymous",
			args:     []string{"-f", diagFile("cronjob.yaml")},
			wantCode: exitOK,
			want:     []string{"container run: quay.io/ops/runner:2.0  pullPolicy Always  -> anonymous"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.stdin, nil, append([]string{"diagnose"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(r.stdout, "\n") {
				lines[strings.TrimSpace(l)] = true
			}
			for _, w := range tt.want {
				if !lines[w] {
					t.Errorf("stdout lacks line %q:\n%s", w, r.stdout)
				}
			}
			if tt.wantCode != exitOK && strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", r.stderr)
			}
			for _, secret := range []string{"s3cret-Alice", "n0de-Pass", "tok-Secret-9"} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("output leaks %q", secret)
				}
			}
		})
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(diagFile(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDiagnoseCLIJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "diagnose", "-o", "json", "-f", diagFile("deploy-sa.yaml"))
	if r.code != exitOK {
		t.Fatalf("exit %d; stderr: %s", r.code, r.stderr)
	}
	var got any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	saNote := map[string]any{"severity": "note", "message": "imagePullSecrets come from ServiceAccount shop/builder: they are copied into a pod only when it is created, so existing pods keep what they had"}
	cred := map[string]any{"key": "registry.example.com", "matchedKey": "registry.example.com", "username": "alice", "source": "secret shop/regcred", "reason": "registry"}
	ctr := func(name, image string) map[string]any {
		return map[string]any{
			"name": name, "type": "container", "image": image, "pullPolicy": "IfNotPresent", "pullPolicyDefaulted": true,
			"pullSecrets": []any{"regcred"}, "credentials": []any{cred}, "prediction": "ok", "problems": []any{saNote},
		}
	}
	want := map[string]any{"apiVersion": "pullsecret.dev/v1", "kind": "DiagnoseReport", "pods": []any{map[string]any{
		"namespace": "shop", "name": "web", "kind": "Deployment", "file": diagFile("deploy-sa.yaml"),
		"serviceAccount": "builder", "pullSecretsFrom": "serviceaccount",
		"containers": []any{
			ctr("app", "registry.example.com/shop/web:1.2"),
			ctr("sidecar", "registry.example.com/shop/proxy@sha256:"+strings.Repeat("0", 64)),
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

func TestDiagnoseCLIErrors(t *testing.T) {
	t.Parallel()
	notYAML := writeFile(t, "bad.yaml", "a: [b\n")
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantInErr string
	}{
		{"not yaml", []string{"-f", notYAML}, exitError, "invalid YAML"},
		{"missing file", []string{"-f", filepath.Join(t.TempDir(), "nope.yaml")}, exitError, "read manifests"},
		{"bad node config", []string{"-f", diagFile("cronjob.yaml"), "--node-config", notYAML}, exitError, "--node-config"},
		{"unknown output", []string{"-o", "yaml", "-f", diagFile("pods.yaml")}, exitUsage, "--output"},
		{"no -f", nil, exitUsage, "no manifests given"},
		{"positional argument", []string{"-f", diagFile("pods.yaml"), "extra"}, exitUsage, "unexpected argument"},
		{"stdin twice", []string{"-f", "-", "--node-config", "-"}, exitUsage, "more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "apiVersion: v1\nkind: List\nitems: []\n", nil, append([]string{"diagnose"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "pullsecret: ") || !strings.Contains(r.stderr, tt.wantInErr) {
				t.Errorf("stderr = %q, want one line with %q", r.stderr, tt.wantInErr)
			}
		})
	}
}

func TestDiagnoseCLIVerify(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	secret := func(name, pass string) string {
		payload := authConfig(env.RegistryHost, "alice", pass)
		return fmt.Sprintf("---\napiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: ns}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n",
			name, base64.StdEncoding.EncodeToString([]byte(payload)))
	}
	pod := func(name, secretName string) string {
		return fmt.Sprintf("---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: ns}\nspec:\n  imagePullSecrets: [{name: %s}]\n  containers: [{name: app, image: %s/team/app:1}]\n",
			name, secretName, env.RegistryHost)
	}
	tests := []struct {
		name        string
		manifests   string
		wantCode    int
		wantVerdict string
		wantPredict string
	}{
		{"good secret", secret("good", tpAlicePass) + pod("p", "good"), exitOK, "ok", "ok"},
		{"wrong password", secret("wrong", tpWrongPass) + pod("p", "wrong"), exitError, "unauthorized", "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := writeFile(t, "m.yaml", tt.manifests)
			args := append([]string{"diagnose", "--verify", "-o", "json", "-f", f}, netArgs(env, true)...)
			r := runCLI(t, "", nil, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			var doc struct {
				Pods []struct {
					Containers []struct{ Prediction, Verdict string }
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Pods) != 1 || len(doc.Pods[0].Containers) != 1 {
				t.Fatalf("report: %s", r.stdout)
			}
			c := doc.Pods[0].Containers[0]
			if c.Verdict != tt.wantVerdict || c.Prediction != tt.wantPredict {
				t.Errorf("verdict %q prediction %q, want %q %q", c.Verdict, c.Prediction, tt.wantVerdict, tt.wantPredict)
			}
			for _, s := range []string{tpAlicePass, tpWrongPass} {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("output leaks a password")
				}
			}
		})
	}
}

// TestDiagnoseNotesOncePerPod: a finding about the pod (its ServiceAccount
// missing from the input) is printed once, not under every container.
func TestDiagnoseNotesOncePerPod(t *testing.T) {
	t.Parallel()
	const pod = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  initContainers: [{name: init, image: "docker.io/library/busybox:1"}]
  containers: [{name: a, image: "docker.io/library/nginx:1"}, {name: b, image: "docker.io/library/redis:7"}]
`
	r := runCLI(t, pod, nil, "diagnose", "-f", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "ServiceAccount shop/default is not in the input"); n != 1 {
		t.Errorf("the ServiceAccount note is printed %d times, want once:\n%s", n, r.stdout)
	}
	// Each container's own finding stays under it.
	for _, img := range []string{"docker.io/library/busybox", "docker.io/library/nginx", "docker.io/library/redis"} {
		if n := strings.Count(r.stdout, "no credential matches "+img); n != 1 {
			t.Errorf("the note for %s is printed %d times, want once:\n%s", img, n, r.stdout)
		}
	}
}
