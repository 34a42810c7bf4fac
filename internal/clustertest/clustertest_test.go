package clustertest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// The admin may create a namespace, a ServiceAccount and a pull Secret, and
// read them back as stored by the server.
func TestAdminCreatesObjects(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ctx := context.Background()
	c := env.AdminClient()
	ns := env.Namespace(t)

	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"}}
	if _, err := c.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create serviceaccount: %v", err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "regcred"},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)},
	}
	if _, err := c.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create secret: %v", err)
	}
	got, err := c.CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get secret: %v", err)
	}
	if got.Type != corev1.SecretTypeDockerConfigJson || string(got.Data[corev1.DockerConfigJsonKey]) != `{"auths":{}}` {
		t.Errorf("secret read back as type %q data %q", got.Type, got.Data)
	}
	// The API server validates: a dockerconfigjson Secret without its key is refused.
	bad := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Type: corev1.SecretTypeDockerConfigJson}
	if _, err := c.CoreV1().Secrets(ns).Create(ctx, bad, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("create dockerconfigjson secret without payload: got %v, want Invalid", err)
	}
	if _, err := c.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Errorf("Namespace did not create the default ServiceAccount: %v", err)
	}
}

// Alice has no rights: list secrets is 403 until Grant, then allowed — in
// that namespace only, and for her only.
func TestRBACForbiddenUntilGranted(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	other := env.Namespace(t)
	alice := env.Client(t, clustertest.Alice)

	if _, err := alice.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("alice lists secrets before the grant: got %v, want Forbidden", err)
	}
	env.Grant(t, clustertest.Alice, ns, []string{"get", "list"}, []string{"secrets"})
	if _, err := alice.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("alice lists secrets after the grant: %v", err)
	}
	if _, err := alice.CoreV1().Secrets(other).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("alice lists secrets in another namespace: got %v, want Forbidden", err)
	}
	if _, err := alice.CoreV1().ServiceAccounts(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("alice lists serviceaccounts (not granted): got %v, want Forbidden", err)
	}
	bob := env.Client(t, clustertest.Bob)
	if _, err := bob.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("bob lists secrets: got %v, want Forbidden", err)
	}

	// A resource of another API group, and a cluster-wide grant.
	env.Grant(t, clustertest.Bob, "", []string{"list"}, []string{"rolebindings.rbac.authorization.k8s.io"})
	if _, err := bob.RbacV1().RoleBindings(other).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("bob lists rolebindings after a cluster-wide grant: %v", err)
	}
	// A subresource: Grant returns once the authorizer allows it.
	env.Grant(t, clustertest.Bob, ns, []string{"get"}, []string{"imagestreams/layers.image.openshift.io"})
}

// The admin may impersonate a user (kubectl's --as), who then has only the
// user's rights.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	cfg := env.AdminConfig()
	cfg.Impersonate = rest.ImpersonationConfig{UserName: clustertest.Alice, Groups: []string{clustertest.AliceGroup}}
	asAlice, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = asAlice.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("admin as alice lists secrets: got %v, want Forbidden", err)
	}
	// Alice herself may not impersonate.
	cfg = env.UserConfig(clustertest.Alice)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: clustertest.Admin}
	aliceAsAdmin, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aliceAsAdmin.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("alice as admin lists secrets: got %v, want Forbidden", err)
	}
}

// Server-side apply with field managers: a second manager changing a field
// the first owns gets a conflict, and takes it over with force.
func TestServerSideApply(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	secrets := env.AdminClient().CoreV1().Secrets(ns)

	apply := func(manager, user string, force bool) (*corev1.Secret, error) {
		ac := corev1ac.Secret("regcred", ns).
			WithType(corev1.SecretTypeDockerConfigJson).
			WithStringData(map[string]string{corev1.DockerConfigJsonKey: `{"auths":{"` + user + `":{}}}`})
		return secrets.Apply(ctx, ac, metav1.ApplyOptions{FieldManager: manager, Force: force})
	}
	first, err := apply("pullsecret", "a", false)
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	again, err := apply("pullsecret", "a", false)
	if err != nil {
		t.Fatalf("same apply again: %v", err)
	}
	if again.ResourceVersion != first.ResourceVersion {
		t.Errorf("an identical apply changed the object: resourceVersion %s → %s", first.ResourceVersion, again.ResourceVersion)
	}
	if _, err := apply("other", "b", false); !apierrors.IsConflict(err) {
		t.Fatalf("apply by another manager changing an owned field: got %v, want Conflict", err)
	}
	forced, err := apply("other", "b", true)
	if err != nil {
		t.Fatalf("forced apply: %v", err)
	}
	if got := string(forced.Data[corev1.DockerConfigJsonKey]); got != `{"auths":{"b":{}}}` {
		t.Errorf("after forced apply data = %s", got)
	}
	var managers []string
	for _, mf := range forced.ManagedFields {
		managers = append(managers, mf.Manager)
	}
	if !slices.Contains(managers, "other") {
		t.Errorf("managers after forced apply = %v, want other among them", managers)
	}
}

// The kubeconfig file works with client-go's clientcmd loading rules, as
// kubectl and the CLI load it: server, CA, token and the context's
// namespace.
func TestKubeconfig(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ctx := context.Background()
	ns := env.Namespace(t)

	for _, tc := range []struct {
		identity      string
		wantForbidden bool
	}{
		{clustertest.Admin, false},
		{clustertest.Alice, true},
	} {
		t.Run(tc.identity, func(t *testing.T) {
			path := env.Kubeconfig(t, tc.identity, ns)
			loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
				&clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, &clientcmd.ConfigOverrides{})
			gotNS, _, err := loader.Namespace()
			if err != nil || gotNS != ns {
				t.Errorf("namespace from kubeconfig = %q, %v; want %q", gotNS, err, ns)
			}
			cfg, err := loader.ClientConfig()
			if err != nil {
				t.Fatalf("load kubeconfig: %v", err)
			}
			if cfg.Insecure || len(cfg.CAData) == 0 {
				t.Errorf("kubeconfig does not verify the server with its CA (insecure %v, %d bytes of CA)", cfg.Insecure, len(cfg.CAData))
			}
			c, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CoreV1().Secrets(gotNS).List(ctx, metav1.ListOptions{})
			if tc.wantForbidden != apierrors.IsForbidden(err) || (!tc.wantForbidden && err != nil) {
				t.Errorf("list secrets as %s: %v (want forbidden: %v)", tc.identity, err, tc.wantForbidden)
			}
		})
	}
}

// Pods can be created (the ServiceAccount admission plugin finds the
// default ServiceAccount) and stay Pending: nothing schedules or runs them.
func TestPodWithoutKubelet(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			Containers:       []corev1.Container{{Name: "web", Image: "registry.example.com/team/web:1"}},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}},
		},
	}
	got, err := env.AdminClient().CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	if got.Spec.ServiceAccountName != "default" || got.Status.Phase != corev1.PodPending {
		t.Errorf("pod: serviceAccountName %q, phase %q; want default, Pending", got.Spec.ServiceAccountName, got.Status.Phase)
	}
}

// A dedicated control plane sees only its own namespaces.
func TestStartDedicated(t *testing.T) {
	t.Parallel()
	shared := clustertest.Start(t)
	sharedNS := shared.Namespace(t)
	env := clustertest.StartDedicated(t)
	if env.Host() == shared.Host() {
		t.Fatalf("dedicated control plane has the shared one's address %s", env.Host())
	}
	own := env.Namespace(t)
	list, err := env.AdminClient().CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	if !slices.Contains(names, own) || slices.Contains(names, sharedNS) {
		t.Errorf("dedicated control plane namespaces = %v; want %s and not %s", names, own, sharedNS)
	}
}

// The control plane has OpenShift's system:image-puller ClusterRole: a
// RoleBinding to it gives its subjects get on imagestreams/layers.
func TestImagePullerRole(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "system:image-puller"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clustertest.ImagePullerRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: clustertest.AliceGroup}},
	}
	if _, err := env.AdminClient().RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: clustertest.Alice, Groups: []string{clustertest.AliceGroup},
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: ns, Verb: "get", Group: "image.openshift.io", Resource: "imagestreams", Subresource: "layers",
		},
	}}
	// The authorizer sees the new binding through a watch: poll (bounded).
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := env.AdminClient().AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.Allowed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("team-a may not get imagestreams/layers after binding %s: %+v", clustertest.ImagePullerRole, got.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The API server reports its real version (make controlplane stamps it as
// Kubernetes' build does): kubectl and discovery clients parse it.
func TestServerVersion(t *testing.T) {
	t.Parallel()
	env := clustertest.Start(t)
	v, err := env.AdminClient().Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.GitVersion, "v1.37.") || v.Major != "1" || v.Minor != "37" {
		t.Errorf("server version %q (major %q, minor %q), want v1.37.x: build kube-apiserver with make controlplane", v.GitVersion, v.Major, v.Minor)
	}
}
