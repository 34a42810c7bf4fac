package secrets_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func TestEditCredentialFile(t *testing.T) {
	t.Parallel()
	add := func(cfg *dockercfg.Config) error {
		cfg.Set(dockercfg.NewEntry("new.io", "u", "p", ""))
		return nil
	}
	payload := `{"auths":{"quay.io":{"auth":"YTpi"}}}`
	manifest := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ndata:\n  .dockerconfigjson: " +
		base64.StdEncoding.EncodeToString([]byte(payload)) + "\ntype: kubernetes.io/dockerconfigjson\n"
	tests := []struct {
		name, in string // in "" is a missing file
		create   bool
		check    func(t *testing.T, out []byte)
		wantErr  string
	}{
		{name: "missing file created", create: true, check: func(t *testing.T, out []byte) {
			c, err := dockercfg.Parse(out)
			if err != nil || c.Format != dockercfg.FormatConfigJSON || c.Entry("new.io") == nil {
				t.Errorf("new file %s: want a config.json with new.io (%v)", out, err)
			}
		}},
		{name: "missing file refused", wantErr: "no such file or directory"},
		{name: "legacy file", in: `{"quay.io":{"auth":"YTpi"}}`, check: func(t *testing.T, out []byte) {
			c, err := dockercfg.Parse(out)
			if err != nil || c.Format != dockercfg.FormatLegacy || c.Entry("quay.io") == nil || c.Entry("new.io") == nil {
				t.Errorf("legacy file %s: want both entries, legacy format (%v)", out, err)
			}
		}},
		{name: "secret manifest", in: manifest, check: func(t *testing.T, out []byte) {
			srcs, err := secrets.ReadSource("s.yaml", out)
			if err != nil || len(srcs) != 1 || srcs[0].Config.Entry("quay.io") == nil || srcs[0].Config.Entry("new.io") == nil {
				t.Errorf("manifest %s: want a Secret with both entries (%v)", out, err)
			}
			if !strings.HasPrefix(string(out), "apiVersion: v1\n") {
				t.Errorf("manifest %s: want YAML kept", out)
			}
		}},
		{name: "two documents refused", in: manifest + "---\n" + manifest, wantErr: "2 YAML documents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "creds")
			if tt.in != "" {
				if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := secrets.EditCredentialFile(context.Background(), path, tt.create, add)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if got, _ := os.ReadFile(path); string(got) != tt.in {
					t.Errorf("a failed edit changed the file to %q", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("EditCredentialFile: %v", err)
			}
			out, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, out)
		})
	}
}
