package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGrantPull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"as oc add-role-to-user", []string{"-n", "project-b", "system:serviceaccount:project-a:default"}, `apiVersion: rbac.authorization.k8s.io/v1
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
`},
		{"groups, users, duplicates, name", []string{
			"system:serviceaccounts:project-a", "alice", "-n", "project-b", "--name", "pullers",
			"--user", "alice", "--group", "devs", "--user", "system:serviceaccount:ci:bot", "system:serviceaccounts:project-a",
		}, `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: pullers
  namespace: project-b
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:image-puller
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:serviceaccounts:project-a
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: alice
- kind: ServiceAccount
  name: bot
  namespace: ci
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: devs
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, append([]string{"grant-pull"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if !strings.Contains(r.stderr, "kubectl apply replaces the subjects") {
				t.Errorf("stderr %q lacks the note about kubectl apply", r.stderr)
			}
		})
	}
}

// TestGrantPullOcOrder: oc policy add-role-to-user's arguments, role first,
// give the same binding as the subjects alone (the role is not taken for a
// user named system:image-puller); the role alone names no subject.
func TestGrantPullOcOrder(t *testing.T) {
	t.Parallel()
	want := runCLI(t, "", nil, "grant-pull", "-n", "project-b", "system:serviceaccount:project-a:default")
	got := runCLI(t, "", nil, "grant-pull", "system:image-puller", "system:serviceaccount:project-a:default", "--namespace=project-b")
	if got.code != 0 || want.code != 0 {
		t.Fatalf("exit %d and %d: %s %s", got.code, want.code, got.stderr, want.stderr)
	}
	if diff := cmp.Diff(want.stdout, got.stdout); diff != "" {
		t.Errorf("oc order (-subjects alone +role first):\n%s", diff)
	}
	r := runCLI(t, "", nil, "grant-pull", "system:image-puller", "-n", "project-b")
	if r.code != 2 || !strings.Contains(r.stderr, "at least one subject") {
		t.Errorf("role alone: exit %d, stderr %q; want 2 and \"at least one subject\"", r.code, r.stderr)
	}
}

func TestGrantPullJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "grant-pull", "-n", "b", "--group", "system:serviceaccounts:a", "-o", "json")
	const want = `{
    "kind": "RoleBinding",
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "metadata": {
        "name": "system:image-puller",
        "namespace": "b"
    },
    "subjects": [
        {
            "kind": "Group",
            "apiGroup": "rbac.authorization.k8s.io",
            "name": "system:serviceaccounts:a"
        }
    ],
    "roleRef": {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "system:image-puller"
    }
}
`
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

func TestGrantPullBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"missing namespace", []string{"alice"}, 2, []string{"-n/--namespace is required"}},
		{"no subject", []string{"-n", "b"}, 2, []string{"at least one subject"}},
		{"bad namespace", []string{"-n", "B_ad", "alice"}, 1, []string{`--namespace "B_ad"`}},
		{"bad sa subject", []string{"-n", "b", "system:serviceaccount:a"}, 1, []string{`"system:serviceaccount:a"`, "invalid subject"}},
		{"bad sa user", []string{"-n", "b", "--user", "system:serviceaccount:A_:x"}, 1, []string{"--user", `namespace "A_"`}},
		{"empty group", []string{"-n", "b", "--group", ""}, 1, []string{"--group: empty name"}},
		{"bad name", []string{"-n", "b", "alice", "--name", "a/b"}, 1, []string{`--name "a/b"`}},
		{"bad output", []string{"-n", "b", "alice", "-o", "name"}, 2, []string{`--output "name"`}},
		{"existing missing", []string{"-f", "/nonexistent/rb.yaml", "alice"}, 1, []string{"/nonexistent/rb.yaml"}},
		{"existing without binding", []string{"-f", "testdata/grantpull-sa.yaml", "alice"}, 1, []string{"testdata/grantpull-sa.yaml", "no RoleBinding"}},
		{"existing in other namespace", []string{"-f", "testdata/grantpull-rb.yaml", "-n", "c", "alice"}, 1, []string{"testdata/grantpull-rb.yaml", `no RoleBinding in namespace "c"`}},
		{"existing other name", []string{"-f", "testdata/grantpull-rb.yaml", "--name", "x", "alice"}, 1, []string{`no RoleBinding named "x"`}},
		{"existing roleRef", []string{"-f", "testdata/grantpull-rb-view.yaml", "alice"}, 1, []string{"RoleBinding b/viewers", "ClusterRole view", "roleRef cannot be changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, append([]string{"grant-pull"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if n := strings.Count(r.stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", n, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
		})
	}
}

// TestGrantPullAddsToExisting runs the seed's two commands in a row (a
// ServiceAccount, then the group of its namespace) the way kubectl apply
// would see them: the second grant, given the first binding with -f, keeps
// the first subject.
func TestGrantPullAddsToExisting(t *testing.T) {
	t.Parallel()
	first := runCLI(t, "", nil, "grant-pull", "-n", "project-b", "system:serviceaccount:project-a:default")
	if first.code != 0 {
		t.Fatalf("first grant: exit %d: %s", first.code, first.stderr)
	}
	// What kubectl get rolebinding -o yaml adds: server fields and an
	// annotation, which must survive.
	existing := strings.Replace(first.stdout, "metadata:\n", `metadata:
  annotations:
    team: a
  creationTimestamp: "2026-11-30T10:00:00Z"
  resourceVersion: "4711"
  uid: 0b6c3f1e-9a7d-4c1e-8f00-000000000001
`, 1)
	r := runCLI(t, existing, nil, "grant-pull", "-f", "-", "system:serviceaccounts:project-a", "system:serviceaccount:project-a:default")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	const want = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  annotations:
    team: a
  creationTimestamp: "2026-11-30T10:00:00Z"
  name: system:image-puller
  namespace: project-b
  resourceVersion: "4711"
  uid: 0b6c3f1e-9a7d-4c1e-8f00-000000000001
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:image-puller
subjects:
- kind: ServiceAccount
  name: default
  namespace: project-a
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:serviceaccounts:project-a
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, "added 1 subject to RoleBinding project-b/system:image-puller (1 already bound)") {
		t.Errorf("stderr %q does not say what was added", r.stderr)
	}

	// Nothing to add: the binding unchanged, and said so.
	again := runCLI(t, r.stdout, nil, "grant-pull", "--filename=-", "-n", "project-b", "system:serviceaccounts:project-a")
	if again.code != 0 || again.stdout != r.stdout {
		t.Errorf("exit %d, stdout changed:\n%s", again.code, cmp.Diff(r.stdout, again.stdout))
	}
	if !strings.Contains(again.stderr, "already grants") {
		t.Errorf("stderr %q does not say the binding is unchanged", again.stderr)
	}
}

// TestGrantPullExistingList takes the binding from a List as kubectl get
// rolebinding -o yaml prints several, choosing by roleRef or --name.
func TestGrantPullExistingList(t *testing.T) {
	t.Parallel()
	const list = `apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: admin, namespace: project-b}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
  subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: root}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: pullers, namespace: project-b}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:image-puller}
  subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
`
	r := runCLI(t, list, nil, "grant-pull", "-f", "-", "bob")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, w := range []string{"name: pullers", "name: alice", "name: bob"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "root") || strings.Contains(r.stdout, "kind: List") {
		t.Errorf("stdout has more than the one binding:\n%s", r.stdout)
	}

	// --name picks the admin binding, whose roleRef cannot be changed.
	bad := runCLI(t, list, nil, "grant-pull", "-f", "-", "--name", "admin", "bob")
	if bad.code != 1 || bad.stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", bad.code, bad.stdout)
	}
	for _, w := range []string{"RoleBinding project-b/admin", "ClusterRole admin", "system:image-puller", "roleRef cannot be changed"} {
		if !strings.Contains(bad.stderr, w) {
			t.Errorf("stderr %q lacks %q", bad.stderr, w)
		}
	}
}

// TestGrantPullNameNote: the note suggests --name only when it is not given.
func TestGrantPullNameNote(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "grant-pull", "-n", "b", "--name", "pullers", "alice")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "use --name") {
		t.Errorf("stderr %q suggests --name, which is given", r.stderr)
	}
	if !strings.Contains(r.stderr, "-f") {
		t.Errorf("stderr %q does not suggest -f EXISTING", r.stderr)
	}
}
