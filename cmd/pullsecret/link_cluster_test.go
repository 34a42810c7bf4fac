package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// liveEnv is the environment of a CLI run against the test control plane
// as identity, whose kubeconfig context has namespace ns.
func liveEnv(t *testing.T, cp *clustertest.Env, identity, ns string) map[string]string {
	t.Helper()
	return map[string]string{"KUBECONFIG": cp.Kubeconfig(t, identity, ns)}
}

func liveCreateSecret(t *testing.T, cp *clustertest.Env, s *corev1.Secret) {
	t.Helper()
	if _, err := cp.AdminClient().CoreV1().Secrets(s.Namespace).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func livePullSecrets(t *testing.T, cp *clustertest.Env, ns, sa string) []string {
	t.Helper()
	got, err := cp.AdminClient().CoreV1().ServiceAccounts(ns).Get(context.Background(), sa, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got.ImagePullSecrets {
		names = append(names, r.Name)
	}
	return names
}

// TestLinkApply: link --apply edits the live ServiceAccount, prints
// kubectl's result line, warns about a missing secret and one of another
// type; a second link is unchanged; --dry-run=server stores nothing; -o
// name; unlink of OpenShift's generated secret warns.
func TestLinkApply(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	env := liveEnv(t, cp, clustertest.Admin, ns)
	liveCreateSecret(t, cp, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"quay.io":{"auth":"dTpw"}}}`)},
	})
	liveCreateSecret(t, cp, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tls"}, Data: map[string][]byte{"k": []byte("v")}})

	r := runCLI(t, "", env, "link", "default", "regcred", "--apply", "--dry-run=server")
	if r.code != 0 || r.stdout != "serviceaccount/default configured (server dry run)\n" {
		t.Fatalf("dry run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := livePullSecrets(t, cp, ns, "default"); len(got) != 0 {
		t.Fatalf("dry run stored %v", got)
	}
	r = runCLI(t, "", env, "link", "default", "regcred", "nosuch", "secret/tls", "--apply")
	if r.code != 0 || r.stdout != "serviceaccount/default configured\n" {
		t.Fatalf("link: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"secret " + ns + "/nosuch does not exist", "secret " + ns + "/tls is type Opaque", "existing pods keep"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if got := livePullSecrets(t, cp, ns, "default"); !slices.Equal(got, []string{"regcred", "nosuch", "tls"}) {
		t.Errorf("imagePullSecrets %v", got)
	}
	r = runCLI(t, "", env, "link", "default", "regcred", "--apply", "-o", "name")
	if r.code != 0 || r.stdout != "serviceaccount/default\n" {
		t.Errorf("-o name: exit %d, stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "", env, "link", "default", "regcred", "--apply")
	if r.stdout != "serviceaccount/default unchanged\n" {
		t.Errorf("second link: stdout %q", r.stdout)
	}
	r = runCLI(t, "", env, "unlink", "default", "tls", "nosuch", "default-dockercfg-ab12c", "--apply")
	if r.code != 0 || r.stdout != "serviceaccount/default configured\n" || !strings.Contains(r.stderr, "OpenShift") || !strings.Contains(r.stderr, `"default-dockercfg-ab12c" is not linked`) {
		t.Errorf("unlink: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := livePullSecrets(t, cp, ns, "default"); !slices.Equal(got, []string{"regcred"}) {
		t.Errorf("after unlink: imagePullSecrets %v", got)
	}
	// -n overrides the context's namespace; a ServiceAccount that does not
	// exist is an error naming it.
	r = runCLI(t, "", env, "link", "default", "regcred", "--apply", "-n", "nosuchns")
	if r.code != 1 || !strings.Contains(r.stderr, "nosuchns/default") || !strings.Contains(r.stderr, "not found") {
		t.Errorf("missing SA: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestLinkApplyConcurrent: two CLI runs link different secrets to one
// ServiceAccount at the same moment, 50 rounds: nothing lost.
func TestLinkApplyConcurrent(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	env := liveEnv(t, cp, clustertest.Admin, ns)
	const rounds = 50
	lost := 0
	for i := range rounds {
		var wg sync.WaitGroup
		results := make([]result, 2)
		for w := range 2 {
			wg.Go(func() { results[w] = runCLI(t, "", env, "link", "default", fmt.Sprintf("s%d-%d", w, i), "--apply") })
		}
		wg.Wait()
		for w, r := range results {
			if r.code != 0 {
				t.Fatalf("round %d writer %d: exit %d: %s", i, w, r.code, r.stderr)
			}
		}
		got := livePullSecrets(t, cp, ns, "default")
		for w := range 2 {
			if !slices.Contains(got, fmt.Sprintf("s%d-%d", w, i)) {
				lost++
			}
		}
	}
	if got := livePullSecrets(t, cp, ns, "default"); len(got) != 2*rounds || lost != 0 {
		t.Errorf("%d entries, %d lost; want %d, 0", len(got), lost, 2*rounds)
	}
}

// TestLinkApplyFlags: connection flags and --dry-run are checked before
// anything runs.
func TestLinkApplyFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"link", "default", "a", "--kubeconfig", "x"}, "--kubeconfig needs --apply"},
		{[]string{"link", "default", "a", "--apply", "-f", "sa.yaml"}, "-f and --apply"},
		{[]string{"link", "default", "a", "--apply", "-o", "yaml"}, "with --apply want name"},
		{[]string{"link", "default", "a", "--apply", "--dry-run=client"}, "--apply and --dry-run=client"},
		{[]string{"link", "default", "a", "--dry-run=later"}, "want none, client or server"},
	}
	for _, tt := range tests {
		r := runCLI(t, "", nil, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}
