package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/secrets"
)

// client connects as identity through a kubeconfig file whose context has
// namespace ns, as a user's would.
func client(t *testing.T, env *clustertest.Env, identity, ns string) *cluster.Client {
	t.Helper()
	c, err := cluster.Options{Kubeconfig: env.Kubeconfig(t, identity, ns)}.Client()
	if err != nil {
		t.Fatal(err)
	}
	if c.Namespace != ns {
		t.Fatalf("client namespace %q, want the context's %q", c.Namespace, ns)
	}
	return c
}

func createSecret(t *testing.T, env *clustertest.Env, s *corev1.Secret) {
	t.Helper()
	if _, err := env.AdminClient().CoreV1().Secrets(s.Namespace).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func livePullSecret(ns, name, payload string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(payload)},
	}
}

// TestLinkServiceAccountConcurrent: two writers link different secrets to
// one ServiceAccount at the same moment, 50 rounds; every secret linked
// must be there at the end of its round.
func TestLinkServiceAccountConcurrent(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	a, b := client(t, env, clustertest.Admin, ns), client(t, env, clustertest.Admin, ns)
	ctx := context.Background()
	const rounds = 50
	lost := 0
	var conflicts [2]int
	for i := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w, c := range []*cluster.Client{a, b} {
			wg.Go(func() {
				var res *cluster.LinkResult
				res, errs[w] = c.LinkServiceAccount(ctx, "", "default", cluster.LinkOptions{
					Secrets: []string{fmt.Sprintf("w%d-%d", w, i)}, Pull: true,
				})
				if res != nil {
					conflicts[w] += res.Conflicts
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
		sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for w := range 2 {
			name := fmt.Sprintf("w%d-%d", w, i)
			if !slices.ContainsFunc(sa.ImagePullSecrets, func(r corev1.LocalObjectReference) bool { return r.Name == name }) {
				lost++
				t.Errorf("round %d: %s lost", i, name)
			}
		}
	}
	sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(sa.ImagePullSecrets); got != 2*rounds || lost != 0 {
		t.Errorf("imagePullSecrets has %d entries (%d lost), want %d", got, lost, 2*rounds)
	}
	t.Logf("%d rounds, 2 writers: %d entries, %d lost, %d conflicts retried", rounds, len(sa.ImagePullSecrets), lost, conflicts[0]+conflicts[1])
}

// TestLinkServiceAccount: warnings for a missing secret and one of another
// type, unchanged on a second link, dry run writes nothing, unlink of an
// OpenShift-managed secret warns.
func TestLinkServiceAccount(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	c := client(t, env, clustertest.Admin, ns)
	createSecret(t, env, livePullSecret(ns, "regcred", `{"auths":{"quay.io":{"auth":"dTpw"}}}`))
	createSecret(t, env, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "opaque"}, Data: map[string][]byte{"k": []byte("v")}})

	res, err := c.LinkServiceAccount(ctx, "", "default", cluster.LinkOptions{Secrets: []string{"regcred", "missing", "opaque"}, Pull: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.String(); got != "serviceaccount/default configured (server dry run)" {
		t.Errorf("dry run result %q", got)
	}
	sa, _ := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if len(sa.ImagePullSecrets) != 0 {
		t.Errorf("dry run wrote %v", sa.ImagePullSecrets)
	}
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "missing does not exist") || !strings.Contains(res.Warnings[1], "is type Opaque") {
		t.Errorf("warnings %q", res.Warnings)
	}

	res, err = c.LinkServiceAccount(ctx, "", "default", cluster.LinkOptions{Secrets: []string{"regcred"}, Pull: true})
	if err != nil || res.Action != cluster.Configured {
		t.Fatalf("link: %v, %v", res, err)
	}
	res, err = c.LinkServiceAccount(ctx, "", "default", cluster.LinkOptions{Secrets: []string{"regcred"}, Pull: true})
	if err != nil || res.Action != cluster.Unchanged {
		t.Fatalf("second link: %v, %v", res, err)
	}
	res, err = c.LinkServiceAccount(ctx, "", "default", cluster.LinkOptions{Secrets: []string{"default-dockercfg-x7k2p"}, Pull: true, Unlink: true})
	if err != nil || res.Action != cluster.Unchanged || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "OpenShift") {
		t.Fatalf("unlink managed: %+v, %v", res, err)
	}
	if _, err := c.LinkServiceAccount(ctx, "", "nosuchsa", cluster.LinkOptions{Secrets: []string{"regcred"}, Pull: true}); !apierrors.IsNotFound(err) {
		t.Errorf("missing ServiceAccount: %v", err)
	}
}

// TestGrantImagePull: two grants with different subjects keep both (the
// bug of kubectl apply), a repeated grant is unchanged, --remove removes
// and deletes an emptied binding.
func TestGrantImagePull(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	c := client(t, env, clustertest.Admin, ns)
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "default", Namespace: "project-a"}
	group := secrets.GroupSubject("system:serviceaccounts:project-c")
	grant := func(remove bool, subjects ...rbacv1.Subject) []cluster.GrantResult {
		t.Helper()
		res, err := c.GrantImagePull(ctx, "", cluster.GrantOptions{Subjects: subjects, Remove: remove})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := grant(false, sa); r[0].Action != cluster.Created || r[0].Name != secrets.ImagePullerRole {
		t.Errorf("first grant: %+v", r)
	}
	if r := grant(false, group); r[0].Action != cluster.Configured || len(r[0].Added) != 1 {
		t.Errorf("second grant: %+v", r)
	}
	if r := grant(false, group, sa); r[0].Action != cluster.Unchanged || r[0].Present != 2 {
		t.Errorf("third grant: %+v", r)
	}
	rb, err := env.AdminClient().RbacV1().RoleBindings(ns).Get(ctx, secrets.ImagePullerRole, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rb.Subjects) != 2 || rb.Subjects[0].Name != "default" || rb.Subjects[1].Name != group.Name {
		t.Errorf("subjects %+v, want both", rb.Subjects)
	}
	if r := grant(true, sa); r[0].Action != cluster.Configured {
		t.Errorf("remove one: %+v", r)
	}
	if r := grant(true, group); r[0].Action != cluster.Deleted {
		t.Errorf("remove last: %+v", r)
	}
	if _, err := env.AdminClient().RbacV1().RoleBindings(ns).Get(ctx, secrets.ImagePullerRole, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("emptied binding not deleted: %v", err)
	}
}

// TestGrantImagePullConcurrent: two writers granting different subjects
// in a namespace with no binding yet, 20 rounds (each a fresh namespace):
// one creates, the other adds, none is lost.
func TestGrantImagePullConcurrent(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	const rounds = 20
	lost := 0
	for i := range rounds {
		ns := env.Namespace(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w := range 2 {
			c := client(t, env, clustertest.Admin, ns)
			wg.Go(func() {
				_, errs[w] = c.GrantImagePull(ctx, "", cluster.GrantOptions{Subjects: []rbacv1.Subject{secrets.UserSubject(fmt.Sprintf("user%d", w))}})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		rb, err := env.AdminClient().RbacV1().RoleBindings(ns).Get(ctx, secrets.ImagePullerRole, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lost += 2 - len(rb.Subjects)
	}
	if lost != 0 {
		t.Errorf("%d subjects lost in %d rounds", lost, rounds)
	}
}

// TestGrantImagePullForbidden: alice, with no rights, gets the API
// server's forbidden error naming what she could not do.
func TestGrantImagePullForbidden(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := client(t, env, clustertest.Alice, ns)
	_, err := c.GrantImagePull(context.Background(), "", cluster.GrantOptions{Subjects: []rbacv1.Subject{secrets.UserSubject("bob")}})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("err = %v, want forbidden", err)
	}
	for _, want := range []string{`"alice"`, "list", "rolebindings", ns} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestEditSecretConcurrent: two writers log in to different registries on
// one pull secret at the same moment, 50 rounds: both entries survive
// every round, and the other entry, labels and annotations are kept.
func TestEditSecretConcurrent(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	s := livePullSecret(ns, "pull-secret", `{"auths":{"cloud.openshift.com":{"auth":"b3BlbnNoaWZ0OnRva2Vu","email":"ops@example.com"}}}`)
	s.Labels = map[string]string{"app": "x"}
	s.Annotations = map[string]string{"note": "keep me"}
	createSecret(t, env, s)
	a, b := client(t, env, clustertest.Admin, ns), client(t, env, clustertest.Admin, ns)
	const rounds = 50
	lost := 0
	var conflicts [2]int
	for i := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w, c := range []*cluster.Client{a, b} {
			wg.Go(func() {
				server := fmt.Sprintf("registry%d.example.com", w)
				var res cluster.EditResult
				defer func() { conflicts[w] += res.Conflicts }()
				res, errs[w] = c.EditSecret(ctx, "", "pull-secret", func(cfg *dockercfg.Config) error {
					cfg.SetLogin(server, fmt.Sprintf("user%d", i), "pw", nil)
					return nil
				}, cluster.EditSecretOptions{})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		got, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "pull-secret", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := dockercfg.Parse(got.Data[corev1.DockerConfigJsonKey])
		if err != nil {
			t.Fatal(err)
		}
		for w := range 2 {
			e := cfg.Entry(fmt.Sprintf("registry%d.example.com", w))
			if e == nil || e.Username != fmt.Sprintf("user%d", i) {
				lost++
				t.Errorf("round %d: writer %d's entry lost: %+v", i, w, e)
			}
		}
		if e := cfg.Entry("cloud.openshift.com"); e == nil || e.Email != "ops@example.com" {
			t.Errorf("round %d: other entry changed", i)
		}
		if got.Labels["app"] != "x" || got.Annotations["note"] != "keep me" {
			t.Errorf("round %d: labels %v annotations %v", i, got.Labels, got.Annotations)
		}
	}
	t.Logf("%d rounds, 2 writers: %d entries lost, %d conflicts retried", rounds, lost, conflicts[0]+conflicts[1])
}

// TestEditSecretRefusesOtherType: a Secret of another type is refused
// before anything is edited; a no-op edit is unchanged.
func TestEditSecretRefusesOtherType(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	createSecret(t, env, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tls"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"k": []byte("v")}})
	createSecret(t, env, livePullSecret(ns, "ps", `{"auths":{"quay.io":{"auth":"dTpw"}}}`))
	c := client(t, env, clustertest.Admin, ns)
	called := false
	_, err := c.EditSecret(ctx, "", "tls", func(*dockercfg.Config) error { called = true; return nil }, cluster.EditSecretOptions{})
	if !errors.Is(err, cluster.ErrNotPullSecret) || called || !strings.Contains(err.Error(), "type Opaque") {
		t.Errorf("err = %v (edit called: %v)", err, called)
	}
	res, err := c.EditSecret(ctx, "", "ps", func(*dockercfg.Config) error { return nil }, cluster.EditSecretOptions{})
	if err != nil || res.Action != cluster.Unchanged {
		t.Errorf("no-op edit: %v, %v", res, err)
	}
}
