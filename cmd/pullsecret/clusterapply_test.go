package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const (
	capPass  = "apply-Cli-Secret-1"
	capPass2 = "apply-Cli-Secret-2"
)

// noSecretsOnStderr fails when stderr holds a password or its base64 forms.
func noSecretsOnStderr(t *testing.T, stderr string, passwords ...string) {
	t.Helper()
	for _, p := range passwords {
		for _, s := range []string{p, base64.StdEncoding.EncodeToString([]byte("robot:" + p)), base64.StdEncoding.EncodeToString([]byte(p))} {
			if strings.Contains(stderr, s) {
				t.Errorf("stderr holds a secret: %s", stderr)
			}
		}
	}
}

// createArgs is "create regcred" for quay.io with the password in $PW.
func createArgs(kubeconfig string, extra ...string) []string {
	return append([]string{"create", "regcred", "--docker-server", "quay.io", "-u", "robot", "--password-env", "PW", "--kubeconfig", kubeconfig}, extra...)
}

// create --apply prints kubectl's lines: created, unchanged, configured,
// -o name; the Secret in the cluster is exactly the one create prints.
func TestCreateApply(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, ns)
	ctx := context.Background()

	steps := []struct {
		pass  string
		extra []string
		want  string
	}{
		{capPass, []string{"--apply"}, "secret/regcred created\n"},
		{capPass, []string{"--apply"}, "secret/regcred unchanged\n"},
		{capPass2, []string{"--apply"}, "secret/regcred configured\n"},
		{capPass2, []string{"--apply", "-o", "name"}, "secret/regcred\n"},
	}
	for i, st := range steps {
		r := runCLI(t, "", map[string]string{"PW": st.pass}, createArgs(kc, st.extra...)...)
		if r.code != 0 || r.stdout != st.want || r.stderr != "" {
			t.Errorf("step %d: exit %d, stdout %q, stderr %q; want %q", i, r.code, r.stdout, r.stderr, st.want)
		}
		noSecretsOnStderr(t, r.stderr, capPass, capPass2)
	}
	got, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	offline := runCLI(t, "", map[string]string{"PW": capPass2}, "create", "regcred", "--docker-server", "quay.io", "-u", "robot", "--password-env", "PW", "-o", "dockerconfigjson")
	if got.Type != corev1.SecretTypeDockerConfigJson || string(got.Data[corev1.DockerConfigJsonKey])+"\n" != offline.stdout {
		t.Errorf("stored Secret %s with payload different from create's", got.Type)
	}
}

// --dry-run=server answers as an apply would and leaves the namespace
// empty; create --dry-run=client still prints the manifest.
func TestCreateDryRunServer(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, ns)
	r := runCLI(t, "", map[string]string{"PW": capPass}, createArgs(kc, "--dry-run=server")...)
	if r.code != 0 || r.stdout != "secret/regcred created (server dry run)\n" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	list, err := env.AdminClient().CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Errorf("--dry-run=server stored %d Secrets", len(list.Items))
	}
	// convert, delegated and merge take it too.
	cfg := writeAuthFile(t, authConfig("quay.io", "robot", capPass))
	for _, args := range [][]string{
		{"convert", "conv", "--authfile", cfg, "--dry-run=server", "--kubeconfig", kc},
		{"merge", "merged", "--authfile", cfg, "--dry-run=server", "--kubeconfig", kc, "-o", "name"},
		{"delegated", "--registry", "quay.io", "--auth-server", "sso.example.com", "-u", "robot", "--password-env", "PW", "--dry-run=server", "--kubeconfig", kc},
	} {
		r := runCLI(t, "", map[string]string{"PW": capPass}, args...)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "secret/") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], r.code, r.stdout, r.stderr)
		}
	}
	if list, _ := env.AdminClient().CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{}); len(list.Items) != 0 {
		t.Errorf("--dry-run=server stored %d Secrets", len(list.Items))
	}
}

// A Secret another field manager wrote: one line naming the manager and the
// field, with the hint --force-conflicts, exit 1; --force-conflicts takes
// it over.
func TestCreateApplyConflict(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, ns)
	theirs := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(authConfig("quay.io", "robot", capPass2))}}
	if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(context.Background(), theirs, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", map[string]string{"PW": capPass}, createArgs(kc, "--apply")...)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != exitError || r.stdout != "" || len(lines) != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"pullsecret: create: apply secret/regcred", `"kubectl-client-side-apply"`, ".data..dockerconfigjson", "--force-conflicts"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("stderr %q lacks %q", lines[0], w)
		}
	}
	noSecretsOnStderr(t, r.stderr, capPass, capPass2)
	r = runCLI(t, "", map[string]string{"PW": capPass}, createArgs(kc, "--apply", "--force-conflicts")...)
	if r.code != 0 || r.stdout != "secret/regcred configured\n" || r.stderr != "" {
		t.Errorf("--force-conflicts: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// --authfile secret/NAME and secrets/A,B read live Secrets in -n; a file
// is still a file; merge writes them back with --apply.
func TestAuthfileSecretRef(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, "")
	mk := func(name, key, pass string) {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(authConfig(key, "robot", pass))}}
		if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mk("a", "quay.io", capPass)
	mk("b", "ghcr.io", capPass2)

	r := runCLI(t, "", nil, "inspect", "--authfile", "secrets/a,b", "-n", ns, "--kubeconfig", kc)
	if r.code != 0 || !strings.Contains(r.stdout, "cluster (secret "+ns+"/a)") || !strings.Contains(r.stdout, "cluster (secret "+ns+"/b)") {
		t.Errorf("inspect: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, capPass) {
		t.Errorf("inspect shows a password without --show-secrets")
	}
	r = runCLI(t, "", nil, "match", "ghcr.io/team/app:1", "--authfile", "secret/a", "--authfile", "secret/b", "-n", ns, "--kubeconfig", kc)
	if r.code != 0 || !strings.Contains(r.stdout, "secret "+ns+"/b") || strings.Contains(r.stdout, "secret "+ns+"/a") {
		t.Errorf("match: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	file := writeAuthFile(t, authConfig("docker.io", "robot", capPass))
	r = runCLI(t, "", nil, "merge", "--authfile", "secret/a", "--authfile", file, "--authfile", "secret/b", "all", "-n", ns, "--kubeconfig", kc, "--apply")
	if r.code != 0 || r.stdout != "secret/all created\n" {
		t.Fatalf("merge --apply: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	got, err := env.AdminClient().CoreV1().Secrets(ns).Get(context.Background(), "all", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	payload := string(got.Data[corev1.DockerConfigJsonKey])
	if !(strings.Index(payload, "quay.io") < strings.Index(payload, "docker.io") && strings.Index(payload, "docker.io") < strings.Index(payload, "ghcr.io")) {
		t.Errorf("merged payload not in source order: %s", strings.Join(strings.Fields(strings.NewReplacer(capPass, "X", capPass2, "Y").Replace(payload)), " "))
	}
	// A missing Secret: exit 1, one line naming it.
	r = runCLI(t, "", nil, "inspect", "--authfile", "secret/nope", "-n", ns, "--kubeconfig", kc)
	if r.code != exitError || !strings.Contains(r.stderr, "get secret "+ns+"/nope") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("missing secret: exit %d, stderr %q", r.code, r.stderr)
	}
}

// alice, with no rights, reading secret/NAME: one line naming the Secret and
// the verb, no secret; after a grant of get, it works.
func TestAuthfileSecretForbidden(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(authConfig("quay.io", "robot", capPass))}}
	if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kc := env.Kubeconfig(t, clustertest.Alice, ns)
	for _, args := range [][]string{
		{"inspect", "--authfile", "secret/regcred"},
		{"match", "quay.io/team/app", "--authfile", "secret/regcred"},
		{"merge", "--authfile", "secret/regcred"},
		{"match", "quay.io/team/app", "--pod", "web"},
	} {
		r := runCLI(t, "", nil, append(args, "--kubeconfig", kc)...)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != exitError || r.stdout != "" || len(lines) != 1 || !strings.Contains(lines[0], "forbidden") || !strings.Contains(lines[0], `cannot get resource`) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
		noSecretsOnStderr(t, r.stderr, capPass)
	}
	env.Grant(t, clustertest.Alice, ns, []string{"get"}, []string{"secrets"})
	if r := runCLI(t, "", nil, "inspect", "--authfile", "secret/regcred", "--kubeconfig", kc); r.code != 0 {
		t.Errorf("after the grant: exit %d, stderr %q", r.code, r.stderr)
	}
}

// match --pod uses exactly the pod's pull secrets, in its order, in -n;
// a missing one is a warning, as the kubelet skips it.
func TestMatchPod(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, "")
	ctx := context.Background()
	for _, n := range []string{"first", "second", "unused"} {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: n}, Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(authConfig("quay.io", "user-"+n, capPass))}}
		if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{
		Containers:       []corev1.Container{{Name: "web", Image: "quay.io/team/web:1"}},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "second"}, {Name: "missing"}, {Name: "first"}},
	}}
	if _, err := env.AdminClient().CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", nil, "match", "quay.io/team/web:1", "--pod", "web", "-n", ns, "--kubeconfig", kc)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	second, first := strings.Index(r.stdout, "user-second"), strings.Index(r.stdout, "user-first")
	if second < 0 || first < 0 || second > first || strings.Contains(r.stdout, "user-unused") {
		t.Errorf("stdout %q: want user-second then user-first, not user-unused", r.stdout)
	}
	if !strings.Contains(r.stderr, "get secret "+ns+"/missing") || !strings.Contains(r.stderr, "the kubelet skips it") {
		t.Errorf("stderr %q lacks the missing secret", r.stderr)
	}
	if r := runCLI(t, "", nil, "match", "quay.io/team/web:1", "--pod", "web", "--authfile", "x.json"); r.code != exitUsage {
		t.Errorf("--pod with --authfile: exit %d, want 2", r.code)
	}
}

// Offline use is unchanged, and a connection flag without a reason to
// connect is a usage error naming what it is for; a file named like a
// reference is read with ./.
func TestClusterFlagsOffline(t *testing.T) {
	t.Parallel()
	cfg := writeAuthFile(t, authConfig("quay.io", "robot", capPass))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--authfile", cfg, "--kubeconfig", "k"}, "inspect: --kubeconfig is used only with --authfile secret/NAME"},
		{[]string{"match", "quay.io/a", "--authfile", cfg, "--context", "c"}, "match: --context is used only with --authfile secret/NAME or --pod"},
		{[]string{"merge", "--authfile", cfg, "--as", "u"}, "merge: --as needs --apply"},
		{[]string{"convert", "x", "--authfile", cfg, "--force-conflicts"}, "convert: --force-conflicts needs --apply"},
		{[]string{"merge", "--authfile", cfg, "--apply"}, "merge: NAME is required with --apply"},
		{[]string{"inspect", "--authfile", "secret/"}, `"secret/": empty secret name`},
	}
	for _, tt := range tests {
		r := runCLI(t, "", nil, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	// ./secret/NAME is a file.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "secret"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret", "regcred"), []byte(authConfig("quay.io", "robot", capPass)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", nil, "inspect", "--authfile", filepath.Join(dir, "secret", "regcred"))
	if r.code != 0 || !strings.Contains(r.stdout, "quay.io") {
		t.Errorf("a file under secret/: exit %d, stderr %q", r.code, r.stderr)
	}
}
