package secrets_test

import (
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// FuzzReadServiceAccount: any input gives a ServiceAccount named as asked or
// an error naming the file, never a panic.
func FuzzReadServiceAccount(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\nimagePullSecrets:\n- name: a\n",
		`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder","namespace":"ns"},"secrets":[{"name":"x"}]}`,
		"kind: Secret\n", "---\n---\n", "[1,2]", "", "apiVersion: v1\nkind: List\nitems: []\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sa, err := secrets.ReadServiceAccount("sa.yaml", data, "builder")
		if err != nil {
			if !strings.Contains(err.Error(), "sa.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if sa.Name != "builder" {
			t.Fatalf("read ServiceAccount %q, asked for builder", sa.Name)
		}
	})
}

// FuzzEditManifest: editing a Secret manifest either fails or yields a
// manifest that reads back as a pull secret holding the new entry.
func FuzzEditManifest(f *testing.F) {
	payload := `{"auths":{"quay.io":{"auth":"` + dockercfg.EncodeAuth("u", "p") + `"}}}`
	for _, s := range []string{
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull-secret\n  namespace: openshift-config\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '" + payload + "'\n",
		`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"r"},"type":"kubernetes.io/dockercfg","data":{".dockercfg":"e30="}}`,
		"kind: Secret\ntype: Opaque\n", "{}", "- a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := secrets.EditManifest("ps.yaml", data, func(c *dockercfg.Config) error {
			c.Set(dockercfg.NewEntry("registry.example.com", "fuzz-user", "fuzz-pass", ""))
			return nil
		})
		if err != nil {
			return
		}
		srcs, err := secrets.ReadSource("out", out)
		if err != nil || len(srcs) != 1 {
			t.Fatalf("edited manifest does not read back: %v (%d sources)\n%s", err, len(srcs), out)
		}
		if e := srcs[0].Config.Entry("registry.example.com"); e == nil || e.Username != "fuzz-user" || e.Password != "fuzz-pass" {
			t.Fatalf("new entry missing after edit:\n%s", out)
		}
	})
}
