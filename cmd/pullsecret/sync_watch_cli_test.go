package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

func TestSyncWatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sync", "--from", "ns/regcred", "-A", "--watch", "--diff"},
		{"sync", "--from", "ns/regcred", "-A", "--watch", "-o", "json"},
		{"sync", "--from", "ns/regcred", "-A", "--watch", "--dry-run=server"},
		{"sync", "--from", "ns/regcred", "-A", "--print-deploy", "--diff"},
		{"sync", "--print-deploy", "-A"},
	} {
		if r := runCLI(t, "", nil, args...); r.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// --print-deploy is offline (no kubeconfig at all) and carries the sync
// flags with --watch into the Deployment's args.
func TestSyncPrintDeploy(t *testing.T) {
	r := runCLI(t, "", nil, "sync", "--print-deploy", "--from", "ops/regcred", "--namespaces", "team=a", "--link", "default,builder", "--prune", "--image", "example.test/ps:v1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"kind: ServiceAccount", "kind: ClusterRole\n", "kind: ClusterRoleBinding", "kind: Role\n", "kind: RoleBinding", "kind: Deployment",
		"namespace: ops", "image: example.test/ps:v1", "- --namespaces\n        - team=a", "- --link\n        - default,builder", "- --prune", "- --watch",
		"- coordination.k8s.io",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--print-deploy has no %q:\n%s", want, r.stdout)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sync --watch runs until its context ends (SIGTERM in main), prints a line
// per namespace it changes, exits 0, and prints no credential.
func TestSyncWatchCLI(t *testing.T) {
	env := clustertest.StartDedicated(t)
	ctx := context.Background()
	srcNS := env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, "")
	src := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "regcred"},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"quay.io":{"username":"robot","password":"` + syncPass + `"}}}`)},
	}
	if _, err := env.AdminClient().CoreV1().Secrets(srcNS).Create(ctx, src, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(wctx, []string{"pullsecret", "sync", "--from", srcNS + "/regcred", "--namespaces", "watch-cli=yes", "--kubeconfig", kc, "--watch"},
			strings.NewReader(""), &out, &errb, func(string) string { return "" })
	}()
	ns := env.Namespace(t)
	o, err := env.AdminClient().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o.Labels = map[string]string{"watch-cli": "yes"}
	if _, err := env.AdminClient().CoreV1().Namespaces().Update(ctx, o, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), ns+"\tcreated") {
		if time.Now().After(end) {
			t.Fatalf("no created line for %s:\n%s\n%s", ns, out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after cancel:\n%s", code, errb.String())
	}
	if strings.Contains(out.String()+errb.String(), syncPass) {
		t.Error("credential printed")
	}
}
