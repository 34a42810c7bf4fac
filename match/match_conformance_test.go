package match

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pullsecret/pullsecret/dockercfg"
)

// TestKubeletKeyringConformance replays every vector of
// testdata/conformance/kubelet-keyring.jsonl: the pod's pull secrets are
// merged into one keyring, as MakeDockerKeyring does, and the usernames
// must come out in the order the kubelet tries them.
func TestKubeletKeyringConformance(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("..", "testdata", "conformance", "kubelet-keyring.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	type secret struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	type vector struct {
		Name    string   `json:"name"`
		Secrets []secret `json:"secrets"`
		Image   string   `json:"image"`
		Want    []string `json:"want"`
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			var creds []Credential
			for i, s := range v.Secrets {
				format := dockercfg.FormatConfigJSON
				if s.Type == "dockercfg" {
					format = dockercfg.FormatLegacy
				}
				cfg, err := dockercfg.ParseFormat(s.Data, format)
				if err != nil {
					t.Fatalf("secret %d: %v", i, err)
				}
				creds = append(creds, CredentialsFromConfig(cfg, fmt.Sprintf("secret default/s%d", i))...)
			}
			got := usernames(NewKeyring(creds).Lookup(mustRef(t, v.Image), SemanticsKubelet))
			want := v.Want
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("kubelet Lookup(%s) usernames (-want +got):\n%s", v.Image, diff)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no conformance vectors")
	}
}
