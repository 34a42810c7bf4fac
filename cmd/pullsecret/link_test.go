package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// realisticSA is a ServiceAccount as kubectl get sa -o yaml prints it (keys in
// alphabetical order), with an existing pull secret and a mountable secret.
const realisticSA = `apiVersion: v1
automountServiceAccountToken: false
imagePullSecrets:
- name: builder-dockercfg-x7k2p
kind: ServiceAccount
metadata:
  annotations:
    openshift.io/internal-registry-pull-secret-ref: builder-dockercfg-x7k2p
  creationTimestamp: "2025-03-14T09:26:53Z"
  labels:
    app.kubernetes.io/part-of: ci
  name: builder
  namespace: team-a
  resourceVersion: "48213"
  uid: 5b0d2f7e-3c1a-4f59-9d4e-2a8e6c1b7f30
secrets:
- name: builder-dockercfg-x7k2p
- name: builder-token-abcde
  namespace: team-a
`

func TestLinkNewServiceAccount(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "link", "default", "regcred", "secret/quay", "secrets/regcred")
	const want = `apiVersion: v1
imagePullSecrets:
- name: regcred
- name: quay
kind: ServiceAccount
metadata:
  name: default
`
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, "existing pods keep their pull secrets; only pods created from now on get regcred, quay") {
		t.Errorf("stderr %q lacks the note about existing pods", r.stderr)
	}
}

func TestLinkForAndNamespace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"mount", []string{"--for", "mount", "-n", "team-a"}, `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
  namespace: team-a
secrets:
- name: a
`},
		{"both", []string{"--for=both"}, `apiVersion: v1
imagePullSecrets:
- name: a
kind: ServiceAccount
metadata:
  name: sa
secrets:
- name: a
`},
		{"pull upper case", []string{"--for", "PULL"}, `apiVersion: v1
imagePullSecrets:
- name: a
kind: ServiceAccount
metadata:
  name: sa
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, append([]string{"link", "sa", "a"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLinkKeepsEveryField(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "sa.yaml", realisticSA)
	r := runCLI(t, "", nil, "link", "builder", "regcred", "builder-dockercfg-x7k2p", "-f", file, "--for", "both")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := strings.Replace(realisticSA, "- name: builder-dockercfg-x7k2p\nkind:", "- name: builder-dockercfg-x7k2p\n- name: regcred\nkind:", 1) +
		"- name: regcred\n"
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}

	// Nothing to add: the output is the input, byte for byte.
	r = runCLI(t, realisticSA, nil, "link", "builder", "builder-dockercfg-x7k2p", "-f", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(realisticSA, r.stdout); diff != "" {
		t.Errorf("unchanged round trip (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, "already linked") {
		t.Errorf("stderr %q, want an already-linked note", r.stderr)
	}
}

func TestLinkTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	first := runCLI(t, "", nil, "link", "default", "regcred", "-n", "team-a")
	if first.code != 0 {
		t.Fatalf("exit %d: %s", first.code, first.stderr)
	}
	second := runCLI(t, first.stdout, nil, "link", "default", "regcred", "-f", "-", "-n", "team-a")
	if second.code != 0 {
		t.Fatalf("exit %d: %s", second.code, second.stderr)
	}
	if diff := cmp.Diff(first.stdout, second.stdout); diff != "" {
		t.Errorf("second link changed the ServiceAccount (-first +second):\n%s", diff)
	}
}

func TestLinkJSONFromStdin(t *testing.T) {
	t.Parallel()
	in := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"ns"},"imagePullSecrets":[{"name":"old"}]}`
	r := runCLI(t, in, nil, "link", "-f", "-", "default", "new", "-o", "json")
	const want = `{
    "kind": "ServiceAccount",
    "apiVersion": "v1",
    "metadata": {
        "name": "default",
        "namespace": "ns"
    },
    "imagePullSecrets": [
        {
            "name": "old"
        },
        {
            "name": "new"
        }
    ]
}
`
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

func TestUnlink(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "sa.yaml", realisticSA)
	r := runCLI(t, "", nil, "unlink", "builder", "builder-dockercfg-x7k2p", "ghost", "-f", file, "--for", "both")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := strings.Replace(realisticSA, "imagePullSecrets:\n- name: builder-dockercfg-x7k2p\n", "", 1)
	want = strings.Replace(want, "secrets:\n- name: builder-dockercfg-x7k2p\n", "secrets:\n", 1)
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, `warning: unlink: secret "ghost" is not linked`) {
		t.Errorf("stderr %q, want a warning for ghost", r.stderr)
	}

	// Pull only (the default) leaves the mountable secrets alone.
	r = runCLI(t, realisticSA, nil, "unlink", "builder", "secret/builder-dockercfg-x7k2p", "-f", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want = strings.Replace(realisticSA, "imagePullSecrets:\n- name: builder-dockercfg-x7k2p\n", "", 1)
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

func TestLinkBadInput(t *testing.T) {
	t.Parallel()
	secretFile := writeFile(t, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: builder\n")
	saFile := writeFile(t, "other.yaml", realisticSA)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // substrings of the one stderr line
	}{
		{"not a ServiceAccount", []string{"link", "builder", "a", "-f", secretFile}, 1, []string{"secret.yaml", "not a ServiceAccount", "kind Secret"}},
		{"wrong name", []string{"link", "default", "a", "-f", saFile}, 1, []string{"other.yaml", `"builder", not "default"`}},
		{"missing file", []string{"link", "default", "a", "-f", saFile + ".missing"}, 1, []string{"other.yaml.missing"}},
		{"bad prefix", []string{"link", "default", "configmap/a"}, 1, []string{`expected resource of type secret, got "configmap/a"`}},
		{"bad secret name", []string{"link", "default", "Reg_Cred"}, 1, []string{`secret "Reg_Cred"`, "invalid name"}},
		{"bad SA name", []string{"link", "De fault", "a"}, 1, []string{`ServiceAccount "De fault"`}},
		{"bad namespace", []string{"link", "default", "a", "-n", "Team_A"}, 1, []string{`--namespace "Team_A"`}},
		{"namespace differs", []string{"link", "builder", "a", "-f", saFile, "-n", "team-b"}, 1, []string{`namespace "team-a", not --namespace "team-b"`}},
		{"unknown for", []string{"link", "default", "a", "--for", "read"}, 2, []string{`--for "read"`}},
		{"no secret", []string{"link", "default"}, 2, []string{"at least one secret"}},
		{"bad output", []string{"link", "default", "a", "-o", "name"}, 2, []string{`--output "name"`}},
		{"unlink without file", []string{"unlink", "default", "a"}, 2, []string{"-f FILE or --apply is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, tt.args...)
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
