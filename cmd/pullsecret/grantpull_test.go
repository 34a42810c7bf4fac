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
