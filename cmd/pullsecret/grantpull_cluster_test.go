package main

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// TestGrantPullApply: the seed's two grants in a row (a ServiceAccount,
// then a group) keep both subjects, as oc policy add-role-to-* does; a
// repeated grant is unchanged; --remove removes, and deletes the emptied
// binding.
func TestGrantPullApply(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	env := liveEnv(t, cp, clustertest.Admin, "")
	steps := []struct {
		args   []string
		stdout string
		stderr string
	}{
		{[]string{"system:serviceaccount:project-a:default"}, "rolebinding.rbac.authorization.k8s.io/system:image-puller created\n", "added 1 subject"},
		{[]string{"system:serviceaccounts:project-c"}, "rolebinding.rbac.authorization.k8s.io/system:image-puller configured\n", "added 1 subject to RoleBinding " + ns + "/system:image-puller (0 already bound)"},
		{[]string{"system:serviceaccounts:project-c", "system:serviceaccount:project-a:default"}, "rolebinding.rbac.authorization.k8s.io/system:image-puller unchanged\n", "already grants every subject"},
		{[]string{"--user", "carol", "-o", "name"}, "rolebinding.rbac.authorization.k8s.io/system:image-puller\n", "added 1 subject"},
	}
	for _, s := range steps {
		r := runCLI(t, "", env, append([]string{"grant-pull", "-n", ns, "--apply"}, s.args...)...)
		if r.code != 0 || r.stdout != s.stdout || !strings.Contains(r.stderr, s.stderr) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", s.args, r.code, r.stdout, r.stderr)
		}
	}
	rb, err := cp.AdminClient().RbacV1().RoleBindings(ns).Get(context.Background(), "system:image-puller", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range rb.Subjects {
		names = append(names, s.Kind+":"+s.Name)
	}
	if got := strings.Join(names, ","); got != "ServiceAccount:default,Group:system:serviceaccounts:project-c,User:carol" {
		t.Errorf("subjects %s", got)
	}
	r := runCLI(t, "", env, "grant-pull", "-n", ns, "--apply", "--remove", "system:serviceaccounts:project-c", "carol")
	if r.code != 0 || r.stdout != "rolebinding.rbac.authorization.k8s.io/system:image-puller configured\n" || !strings.Contains(r.stderr, "removed 2 subjects") {
		t.Fatalf("remove: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", env, "grant-pull", "-n", ns, "--apply", "--remove", "system:serviceaccount:project-a:default")
	if r.code != 0 || r.stdout != "rolebinding.rbac.authorization.k8s.io/system:image-puller deleted\n" {
		t.Fatalf("remove last: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestGrantPullApplyForbidden: alice, with no rights, gets one line
// naming what she could not do, exit 1, no stack trace.
func TestGrantPullApplyForbidden(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	r := runCLI(t, "", liveEnv(t, cp, clustertest.Alice, ns), "grant-pull", "--apply", "bob")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"pullsecret: grant-pull:", `User "alice" cannot list resource "rolebindings"`, `namespace "` + ns + `"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	// The admin impersonating alice (--as) is refused the same way.
	r = runCLI(t, "", liveEnv(t, cp, clustertest.Admin, ns), "grant-pull", "--apply", "bob", "--as", clustertest.Alice, "--as-group", clustertest.AliceGroup)
	if r.code != 1 || !strings.Contains(r.stderr, `User "alice" cannot list resource "rolebindings"`) {
		t.Errorf("--as alice: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "grant-pull", "-n", ns, "--remove", "bob")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--remove needs --apply") {
		t.Errorf("--remove offline: exit %d, stderr %q", r.code, r.stderr)
	}
}
