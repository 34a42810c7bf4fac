package match

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// TestDockerSemanticsAgainstGGCR checks SemanticsDocker against the real
// go-containerregistry authn.DefaultKeychain (which reads the file through
// docker/cli's configfile), for every single-file row of the §A tables
// whose answer is deterministic in ggcr.
//
// It sets HOME and DOCKER_CONFIG, so it cannot run in parallel.
func TestDockerSemanticsAgainstGGCR(t *testing.T) {
	var cases []consumerCase
	cases = append(cases, dockerHubKeyCases()...)
	cases = append(cases, namespacedKeyCases()...)
	cases = append(cases, normalisationCases()...)
	cases = append(cases,
		consumerCase{name: "empty repository entry", creds: []Credential{{Key: "quay.io/a"}, cred("quay.io", "host")}, image: "quay.io/a"},
		consumerCase{name: "registry token only", creds: []Credential{{Key: "quay.io", RegistryToken: "rt"}}, image: "quay.io/a"},
		consumerCase{name: "identity token only", creds: []Credential{{Key: "quay.io", IdentityToken: "it"}}, image: "quay.io/a"},
		consumerCase{name: "ports", creds: []Credential{cred("https://quay.io:5000/v1/", "p")}, image: "quay.io:5000/a"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKeyring(tc.creds)
			ref := mustRef(t, tc.image)
			ours := k.Lookup(ref, SemanticsDocker)
			if len(ours) == 1 && strings.Contains(ours[0].Note, "at random") {
				t.Skip("ggcr picks at random among colliding keys")
			}
			seen := map[string]bool{}
			for _, c := range tc.creds {
				if seen[c.Key] {
					t.Skip("a JSON object cannot hold the same key twice")
				}
				seen[c.Key] = true
			}

			home := t.TempDir()
			dir := filepath.Join(home, ".docker")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "config.json"), dockerConfigJSON(t, tc.creds), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("HOME", home)
			t.Setenv("DOCKER_CONFIG", dir)
			t.Setenv("REGISTRY_AUTH_FILE", "")
			t.Setenv("XDG_RUNTIME_DIR", "")

			repo, err := name.NewRepository(ref.RepoToPull)
			if err != nil {
				t.Fatal(err)
			}
			a, err := authn.DefaultKeychain.Resolve(repo)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := a.Authorization()
			if err != nil {
				t.Fatal(err)
			}
			type view struct{ Username, Password, IdentityToken, RegistryToken string }
			want := view{cfg.Username, cfg.Password, cfg.IdentityToken, cfg.RegistryToken}
			var got view
			if len(ours) > 0 {
				c := ours[0].Credential
				got = view{c.Username, c.Password, c.IdentityToken, c.RegistryToken}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("docker semantics differ from ggcr DefaultKeychain (-ggcr +ours):\n%s", diff)
			}
		})
	}
}

// dockerConfigJSON writes creds as a docker config.json: "auth" when the
// credential had one, the separate fields otherwise.
func dockerConfigJSON(t *testing.T, creds []Credential) []byte {
	t.Helper()
	auths := map[string]map[string]string{}
	for _, c := range creds {
		e := map[string]string{}
		if c.HasAuthField {
			e["auth"] = b64(c.Username, c.Password)
		} else {
			if c.Username != "" {
				e["username"] = c.Username
			}
			if c.Password != "" {
				e["password"] = c.Password
			}
		}
		if c.IdentityToken != "" {
			e["identitytoken"] = c.IdentityToken
		}
		if c.RegistryToken != "" {
			e["registrytoken"] = c.RegistryToken
		}
		auths[c.Key] = e
	}
	b, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
