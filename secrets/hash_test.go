package secrets

import (
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestAppendHash(t *testing.T) {
	t.Parallel()
	immutable := true
	tests := []struct {
		name, secret, namespace string
		server, user, pw        string
		immutable               *bool
		want                    string
	}{
		// docs/manifests.md#--append-hash and docs/research/anchors-behaviour.md §1, checked against kubectl.
		{"kubectl example", "my-secret", "", dockercfg.DockerHubKey, "u", "p", nil, "my-secret-66d74866gh"},
		// kubectl-create.jsonl appendhash-yaml.
		{"conformance vector", "regcred", "", "quay.io", "alice", "alice-secret", nil, "regcred-k8gdk62fd4"},
		{"namespace not hashed", "regcred", "team-a", "quay.io", "alice", "alice-secret", nil, "regcred-k8gdk62fd4"},
		{"immutable hashed", "regcred", "", "quay.io", "alice", "alice-secret", &immutable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload, err := DockerConfigJSON(tt.server, tt.user, tt.pw, "")
			if err != nil {
				t.Fatal(err)
			}
			s := New(tt.secret, tt.namespace, dockercfg.FormatConfigJSON, payload)
			s.Immutable = tt.immutable
			got, err := AppendHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if got != s.Name {
				t.Errorf("returned %q, secret named %q", got, s.Name)
			}
			if tt.want == "" {
				if got == "regcred-k8gdk62fd4" || len(got) != len("regcred-k8gdk62fd4") {
					t.Errorf("immutable secret got %q", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("name = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHashAlphabet(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		s := New(name, "", dockercfg.FormatLegacy, []byte(`{}`))
		h, err := Hash(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 10 {
			t.Errorf("hash %q: length %d", h, len(h))
		}
		for _, c := range h {
			if c == '0' || c == '1' || c == '3' || c == 'a' || c == 'e' {
				t.Errorf("hash %q contains %q", h, c)
			}
		}
	}
}
