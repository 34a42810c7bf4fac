package secrets

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestIsManifest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{`{"auths":{}}`, false},
		{`{"quay.io":{"auth":"YTpi"}}`, false},
		{`{"kind":"Secret"}`, true},
		{"apiVersion: v1\nkind: Secret\n", true},
		{"  \n", false},
	}
	for _, tt := range tests {
		if got := IsManifest([]byte(tt.in)); got != tt.want {
			t.Errorf("IsManifest(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEditManifest(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	add := func(cfg *dockercfg.Config) error {
		cfg.Set(&dockercfg.Entry{Key: "new.io", Username: "u", Password: "p", Auth: dockercfg.EncodeAuth("u", "p")})
		return nil
	}
	payload := `{"auths":{"quay.io":{"auth":"YTpi","x":true}},"credsStore":"s"}`
	newPayload := `{"auths":{"quay.io":{"auth":"YTpi","x":true},"new.io":{"auth":"dTpw"}},"credsStore":"s"}`
	tests := []struct {
		name    string
		in      string
		edit    func(*dockercfg.Config) error
		want    string
		wantErr string
	}{
		{
			name: "compact JSON stays compact",
			in:   `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","resourceVersion":"7","generation":3},"data":{".dockerconfigjson":"` + enc(payload) + `","other":"eA=="},"type":"kubernetes.io/dockerconfigjson","zz":{"k":1.50}}`,
			edit: add,
			want: `{"apiVersion":"v1","data":{".dockerconfigjson":"` + enc(newPayload) + `","other":"eA=="},"kind":"Secret","metadata":{"generation":3,"name":"a","resourceVersion":"7"},"type":"kubernetes.io/dockerconfigjson","zz":{"k":1.50}}` + "\n",
		},
		{
			// Every reader takes a trailing empty document; so does the
			// edit, and the JSON path still keeps 1.50 and 10000000000000000001.
			name: "JSON with trailing empty documents",
			in:   `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"data":{".dockerconfigjson":"` + enc(payload) + `"},"type":"kubernetes.io/dockerconfigjson","zz":{"k":1.50,"n":10000000000000000001}}` + "\n---\n# end\n---\n",
			edit: add,
			want: `{"apiVersion":"v1","data":{".dockerconfigjson":"` + enc(newPayload) + `"},"kind":"Secret","metadata":{"name":"a"},"type":"kubernetes.io/dockerconfigjson","zz":{"k":1.50,"n":10000000000000000001}}` + "\n",
		},
		{
			name: "indented JSON with a trailing separator stays indented",
			in:   "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Secret\",\n  \"metadata\": {\"name\": \"a\"},\n  \"data\": {\".dockerconfigjson\": \"" + enc(payload) + "\"},\n  \"type\": \"kubernetes.io/dockerconfigjson\"\n}\n---\n",
			edit: add,
			want: "{\n  \"apiVersion\": \"v1\",\n  \"data\": {\n    \".dockerconfigjson\": \"" + enc(newPayload) + "\"\n  },\n  \"kind\": \"Secret\",\n  \"metadata\": {\n    \"name\": \"a\"\n  },\n  \"type\": \"kubernetes.io/dockerconfigjson\"\n}\n",
		},
		{
			name: "JSON then text that is not a separator", edit: add,
			in:      `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"data":{".dockerconfigjson":"` + enc(payload) + `"},"type":"kubernetes.io/dockerconfigjson"}` + "\n---x\n",
			wantErr: "more than one JSON value",
		},
		{
			name: "JSON then a second document", edit: add,
			in:      `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"data":{".dockerconfigjson":"` + enc(payload) + `"},"type":"kubernetes.io/dockerconfigjson"}` + "\n---\nkind: Secret\n",
			wantErr: "not a single Secret manifest",
		},
		{
			name: "JSON then another JSON object", edit: add,
			in:      `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"data":{".dockerconfigjson":"` + enc(payload) + `"},"type":"kubernetes.io/dockerconfigjson"}{"kind":"Secret"}`,
			wantErr: "not a single Secret manifest",
		},
		{
			name: "stringData edited, stale data removed",
			in:   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  .dockerconfigjson: '" + payload + "'\ndata:\n  .dockerconfigjson: " + enc(`{"auths":{}}`) + "\ntype: kubernetes.io/dockerconfigjson\n",
			edit: add,
			want: "apiVersion: v1\ndata: {}\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  .dockerconfigjson: '" + newPayload + "'\ntype: kubernetes.io/dockerconfigjson\n",
		},
		{
			name:    "edit error",
			in:      `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"data":{".dockerconfigjson":"` + enc(payload) + `"},"type":"kubernetes.io/dockerconfigjson"}`,
			edit:    func(*dockercfg.Config) error { return errors.New("boom") },
			wantErr: "boom",
		},
		{
			name: "list", in: `{"apiVersion":"v1","kind":"List","items":[]}`, edit: add,
			wantErr: "not a single Secret manifest",
		},
		{
			name: "two documents", in: "kind: Secret\n---\nkind: Secret\n", edit: add,
			wantErr: "2 YAML documents",
		},
		{
			name: "opaque", in: "kind: Secret\ntype: Opaque\n", edit: add,
			wantErr: "not a usable pull secret",
		},
		{
			name: "wrong data key", in: "kind: Secret\ntype: kubernetes.io/dockercfg\ndata:\n  .dockerconfigjson: " + enc(payload) + "\n", edit: add,
			wantErr: "no .dockercfg",
		},
		{
			name: "invalid name", in: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: Bad_Name\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " + enc(payload) + "\n", edit: add,
			wantErr: "metadata.name",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EditManifest("f", []byte(tt.in), tt.edit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
