package secrets

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestParseSubject(t *testing.T) {
	t.Parallel()
	sa := func(ns, name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "ServiceAccount", Name: name, Namespace: ns}
	}
	group := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: name}
	}
	user := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: name}
	}
	tests := []struct {
		in      string
		want    rbacv1.Subject
		wantErr bool
	}{
		{"system:serviceaccount:project-a:default", sa("project-a", "default"), false},
		{"system:serviceaccount:ci:builder.bot", sa("ci", "builder.bot"), false},
		{"system:serviceaccounts:project-a", group("system:serviceaccounts:project-a"), false},
		{"system:serviceaccounts", group("system:serviceaccounts"), false},
		{"system:authenticated", group("system:authenticated"), false},
		{"alice", user("alice"), false},
		{"alice@example.com", user("alice@example.com"), false},
		{"", rbacv1.Subject{}, true},
		{" ", rbacv1.Subject{}, true},
		{"system:serviceaccount:project-a", rbacv1.Subject{}, true},
		{"system:serviceaccount:Bad_NS:default", rbacv1.Subject{}, true},
		{"system:serviceaccount:ns:", rbacv1.Subject{}, true},
		{"system:serviceaccount:ns:a:b", rbacv1.Subject{}, true},
		{"system:serviceaccounts:", rbacv1.Subject{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSubject(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidSubject) {
					t.Fatalf("ParseSubject(%q) = %+v, %v; want ErrInvalidSubject", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestImagePullerBinding(t *testing.T) {
	t.Parallel()
	// The object oc policy add-role-to-user system:image-puller
	// system:serviceaccount:project-a:default -n project-b creates.
	const want = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: system:image-puller
  namespace: project-b
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:image-puller
subjects:
- kind: ServiceAccount
  name: default
  namespace: project-a
`
	s, err := ParseSubject("system:serviceaccount:project-a:default")
	if err != nil {
		t.Fatal(err)
	}
	rb := ImagePullerBinding("project-b", "", []rbacv1.Subject{s, s})
	var buf bytes.Buffer
	if err := Encode(&buf, OutputYAML, rb); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	named := ImagePullerBinding("ns", "pullers", []rbacv1.Subject{UserSubject("a"), GroupSubject("a"), UserSubject("a")})
	if named.Name != "pullers" || len(named.Subjects) != 2 {
		t.Errorf("named binding: %s with %d subjects, want pullers with 2", named.Name, len(named.Subjects))
	}
}

func TestAddSubjects(t *testing.T) {
	t.Parallel()
	sa := rbacv1.Subject{Kind: "ServiceAccount", Name: "default", Namespace: "a"}
	// oc compares kind, name and namespace: the same ServiceAccount with an
	// apiGroup is already bound.
	saGroup := sa
	saGroup.APIGroup = "rbac.authorization.k8s.io"
	got, added := AddSubjects([]rbacv1.Subject{sa, UserSubject("alice")}, []rbacv1.Subject{saGroup, GroupSubject("alice"), UserSubject("alice"), GroupSubject("alice")})
	want := []rbacv1.Subject{sa, UserSubject("alice"), GroupSubject("alice")}
	if diff := cmp.Diff(want, got); diff != "" || added != 1 {
		t.Errorf("added %d, want 1; (-want +got):\n%s", added, diff)
	}
}

func TestAddImagePullers(t *testing.T) {
	t.Parallel()
	const existing = `# kubectl get rolebinding -n b -o yaml
apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata:
    name: system:image-puller
    namespace: b
    labels: {keep: me}
    resourceVersion: "7"
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:image-puller}
  subjects:
  - {kind: ServiceAccount, name: default, namespace: a, futureField: kept}
---
{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "b"}}
`
	up, err := AddImagePullers("rb.yaml", []byte(existing), ImagePullerSelector{}, []rbacv1.Subject{GroupSubject("system:serviceaccounts:a"), {Kind: "ServiceAccount", Name: "default", Namespace: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Namespace != "b" || up.Name != "system:image-puller" || len(up.Added) != 1 || up.Kept != 1 {
		t.Errorf("update of %s/%s: added %v, kept %d", up.Namespace, up.Name, up.Added, up.Kept)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, OutputYAML, up.Binding); err != nil {
		t.Fatal(err)
	}
	const want = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  labels:
    keep: me
  name: system:image-puller
  namespace: b
  resourceVersion: "7"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:image-puller
subjects:
- futureField: kept
  kind: ServiceAccount
  name: default
  namespace: a
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:serviceaccounts:a
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	errTests := []struct {
		name string
		data string
		sel  ImagePullerSelector
		want error
	}{
		{"no binding", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}`, ImagePullerSelector{}, ErrNoRoleBinding},
		{"other namespace", existing, ImagePullerSelector{Namespace: "c"}, ErrNoRoleBinding},
		{"other name", existing, ImagePullerSelector{Name: "x"}, ErrNoRoleBinding},
		{"other role", `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"v","namespace":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}`, ImagePullerSelector{}, ErrRoleRefMismatch},
		{"a Role of the same name", `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"v","namespace":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"system:image-puller"}}`, ImagePullerSelector{}, ErrRoleRefMismatch},
		{"bad subjects", `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"v","namespace":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-puller"},"subjects":"x"}`, ImagePullerSelector{}, ErrNotManifest},
		{"not YAML", "a: [", ImagePullerSelector{}, nil},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := AddImagePullers("rb.yaml", []byte(tt.data), tt.sel, []rbacv1.Subject{UserSubject("u")})
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "rb.yaml: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func FuzzAddImagePullers(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"v","namespace":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-puller"},"subjects":[{"kind":"User","name":"u"}]}`))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: a}, roleRef: {kind: ClusterRole, name: system:image-puller}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		up, err := AddImagePullers("f", data, ImagePullerSelector{}, []rbacv1.Subject{UserSubject("u")})
		if err != nil {
			return
		}
		if up.Binding == nil || len(up.Added)+up.Kept != 1 {
			t.Fatalf("update %+v", up)
		}
		if err := Encode(io.Discard, OutputJSON, up.Binding); err != nil {
			t.Fatalf("encode: %v", err)
		}
	})
}

func TestInternalRegistryHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"image-registry.openshift-image-registry.svc:5000":               true,
		"image-registry.openshift-image-registry.svc.cluster.local:5000": true,
		"IMAGE-REGISTRY.openshift-image-registry.svc:5000":               true,
		"default-route-openshift-image-registry.apps.example.com":        true,
		"default-route-openshift-image-registry.apps.example.com:443":    true,
		"image-registry.openshift-image-registry.svc":                    false, // nothing listens on 443
		"image-registry.openshift-image-registry.svc:443":                false,
		"image-registry.openshift-image-registry.svc.cluster.local":      false,
		"default-route-openshift-image-registry.":                        false,
		"registry.example.com:5000":                                      false,
		"image-registry.openshift-image-registry.svc.example.com:5000":   false,
		"my-route-openshift-image-registry.apps.example.com":             false,
	} {
		if got := InternalRegistryHost(host); got != want {
			t.Errorf("InternalRegistryHost(%q) = %v, want %v", host, got, want)
		}
	}
}
