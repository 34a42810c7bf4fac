package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// pullSecret is a kubernetes.io/dockerconfigjson Secret whose payload holds
// password for quay.io.
func pullSecret(name, password string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(
			`{"auths":{"quay.io":{"username":"robot","password":"` + password + `","auth":"` +
				b64("robot:"+password) + `"}}}`)},
	}
}

// adminClient is a cluster.Client of the admin in namespace ns.
func adminClient(env *clustertest.Env, ns string) *cluster.Client {
	return &cluster.Client{Clientset: env.AdminClient(), Namespace: ns, Config: env.AdminConfig()}
}

// ApplySecret reports created, then unchanged for the same Secret (the
// server's resourceVersion did not move), then configured for a new
// payload, and the fields it sets belong to field manager pullsecret.
func TestApplySecretCreatedUnchangedConfigured(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := adminClient(env, ns)
	ctx := context.Background()

	steps := []struct {
		password string
		want     cluster.Action
	}{
		{"first-Secret-1", cluster.Created},
		{"first-Secret-1", cluster.Unchanged},
		{"second-Secret-2", cluster.Configured},
		{"second-Secret-2", cluster.Unchanged},
	}
	var lastRV string
	for i, st := range steps {
		res, err := c.ApplySecret(ctx, pullSecret("regcred", st.password), cluster.ApplyOptions{})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Action != st.want || res.Namespace != ns || res.String() != "secret/regcred "+string(st.want) {
			t.Errorf("step %d: %+v (%q), want %s", i, res, res.String(), st.want)
		}
		got, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got.Data[corev1.DockerConfigJsonKey]), st.password) {
			t.Errorf("step %d: stored payload lacks the new password", i)
		}
		if (st.want == cluster.Unchanged) != (got.ResourceVersion == lastRV) {
			t.Errorf("step %d: resourceVersion %s after %s, was %s", i, got.ResourceVersion, st.want, lastRV)
		}
		lastRV = got.ResourceVersion
		managers := map[string]metav1.ManagedFieldsOperationType{}
		for _, mf := range got.ManagedFields {
			managers[mf.Manager] = mf.Operation
		}
		if managers[cluster.FieldManager] != metav1.ManagedFieldsOperationApply || len(managers) != 1 {
			t.Errorf("step %d: managed fields %v, want only %s (Apply)", i, managers, cluster.FieldManager)
		}
	}
}

// --dry-run=server: the server answers as for a real apply and stores
// nothing, neither a new Secret nor a change to an existing one.
func TestApplySecretDryRunServer(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := adminClient(env, ns)
	ctx := context.Background()
	dry := cluster.ApplyOptions{DryRun: true}

	res, err := c.ApplySecret(ctx, pullSecret("regcred", "dry-Secret-1"), dry)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != cluster.Created || res.String() != "secret/regcred created (server dry run)" {
		t.Errorf("dry run of a new Secret: %q", res.String())
	}
	list, err := env.AdminClient().CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Fatalf("dry run stored %d Secrets", len(list.Items))
	}

	if _, err := c.ApplySecret(ctx, pullSecret("regcred", "real-Secret-1"), cluster.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
	for _, tt := range []struct {
		password string
		want     cluster.Action
	}{{"real-Secret-1", cluster.Unchanged}, {"changed-Secret-2", cluster.Configured}} {
		res, err := c.ApplySecret(ctx, pullSecret("regcred", tt.password), dry)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != tt.want || !res.DryRun {
			t.Errorf("dry run with %s: %+v, want %s", tt.password, res, tt.want)
		}
	}
	after, _ := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
	if after.ResourceVersion != before.ResourceVersion || string(after.Data[corev1.DockerConfigJsonKey]) != string(before.Data[corev1.DockerConfigJsonKey]) {
		t.Errorf("dry run changed the stored Secret")
	}
}

// A field another manager set (kubectl's client-side create/update) is a
// *ConflictError naming that manager and the field, without the payload;
// Force takes the field over.
func TestApplySecretConflict(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := adminClient(env, ns)
	ctx := context.Background()
	theirs := pullSecret("regcred", "theirs-Secret-1")
	theirs.Namespace = ns
	if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(ctx, theirs, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ApplySecret(ctx, pullSecret("regcred", "ours-Secret-2"), cluster.ApplyOptions{})
	var ce *cluster.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, cluster.ErrConflict) {
		t.Fatalf("apply over another manager's field: %v, want a *ConflictError", err)
	}
	if len(ce.Conflicts) != 1 || ce.Conflicts[0].Manager != "kubectl-client-side-apply" || ce.Conflicts[0].Field != ".data..dockerconfigjson" {
		t.Errorf("conflicts %+v", ce.Conflicts)
	}
	msg := err.Error()
	for _, w := range []string{"secret/regcred", `"kubectl-client-side-apply"`, ".data..dockerconfigjson", "--force-conflicts"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	for _, s := range []string{"theirs-Secret-1", "ours-Secret-2", b64("robot:ours-Secret-2"), b64("robot:theirs-Secret-1")} {
		if strings.Contains(msg, s) {
			t.Errorf("error holds a secret: %q", msg)
		}
	}

	res, err := c.ApplySecret(ctx, pullSecret("regcred", "ours-Secret-2"), cluster.ApplyOptions{Force: true})
	if err != nil || res.Action != cluster.Configured {
		t.Fatalf("forced apply: %+v, %v", res, err)
	}
	got, _ := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
	if !strings.Contains(string(got.Data[corev1.DockerConfigJsonKey]), "ours-Secret-2") {
		t.Errorf("forced apply did not store the payload")
	}
	// Now pullsecret's: a second apply has no conflict.
	if res, err := c.ApplySecret(ctx, pullSecret("regcred", "ours-Secret-2"), cluster.ApplyOptions{}); err != nil || res.Action != cluster.Unchanged {
		t.Errorf("apply after the takeover: %+v, %v", res, err)
	}
}

// A user without rights gets the server's refusal, naming the Secret.
func TestApplySecretForbidden(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := &cluster.Client{Clientset: env.Client(t, clustertest.Alice), Namespace: ns}
	_, err := c.ApplySecret(context.Background(), pullSecret("regcred", "alice-Secret-1"), cluster.ApplyOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("apply as alice: %v, want forbidden", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "apply secret/regcred") || !strings.Contains(msg, "patch") || strings.Contains(msg, "alice-Secret-1") {
		t.Errorf("error %q", msg)
	}
}
