package dockercfg_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// authEntry is the entry a file holding only "auth" for key parses to.
func authEntry(key, user, pass string) *dockercfg.Entry {
	return &dockercfg.Entry{Key: key, Username: user, Password: pass, Auth: b64(user + ":" + pass)}
}

func readConfig(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "configs", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file        string
		format      dockercfg.Format
		entries     []*dockercfg.Entry
		credsStore  string
		credHelpers map[string]string
		helperOrder []string
	}{
		{
			file:   "docker-desktop.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				{Key: "https://index.docker.io/v1/"},
				{Key: "ghcr.io"},
			},
			credsStore: "desktop",
			credHelpers: map[string]string{
				"gcr.io": "gcloud", "us-docker.pkg.dev": "gcloud",
				"123456789012.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",
			},
			helperOrder: []string{"gcr.io", "us-docker.pkg.dev", "123456789012.dkr.ecr.us-east-1.amazonaws.com"},
		},
		{
			file:   "docker-linux.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				authEntry("https://index.docker.io/v1/", "hubuser", "hub-Passw0rd"),
				// Split at the first colon.
				authEntry("quay.io", "quayuser", "quay:pass:with:colons"),
				// A namespaced key is its own entry next to quay.io.
				authEntry("quay.io/repository-main", "robot$main+ci", "RBT0KEN-main-0123456789"),
				func() *dockercfg.Entry {
					e := authEntry("registry.example.com:5000", "ops", "ops-secret")
					e.Email = "ops@example.com"
					return e
				}(),
			},
		},
		{
			file:   "podman-auth.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				authEntry("docker.io", "podmanuser", "podman-pw"),
				authEntry("quay.io/ns", "nsrobot", "ns-token-value"),
				authEntry("registry.redhat.io", "rh|user", "eyJhbGciOiJSUzUxMiJ9.payload.sig"),
			},
		},
		{
			file:   "acr-identity-token.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{{
				Key: "myregistry.azurecr.io", Username: "00000000-0000-0000-0000-000000000000",
				Auth:          b64("00000000-0000-0000-0000-000000000000:"),
				IdentityToken: "eyJhbGciOiJSUzI1NiJ9.refresh-token-body.signature",
			}},
		},
		{
			file:   "kubectl-payload.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{{
				Key: "https://index.docker.io/v1/", Username: "kubeuser", Password: "kube<pass>&word",
				Auth: b64("kubeuser:kube<pass>&word"), Email: "kube@example.com",
				RawUsername: "kubeuser", RawPassword: "kube<pass>&word",
			}},
		},
		{
			file:   "legacy.dockercfg",
			format: dockercfg.FormatLegacy,
			entries: []*dockercfg.Entry{
				func() *dockercfg.Entry {
					e := authEntry("https://index.docker.io/v1/", "legacyhub", "legacy-hub-pw")
					e.Email = "legacy@example.com"
					return e
				}(),
				{
					Key: "quay.io", Username: "legacyquay", Password: "legacy-quay-pw", Email: "legacy@example.com",
					RawUsername: "legacyquay", RawPassword: "legacy-quay-pw",
				},
			},
		},
		{
			// Every field and top-level member is read whatever its case.
			file:   "spellings.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				func() *dockercfg.Entry {
					e := authEntry("quay.io", "spelluser", "spell-pw")
					e.Email = "spell@example.com"
					e.Spellings = []string{"Auth", "Email"}
					return e
				}(),
				{
					Key: "ghcr.io", Username: "ghuser", Password: "gh-pat-value", RawUsername: "ghuser", RawPassword: "gh-pat-value",
					IdentityToken: "gh-identity-token", Spellings: []string{"Username", "Password", "identityToken"},
				},
				{
					Key: "registry.example.com", IdentityToken: "reg-identity-token", RegistryToken: "reg-bearer-token",
					ServerAddress: "https://registry.example.com",
					Spellings:     []string{"IdentityToken", "RegistryToken", "ServerAddress"},
				},
			},
			credsStore:  "pass",
			credHelpers: map[string]string{"gcr.io": "gcloud"},
			helperOrder: []string{"gcr.io"},
		},
		{
			file:   "nulls.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				{Key: "quay.io"},
				{Key: "ghcr.io", Username: "nulluser", Password: "null-pw", RawUsername: "nulluser", RawPassword: "null-pw"},
			},
		},
		{
			file:   "unknown-fields.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{func() *dockercfg.Entry {
				e := authEntry("registry.example.com", "unknownuser", "unknown-pw")
				e.ServerAddress = "https://registry.example.com"
				e.Extra = []dockercfg.Field{
					{Name: "x-expires", Value: json.RawMessage(`"2030-01-01T00:00:00Z"`)},
					{Name: "x-meta", Value: json.RawMessage(`{"rotated": [3, 2, 1], "note": "<keep & escape>"}`)},
				}
				return e
			}()},
			credHelpers: map[string]string{"z.example.com": "zhelper", "a.example.com": "ahelper"},
			helperOrder: []string{"z.example.com", "a.example.com"},
		},
		{
			file:    "registrytoken.json",
			format:  dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{{Key: "registry.example.com", RegistryToken: "eyJhbGciOiJFUzI1NiJ9.bearer.sig"}},
		},
		{
			// Keys differing in case are two map keys, as for every consumer.
			file:   "case-keys.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{
				authEntry("Quay.io", "upper", "upper-pw"),
				authEntry("quay.io", "lower", "lower-pw"),
				authEntry("https://registry.example.com:443/v2/", "port", "port-pw"),
				authEntry("*.jfrog.io", "glob", "glob-pw"),
			},
		},
		{
			file:   "unpadded.json",
			format: dockercfg.FormatConfigJSON,
			entries: []*dockercfg.Entry{{
				Key: "quay.io", Username: "unpadded", Password: "pw", Auth: "dW5wYWRkZWQ6cHc", Unpadded: true,
			}},
		},
		{file: "empty.json", format: dockercfg.FormatConfigJSON},
		{
			file: "helpers-only.json", format: dockercfg.FormatConfigJSON,
			credsStore: "pass", credHelpers: map[string]string{"quay.io": "quayhelper"}, helperOrder: []string{"quay.io"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			c, err := dockercfg.Parse(readConfig(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Format != tt.format {
				t.Errorf("Format = %v, want %v", c.Format, tt.format)
			}
			if diff := cmp.Diff(tt.entries, c.Entries, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Entries (-want +got):\n%s", diff)
			}
			if c.CredsStore != tt.credsStore {
				t.Errorf("CredsStore = %q, want %q", c.CredsStore, tt.credsStore)
			}
			if diff := cmp.Diff(tt.credHelpers, c.CredHelpers, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CredHelpers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.helperOrder, c.HelperOrder, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("HelperOrder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    dockercfg.Format
		wantErr error
	}{
		{name: "auths", in: `{"auths":{}}`, want: dockercfg.FormatConfigJSON},
		{name: "auths null", in: `{"auths":null}`, want: dockercfg.FormatConfigJSON},
		{name: "credsStore only", in: `{"credsStore":"pass"}`, want: dockercfg.FormatConfigJSON},
		{name: "credHelpers only", in: `{"credHelpers":{"gcr.io":"gcloud"}}`, want: dockercfg.FormatConfigJSON},
		{name: "docker settings only", in: `{"psFormat":"table"}`, want: dockercfg.FormatConfigJSON},
		{name: "currentContext only", in: `{"currentContext":"default"}`, want: dockercfg.FormatConfigJSON},
		{name: "empty object", in: `{}`, want: dockercfg.FormatConfigJSON},
		{name: "upper-case Auths", in: `{"Auths":{"quay.io":{}}}`, want: dockercfg.FormatConfigJSON},
		{name: "legacy", in: `{"quay.io":{"auth":"` + b64("u:p") + `"}}`, want: dockercfg.FormatLegacy},
		{name: "legacy empty entry", in: `{"quay.io":{}}`, want: dockercfg.FormatLegacy},
		{name: "legacy with null entry", in: `{"quay.io":null,"ghcr.io":{"username":"u","password":"p"}}`, want: dockercfg.FormatLegacy},
		{name: "legacy field case", in: `{"quay.io":{"Auth":"` + b64("u:p") + `","Email":"e"}}`, want: dockercfg.FormatLegacy},
		{name: "unknown members", in: `{"foo":1}`, wantErr: dockercfg.ErrNotConfig},
		{name: "legacy-like with unknown field", in: `{"quay.io":{"auth":"x","token":"y"}}`, wantErr: dockercfg.ErrNotConfig},
		{name: "only null members", in: `{"quay.io":null}`, wantErr: dockercfg.ErrNotConfig},
		{name: "legacy entry not an object", in: `{"quay.io":"x"}`, wantErr: dockercfg.ErrNotConfig},
		{name: "empty", in: ``, wantErr: dockercfg.ErrEmpty},
		{name: "white space", in: " \n\t", wantErr: dockercfg.ErrEmpty},
		{name: "BOM", in: "\xef\xbb\xbf{}", wantErr: dockercfg.ErrBOM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := dockercfg.Parse([]byte(tt.in))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if c.Format != tt.want {
				t.Errorf("Parse(%q).Format = %v, want %v", tt.in, c.Format, tt.want)
			}
			// ParseFormat accepts the detected format and refuses the other.
			if _, err := dockercfg.ParseFormat([]byte(tt.in), tt.want); err != nil {
				t.Errorf("ParseFormat(%v): %v", tt.want, err)
			}
			other := dockercfg.FormatLegacy
			if tt.want == dockercfg.FormatLegacy {
				other = dockercfg.FormatConfigJSON
			}
			var pe *dockercfg.ParseError
			if _, err := dockercfg.ParseFormat([]byte(tt.in), other); !errors.As(err, &pe) {
				t.Errorf("ParseFormat(%v) error = %v, want a *ParseError", other, err)
			}
		})
	}
	if got := dockercfg.FormatConfigJSON.String(); got != "dockerconfigjson" {
		t.Errorf("FormatConfigJSON.String() = %q", got)
	}
	if got := dockercfg.FormatLegacy.String(); got != "dockercfg" {
		t.Errorf("FormatLegacy.String() = %q", got)
	}
}

// The secrets used in TestParseErrors; none may appear in an error.
const (
	errPass = "Hunter2-Very-Secret-Pa55"
	errUser = "erruser"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	goodAuth := b64(errUser + ":" + errPass)
	tests := []struct {
		name      string
		in        string
		wantErr   error  // errors.Is target, if any
		wantKey   string // ParseError.Key
		wantField string // ParseError.Field
		wantMsg   string // phrase the message must contain
		secrets   []string
	}{
		{
			name: "auth not base64", in: `{"auths":{"quay.io":{"auth":"` + goodAuth + `!!"}}}`,
			wantErr: dockercfg.ErrAuthNotBase64, wantKey: "quay.io", wantField: "auth",
		},
		{
			name: "auth corrupt in the middle", in: `{"auths":{"quay.io":{"auth":"` + goodAuth[:10] + `*` + goodAuth[11:] + `"}}}`,
			wantErr: dockercfg.ErrAuthNotBase64, wantKey: "quay.io", wantField: "auth",
		},
		{
			name: "auth no colon", in: `{"auths":{"ghcr.io":{"auth":"` + b64(errPass) + `"}}}`,
			wantErr: dockercfg.ErrAuthNoColon, wantKey: "ghcr.io", wantField: "auth", secrets: []string{b64(errPass)},
		},
		{
			name: "auth empty user", in: `{"auths":{"ghcr.io":{"auth":"` + b64(":"+errPass) + `"}}}`,
			wantErr: dockercfg.ErrAuthEmptyUsername, wantKey: "ghcr.io", wantField: "auth", secrets: []string{b64(":" + errPass)},
		},
		{
			name: "auth with spaces", in: `{"auths":{"quay.io":{"auth":" ` + goodAuth + ` "}}}`,
			wantErr: dockercfg.ErrAuthNotBase64, wantKey: "quay.io", wantField: "auth",
		},
		{
			name: "legacy bad auth", in: `{"quay.io":{"auth":"` + b64(errPass) + `","email":"e@x"}}`,
			wantErr: dockercfg.ErrAuthNoColon, wantKey: "quay.io", wantField: "auth", secrets: []string{b64(errPass)},
		},
		{
			name: "auth is a number", in: `{"auths":{"quay.io":{"auth":987654321987654321}}}`,
			wantKey: "quay.io", wantField: "auth", wantMsg: "must be a string", secrets: []string{"987654321987654321"},
		},
		{
			name: "password is a number", in: `{"auths":{"quay.io":{"username":"u","password":8675309123}}}`,
			wantKey: "quay.io", wantField: "password", wantMsg: "found a JSON number", secrets: []string{"8675309123"},
		},
		{
			name: "password is an object", in: `{"auths":{"quay.io":{"username":"u","password":{"v":"` + errPass + `"}}}}`,
			wantKey: "quay.io", wantField: "password", wantMsg: "found a JSON object",
		},
		{
			name: "password is true", in: `{"auths":{"quay.io":{"username":"u","Password":true}}}`,
			wantKey: "quay.io", wantField: "password", wantMsg: "found a JSON bool",
		},
		{
			name: "password without user", in: `{"auths":{"quay.io":{"password":"` + errPass + `"}}}`,
			wantKey: "quay.io", wantField: "username", wantMsg: "empty username",
		},
		{
			name: "entry is a string", in: `{"auths":{"quay.io":"` + goodAuth + `"}}`,
			wantKey: "quay.io", wantMsg: "found a string",
		},
		{
			name: "entry is an array", in: `{"auths":{"quay.io":["` + goodAuth + `"]}}`,
			wantKey: "quay.io", wantMsg: "found an array",
		},
		{
			name: "invalid key", in: `{"auths":{"quay io":{"auth":"` + goodAuth + `"}}}`,
			wantErr: dockercfg.ErrInvalidKey, wantKey: "quay io",
		},
		{
			name: "invalid key of null entry", in: `{"auths":{"ftp://quay.io":null}}`,
			wantErr: dockercfg.ErrInvalidKey, wantKey: "ftp://quay.io",
		},
		{
			name: "duplicate key", in: `{"auths":{"quay.io":{"auth":"` + goodAuth + `"},"quay.io":{"auth":"` + b64("x:"+errPass) + `"}}}`,
			wantErr: dockercfg.ErrDuplicateKey, wantMsg: `"quay.io"`, secrets: []string{b64("x:" + errPass)},
		},
		{
			name: "duplicate field in two cases", in: `{"auths":{"quay.io":{"auth":"` + goodAuth + `","Auth":"` + b64("x:"+errPass) + `"}}}`,
			wantErr: dockercfg.ErrDuplicateKey, wantKey: "quay.io", wantMsg: `"Auth"`, secrets: []string{b64("x:" + errPass)},
		},
		{
			name: "duplicate top level in two cases", in: `{"auths":{},"Auths":{"quay.io":{"auth":"` + goodAuth + `"}}}`,
			wantErr: dockercfg.ErrDuplicateKey,
		},
		{
			name: "bad escape inside auth", in: `{"auths":{"quay.io":{"auth":"` + goodAuth + `\x"}}}`,
			wantMsg: "invalid JSON at byte",
		},
		{
			name: "control character inside password", in: "{\"auths\":{\"quay.io\":{\"username\":\"u\",\"password\":\"" + errPass + "\x01\"}}}",
			wantMsg: "invalid JSON at byte",
		},
		{
			name: "truncated", in: `{"auths":{"quay.io":{"auth":"` + goodAuth,
			wantMsg: "unexpected end of input",
		},
		{
			name: "trailing data", in: `{"auths":{}} {"auth":"` + goodAuth + `"}`,
			wantMsg: "after the JSON object",
		},
		{
			name: "trailing garbage", in: `{"auths":{}}` + errPass,
			wantMsg: "unexpected data after the JSON object",
		},
		{name: "top-level string", in: `"` + goodAuth + `"`, wantMsg: "found a string"},
		{name: "top-level array", in: `["` + goodAuth + `"]`, wantMsg: "found an array"},
		{name: "top-level number", in: `8675309123`, wantMsg: "found a number", secrets: []string{"8675309123"}},
		{name: "top-level null", in: `null`, wantMsg: "found null"},
		{name: "auths is an array", in: `{"auths":["` + goodAuth + `"]}`, wantMsg: "auths: expected a JSON object"},
		{name: "credsStore not a string", in: `{"credsStore":1234567}`, wantMsg: "credsStore: must be a string", secrets: []string{"1234567"}},
		{name: "credsStore is a path", in: `{"credsStore":"../../bin/sh"}`, wantMsg: "credsStore"},
		{
			name: "credHelpers value not a string", in: `{"credHelpers":{"gcr.io":["gcloud"]}}`,
			wantKey: "gcr.io", wantField: "credHelpers", wantMsg: "must be a string",
		},
		{
			name: "credHelpers name with space", in: `{"credHelpers":{"gcr.io":"g cloud"}}`,
			wantKey: "gcr.io", wantField: "credHelpers",
		},
		{name: "credHelpers is a string", in: `{"credHelpers":"gcloud"}`, wantMsg: "credHelpers: expected a JSON object"},
		{name: "too large", in: `{"auths":{}}` + strings.Repeat(" ", dockercfg.MaxFileSize), wantErr: dockercfg.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := dockercfg.ParseNamed([]byte(tt.in), "/home/u/.docker/config.json")
			if err == nil {
				t.Fatalf("Parse(%.80q) = %v, want an error", tt.in, c.Entries)
			}
			var pe *dockercfg.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if pe.File != "/home/u/.docker/config.json" {
				t.Errorf("ParseError.File = %q", pe.File)
			}
			if pe.Key != tt.wantKey || pe.Field != tt.wantField {
				t.Errorf("ParseError Key, Field = %q, %q; want %q, %q", pe.Key, pe.Field, tt.wantKey, tt.wantField)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "/home/u/.docker/config.json: ") {
				t.Errorf("error %q does not start with the file name", msg)
			}
			if tt.wantKey != "" && !strings.Contains(msg, fmt.Sprintf("entry %q", tt.wantKey)) {
				t.Errorf("error %q does not name the entry %q", msg, tt.wantKey)
			}
			if tt.wantField != "" && !strings.Contains(msg, tt.wantField+": ") {
				t.Errorf("error %q does not name the field %q", msg, tt.wantField)
			}
			if tt.wantMsg != "" && !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not contain %q", msg, tt.wantMsg)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q is not one line", msg)
			}
			for _, s := range append([]string{errPass, goodAuth, strings.TrimRight(goodAuth, "=")}, tt.secrets...) {
				if strings.Contains(msg, s) {
					t.Errorf("error %q contains the secret %q", msg, s)
				}
			}
		})
	}
}

func TestConfigEdit(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse(readConfig(t, "docker-linux.json"))
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Entry("quay.io/repository-main"); e == nil || e.Username != "robot$main+ci" {
		t.Errorf("Entry(quay.io/repository-main) = %v", e)
	}
	if e := c.Entry("https://quay.io"); e != nil {
		t.Errorf("Entry matches an unnormalised key: %v", e)
	}
	// Set replaces in place.
	c.Set(dockercfg.NewEntry("quay.io", "newuser", "new-pw", ""))
	if got := keys(c); !cmp.Equal(got, []string{"https://index.docker.io/v1/", "quay.io", "quay.io/repository-main", "registry.example.com:5000"}) {
		t.Errorf("after Set keys = %q", got)
	}
	if e := c.Entry("quay.io"); e.Username != "newuser" || e.Auth != b64("newuser:new-pw") {
		t.Errorf("Set did not replace: %v", e)
	}
	// Set appends a new key.
	c.Set(dockercfg.NewEntry("ghcr.io", "gh", "gh-pw", "gh@example.com"))
	if got := keys(c); got[len(got)-1] != "ghcr.io" {
		t.Errorf("after Set keys = %q", got)
	}
	// Remove drops the exact key only.
	if n := c.Remove("quay.io"); n != 1 {
		t.Errorf("Remove = %d, want 1", n)
	}
	if n := c.Remove("quay.io"); n != 0 {
		t.Errorf("second Remove = %d, want 0", n)
	}
	if got := keys(c); !cmp.Equal(got, []string{"https://index.docker.io/v1/", "quay.io/repository-main", "registry.example.com:5000", "ghcr.io"}) {
		t.Errorf("after Remove keys = %q", got)
	}
	// The rewritten file keeps every other member.
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"HttpHeaders"`, `"X-Meta-Team": "platform"`, `"psFormat"`, `"proxies"`, `"detachKeys"`, `"experimental"`, `"email": "gh@example.com"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("Marshal lost %s:\n%s", want, out)
		}
	}
}

func TestNewEntry(t *testing.T) {
	t.Parallel()
	e := dockercfg.NewEntry("quay.io", "u", "p:w", "e@x")
	want := &dockercfg.Entry{Key: "quay.io", Username: "u", Password: "p:w", Email: "e@x", Auth: "dTpwOnc=", RawUsername: "u", RawPassword: "p:w"}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("NewEntry (-want +got):\n%s", diff)
	}
	if !e.HasAuth() || !e.HasCredentials() {
		t.Error("HasAuth or HasCredentials false for a full entry")
	}
	empty := &dockercfg.Entry{Key: "quay.io"}
	if empty.HasAuth() || empty.HasCredentials() {
		t.Error("HasAuth or HasCredentials true for an empty entry")
	}
	for _, e := range []*dockercfg.Entry{{IdentityToken: "t"}, {RegistryToken: "t"}, {Username: "u"}} {
		if !e.HasCredentials() {
			t.Errorf("HasCredentials false for %#v", e)
		}
	}
}

// TestEntryRedaction prints entries every way a caller might and checks that
// no secret appears.
func TestEntryRedaction(t *testing.T) {
	t.Parallel()
	e := dockercfg.NewEntry("quay.io", "redactuser", "Redact-Me-Passw0rd", "r@example.com")
	e.IdentityToken = "identity-token-redact-me"
	e.RegistryToken = "registry-token-redact-me"
	secrets := []string{"Redact-Me-Passw0rd", e.Auth, e.IdentityToken, e.RegistryToken}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("entry", "entry", e, "value", *e)
	outputs := map[string]string{
		"%v pointer":  fmt.Sprintf("%v", e),
		"%+v pointer": fmt.Sprintf("%+v", e),
		"%#v pointer": fmt.Sprintf("%#v", e),
		"%s pointer":  fmt.Sprintf("%s", e),
		"%v value":    fmt.Sprintf("%v", *e),
		"%+v value":   fmt.Sprintf("%+v", *e),
		"%#v value":   fmt.Sprintf("%#v", *e),
		"%v slice":    fmt.Sprintf("%v", []*dockercfg.Entry{e}),
		"%v values":   fmt.Sprintf("%v", []dockercfg.Entry{*e}),
		"%+v struct":  fmt.Sprintf("%+v", struct{ E dockercfg.Entry }{*e}),
		"slog":        logBuf.String(),
	}
	for how, out := range outputs {
		if !strings.Contains(out, "quay.io") {
			t.Errorf("%s: %q does not name the entry", how, out)
		}
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s: %q contains the secret %q", how, out, s)
			}
		}
	}
}

func keys(c *dockercfg.Config) []string {
	var out []string
	for _, e := range c.Entries {
		out = append(out, e.Key)
	}
	return out
}

// TestParseDoesNotAlias: the parsed config owns its data; a caller reusing the
// input buffer does not change it.
func TestParseDoesNotAlias(t *testing.T) {
	t.Parallel()
	data := readConfig(t, "unknown-fields.json")
	c, err := dockercfg.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	before = bytes.Clone(before)
	for i := range data {
		data[i] = 'x'
	}
	after, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("Marshal changed after the input was overwritten:\n%s", after)
	}
}
