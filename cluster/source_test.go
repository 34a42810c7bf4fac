package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/secrets"
)

func TestParseSecretRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		names   []string
		ok      bool
		wantErr bool
	}{
		{"secret/regcred", []string{"regcred"}, true, false},
		{"secrets/a,b", []string{"a", "b"}, true, false},
		{"secret/a,b", []string{"a", "b"}, true, false},
		{"./secret/regcred", nil, false, false},
		{"config.json", nil, false, false},
		{"/tmp/secret/x", nil, false, false},
		{"-", nil, false, false},
		{"secret/", nil, true, true},
		{"secrets/a,,b", nil, true, true},
		{"secret/Not_Valid", nil, true, true},
	}
	for _, tt := range tests {
		names, ok, err := cluster.ParseSecretRef(tt.in)
		if ok != tt.ok || (err != nil) != tt.wantErr || !cmp.Equal(names, tt.names) {
			t.Errorf("ParseSecretRef(%q) = %v, %v, %v; want %v, %v, error %v", tt.in, names, ok, err, tt.names, tt.ok, tt.wantErr)
		}
	}
}

// create makes Secrets as the admin in ns.
func create(t *testing.T, env *clustertest.Env, ns string, ss ...*corev1.Secret) {
	t.Helper()
	for _, s := range ss {
		if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// sourceNames are the Secret labels of sources, in order.
func sourceNames(srcs []dockercfg.Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Name+" "+s.Secret)
	}
	return out
}

// Live Secrets are read as secrets.ReadSource reads them in a file: pull
// secrets in the order named, the same *SecretError for one of another type
// or with a malformed payload, an *AccessError for one that is missing.
func TestSecretSources(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := adminClient(env, ns)
	ctx := context.Background()
	opaque := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "opaque"}, Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}}
	bad := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"quay.io":{"auth":"bad-Secret-!!"}}}`)}}
	create(t, env, ns, pullSecret("a", "a-Secret-1"), pullSecret("b", "b-Secret-2"), opaque, bad)

	srcs, err := c.SecretSources(ctx, []string{"b", "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cluster " + ns + "/b", "cluster " + ns + "/a"}; !cmp.Equal(sourceNames(srcs), want) {
		t.Errorf("sources %v, want %v", sourceNames(srcs), want)
	}
	if e := srcs[0].Config.Entries; len(e) != 1 || e[0].Password != "b-Secret-2" {
		t.Errorf("secret b: entries %v", e)
	}

	var se *secrets.SecretError
	_, err = c.SecretSources(ctx, []string{"a", "opaque"}, nil)
	if !errors.As(err, &se) || !errors.Is(err, secrets.ErrNotPullSecret) || se.Secret != ns+"/opaque" {
		t.Errorf("Opaque Secret: %v", err)
	}
	if srcs, err := c.SecretSources(ctx, []string{"opaque"}, &secrets.ReadOptions{Opaque: true}); err != nil || len(srcs) != 1 {
		t.Errorf("Opaque Secret with ReadOptions.Opaque: %v, %v", srcs, err)
	}
	_, err = c.SecretSources(ctx, []string{"bad"}, nil)
	if !errors.As(err, &se) || se.Secret != ns+"/bad" || strings.Contains(err.Error(), "bad-Secret-!!") {
		t.Errorf("malformed payload: %v", err)
	}
	var ae *cluster.AccessError
	_, err = c.SecretSources(ctx, []string{"a", "missing"}, nil)
	if !errors.As(err, &ae) || !apierrors.IsNotFound(err) || ae.Name != "missing" {
		t.Errorf("missing Secret: %v", err)
	}
}

// Without the right to get Secrets, the error names the verb and the
// Secret, and is an *AccessError that says it was forbidden.
func TestSecretSourcesForbidden(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	create(t, env, ns, pullSecret("regcred", "hidden-Secret-1"))
	c := &cluster.Client{Clientset: env.Client(t, clustertest.Alice), Namespace: ns}
	_, err := c.SecretSources(context.Background(), []string{"regcred"}, nil)
	var ae *cluster.AccessError
	if !errors.As(err, &ae) || !ae.Forbidden() {
		t.Fatalf("alice reading a Secret: %v, want a forbidden *AccessError", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "get secret "+ns+"/regcred: ") || !strings.Contains(msg, "forbidden") || strings.Contains(msg, "hidden-Secret-1") {
		t.Errorf("error %q", msg)
	}

	env.Grant(t, clustertest.Alice, ns, []string{"get"}, []string{"secrets"})
	if srcs, err := c.SecretSources(context.Background(), []string{"regcred"}, nil); err != nil || len(srcs) != 1 {
		t.Errorf("after the grant: %v, %v", srcs, err)
	}
}

// A pod's own imagePullSecrets, in its order, missing and non-pull Secrets
// skipped as the kubelet skips them; a pod with none uses its
// ServiceAccount's.
func TestPodPullSecrets(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	c := adminClient(env, ns)
	ctx := context.Background()
	tls := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"x": []byte("y")}}
	create(t, env, ns, pullSecret("a", "a-Secret-1"), pullSecret("b", "b-Secret-2"), tls)
	pods := env.AdminClient().CoreV1().Pods(ns)
	mkpod := func(name string, refs ...string) {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "quay.io/team/app:1"}}}}
		for _, r := range refs {
			p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: r})
		}
		if _, err := pods.Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mkpod("own", "b", "missing", "tls", "a")
	mkpod("none") // the default ServiceAccount has no pull secrets yet

	ps, err := c.PodPullSecrets(ctx, "own")
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(ps.Names, []string{"b", "missing", "tls", "a"}) || ps.ServiceAccount != "" {
		t.Errorf("names %v from %q", ps.Names, ps.ServiceAccount)
	}
	if want := []string{"cluster " + ns + "/b", "cluster " + ns + "/a"}; !cmp.Equal(sourceNames(ps.Sources), want) {
		t.Errorf("sources %v, want %v", sourceNames(ps.Sources), want)
	}
	if len(ps.Skipped) != 2 || !apierrors.IsNotFound(ps.Skipped[0]) || !errors.Is(ps.Skipped[1], secrets.ErrNotPullSecret) {
		t.Errorf("skipped %v", ps.Skipped)
	}

	sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "a"}}
	if _, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Update(ctx, sa, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ps, err = c.PodPullSecrets(ctx, "none")
	if err != nil {
		t.Fatal(err)
	}
	if ps.ServiceAccount != "default" || !cmp.Equal(sourceNames(ps.Sources), []string{"cluster " + ns + "/a"}) {
		t.Errorf("pod without pull secrets: from %q, %v", ps.ServiceAccount, sourceNames(ps.Sources))
	}

	var ae *cluster.AccessError
	if _, err := c.PodPullSecrets(ctx, "nosuchpod"); !errors.As(err, &ae) || ae.Resource != "pod" || !apierrors.IsNotFound(err) {
		t.Errorf("missing pod: %v", err)
	}
}
