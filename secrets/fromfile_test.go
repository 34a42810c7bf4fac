package secrets_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func TestParseFileSource(t *testing.T) {
	t.Parallel()
	// The cases of kubectl's TestParseFileSource that apply to one file.
	tests := []struct {
		src, wantKey, wantFile, wantErr string
	}{
		{src: "config.json", wantKey: ".dockerconfigjson", wantFile: "config.json"},
		{src: "/a/b/config.json", wantKey: ".dockerconfigjson", wantFile: "/a/b/config.json"},
		{src: ".dockerconfigjson=/a/config.json", wantKey: ".dockerconfigjson", wantFile: "/a/config.json"},
		{src: "k=", wantErr: "file path for key name k missing"},
		{src: "=/a/b", wantErr: "key name for file path /a/b missing"},
		{src: "a=b=c", wantErr: "key names or file paths cannot contain '='"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			key, file, err := secrets.ParseFileSource(tt.src, ".dockerconfigjson")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || key != tt.wantKey || file != tt.wantFile {
				t.Errorf("= %q, %q, %v; want %q, %q", key, file, err, tt.wantKey, tt.wantFile)
			}
		})
	}
}

func TestReadPayloadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := filepath.Join(dir, "config.json")
	if err := os.WriteFile(ok, []byte(`{"auths":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, secrets.MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := secrets.ReadPayloadFile(ok); err != nil || string(data) != `{"auths":{}}` {
		t.Errorf("ReadPayloadFile = %q, %v", data, err)
	}
	_, err := secrets.ReadPayloadFile(filepath.Join(dir, "absent"))
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), dir) {
		t.Errorf("missing file: error %v, want ErrNotExist without the path", err)
	}
	if _, err := secrets.ReadPayloadFile(dir); err == nil || !strings.HasPrefix(err.Error(), "is a directory; give a docker config file (") {
		t.Errorf("directory: error %v", err)
	}
	if _, err := secrets.ReadPayloadFile(big); err == nil || !strings.Contains(err.Error(), "the most a Secret holds") {
		t.Errorf("too large: error %v", err)
	}
}

func TestPayloadWarnings(t *testing.T) {
	t.Parallel()
	cfg, err := dockercfg.Parse([]byte(`{"auths":{
		"quay.io":{"auth":"dTpw"},
		"https://Registry.example.com/v2/":{"auth":"dTpw"},
		"tok.example.com":{"identitytoken":"t"},
		"short.example.com":{"auth":"dTpwcQ"}
	},"credsStore":"desktop"}`))
	if err != nil {
		t.Fatal(err)
	}
	got := secrets.PayloadWarnings(cfg)
	want := append(dockercfg.KeyWarnings("https://Registry.example.com/v2/"),
		`entry "tok.example.com" carries an identity token: the kubelet ignores it`,
		`entry "short.example.com": auth is unpadded base64, which docker and podman reject`,
		"credsStore/credHelpers are stored but the kubelet ignores them",
	)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PayloadWarnings (-want +got):\n%s", diff)
	}
	if len(want) < 5 {
		t.Errorf("the key warnings of the test key are missing: %v", want)
	}
	clean, _ := dockercfg.Parse([]byte(`{"auths":{"quay.io":{"auth":"dTpw"}}}`))
	if w := secrets.PayloadWarnings(clean); len(w) != 0 {
		t.Errorf("clean payload warnings = %v, want none", w)
	}
}
