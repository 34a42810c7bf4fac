package clustertest_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// RestartAPIServer stops and starts kube-apiserver against the same etcd:
// objects made before survive, a client made before keeps working (same
// address, certificates and token), and the server takes writes again.
func TestRestartAPIServer(t *testing.T) {
	env := clustertest.StartDedicated(t)
	ctx := context.Background()
	c := env.AdminClient()
	alice := env.Client(t, clustertest.Alice)
	ns := env.Namespace(t)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "before"},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)},
	}
	before, err := c.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env.Grant(t, clustertest.Alice, ns, []string{"get"}, []string{"secrets"})
	host := env.Host()

	env.RestartAPIServer(t)
	if env.Host() != host {
		t.Errorf("host after restart %s, before %s", env.Host(), host)
	}
	got, err := c.CoreV1().Secrets(ns).Get(ctx, "before", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get secret after restart with the old client: %v", err)
	}
	if got.UID != before.UID || string(got.Data[corev1.DockerConfigJsonKey]) != `{"auths":{}}` {
		t.Errorf("secret after restart: uid %s data %q, want uid %s", got.UID, got.Data, before.UID)
	}
	// RBAC and tokens survive too.
	if _, err := alice.CoreV1().Secrets(ns).Get(ctx, "before", metav1.GetOptions{}); err != nil {
		t.Errorf("alice's grant after restart: %v", err)
	}
	secret.Name = "after"
	if _, err := c.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Errorf("create after restart: %v", err)
	}
	// A second restart works as the first.
	env.RestartAPIServer(t)
	l, err := c.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(l.Items) != 2 {
		t.Errorf("list after second restart: %d items, %v; want 2", len(l.Items), err)
	}
}

// RestartAPIServer refuses the shared control plane.
func TestRestartAPIServerSharedRefused(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	if err := env.RestartAPIServerErr(); err == nil {
		t.Fatal("RestartAPIServerErr on the shared Env: no error")
	}
}
