package dockercfg_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// roundTripDoc is a config.json with what a rewrite used to lose: explicit
// empty values ("credsStore": "", "email": ""), a null field and a null
// entry, fields in an order other than ours, a field name in another case,
// unknown fields between known ones, odd spacing inside values, an empty
// credHelpers. {{I}} is one level of indentation, {{N}} a line break, {{S}}
// the space after a colon.
const roundTripDoc = `{{{N}}` +
	`{{I}}"auths":{{S}}{{{N}}` +
	`{{I}}{{I}}"ghcr.io":{{S}}{"Auth": "YTpi", "x-note":  [1,  2], "email": ""},{{N}}` +
	`{{I}}{{I}}"quay.io":{{S}}{{{N}}` +
	`{{I}}{{I}}{{I}}"auth":{{S}}"OLDAUTH",{{N}}` +
	`{{I}}{{I}}{{I}}"x-unknown":{{S}}{"a":{{S}}1},{{N}}` +
	`{{I}}{{I}}{{I}}"email":{{S}}"",{{N}}` +
	`{{I}}{{I}}{{I}}"serveraddress":{{S}}null{{N}}` +
	`{{I}}{{I}}},{{N}}` +
	`{{I}}{{I}}"registry.example.com":{{S}}null{{N}}` +
	`{{I}}},{{N}}` +
	`{{I}}"credsStore":{{S}}"",{{N}}` +
	`{{I}}"credHelpers":{{S}}{},{{N}}` +
	`{{I}}"HttpHeaders":{{S}}{"X-Meta":{{S}}"\u003cx\u003e"}{{N}}` +
	`}`

func layout(indent string) string {
	nl, sp := "\n", " "
	if indent == "" {
		nl, sp = "", ""
	}
	return strings.NewReplacer("{{I}}", indent, "{{N}}", nl, "{{S}}", sp).Replace(roundTripDoc) + "\n"
}

// TestEditKeepsEveryOtherByte edits one entry of files in docker's layout
// (tabs), two-space indentation and compact JSON (as the payload of
// OpenShift's pull secret is): every other byte of the file stays as it was.
func TestEditKeepsEveryOtherByte(t *testing.T) {
	t.Parallel()
	oldAuth, newAuth := b64("old:old-pw"), b64("bob:new-pw")
	for name, indent := range map[string]string{"tabs": "\t", "two spaces": "  ", "compact": ""} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := strings.Replace(layout(indent), "OLDAUTH", oldAuth, 1)
			want := strings.Replace(in, oldAuth, newAuth, 1)
			out, err := dockercfg.EditConfig("config.json", []byte(in), func(c *dockercfg.Config) error {
				e := c.Entry("quay.io")
				e.Auth, e.Username, e.Password = newAuth, "bob", "new-pw"
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, string(out)); diff != "" {
				t.Errorf("bytes other than the edited value changed (-want +got):\n%s", diff)
			}
			// Through the file: the same bytes reach the disk.
			p := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(p, []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
			err = dockercfg.EditFile(context.Background(), p, false, func(data []byte) ([]byte, error) {
				return dockercfg.EditConfig(p, data, func(c *dockercfg.Config) error {
					c.Entry("quay.io").Auth = newAuth
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); string(got) != want {
				t.Errorf("file after EditFile:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestMarshalKeepsFieldOrderAndEmptyValues: an entry that changed keeps its
// fields' order, names and explicit empty values; a field whose value was
// cleared is dropped; a new field is added after the others.
func TestMarshalKeepsFieldOrderAndEmptyValues(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse([]byte(`{"credsStore":"","auths":{"q.io":{"Email":"","x":1,"auth":"YTpi","identitytoken":"tok","password":null}}}`))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Entry("q.io")
	e.Auth, e.IdentityToken, e.ServerAddress = b64("u:p"), "", "q.io"
	out, err := c.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"credsStore":"","auths":{"q.io":{"Email":"","x":1,"auth":"` + b64("u:p") + `","password":null,"serveraddress":"q.io"}}}`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
