package secrets

import (
	"bytes"
	"errors"
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
