package secrets_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

const payloadJSON = "{\n  \"auths\": {\"quay.io\": {\"auth\": \"cm9ib3Q6cHctWnE5\"}}\n}\n"

// manifestOf is a Secret of typ holding payload under key, as kubectl get -o yaml prints it.
func manifestOf(name, typ, key, payload string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: openshift-config\n  uid: x\ntype: " + typ +
		"\ndata:\n  " + key + ": " + base64.StdEncoding.EncodeToString([]byte(payload)) + "\n"
}

func TestReadPayload(t *testing.T) {
	t.Parallel()
	ps := manifestOf("pull-secret", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", payloadJSON)
	legacy := manifestOf("old", "kubernetes.io/dockercfg", ".dockercfg", `{"quay.io":{"auth":"cm9ib3Q6cHctWnE5"}}`)
	tests := []struct {
		name       string
		in         string
		format     dockercfg.Format
		wantData   string // "" means the input itself
		wantSecret string
		wantErr    error
	}{
		{name: "docker config as is", in: payloadJSON, format: dockercfg.FormatConfigJSON},
		{name: "garbage JSON as is", in: `{"auths": `, format: dockercfg.FormatConfigJSON},
		{name: "array as is", in: `[1]`, format: dockercfg.FormatConfigJSON},
		{name: "empty as is", in: "", format: dockercfg.FormatConfigJSON},
		{name: "secret YAML", in: ps, format: dockercfg.FormatConfigJSON, wantData: payloadJSON, wantSecret: "openshift-config/pull-secret"},
		{name: "secret among others", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + manifestOf("tls", "kubernetes.io/tls", "tls.crt", "x") + "---\n" + ps,
			format: dockercfg.FormatConfigJSON, wantData: payloadJSON, wantSecret: "openshift-config/pull-secret"},
		{name: "legacy secret", in: legacy, format: dockercfg.FormatLegacy, wantData: `{"quay.io":{"auth":"cm9ib3Q6cHctWnE5"}}`, wantSecret: "openshift-config/old"},
		{name: "other type", in: legacy, format: dockercfg.FormatConfigJSON, wantErr: secrets.ErrWrongFormat},
		{name: "other type the other way", in: ps, format: dockercfg.FormatLegacy, wantErr: secrets.ErrWrongFormat},
		{name: "two", in: ps + "---\n" + strings.Replace(ps, "pull-secret", "two", 1), format: dockercfg.FormatConfigJSON, wantErr: secrets.ErrSeveralPullSecrets},
		{name: "none", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", format: dockercfg.FormatConfigJSON, wantErr: secrets.ErrNoPullSecrets},
		{name: "opaque", in: manifestOf("o", "Opaque", ".dockerconfigjson", payloadJSON), format: dockercfg.FormatConfigJSON, wantErr: secrets.ErrNotPullSecret},
		{name: "not a manifest", in: "auths: pw-Zq9\n", format: dockercfg.FormatConfigJSON, wantErr: secrets.ErrNotManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := secrets.ReadPayload("f.yaml", []byte(tt.in), tt.format)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.HasPrefix(err.Error(), "f.yaml: ") {
					t.Fatalf("err = %v, want %v starting with the file name", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pw-Zq9") || strings.Contains(err.Error(), "cm9ib3Q6") {
					t.Errorf("error reveals a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantData
			if want == "" {
				want = tt.in
			}
			if string(p.Data) != want {
				t.Errorf("Data = %q, want %q", p.Data, want)
			}
			secret := ""
			if p.Source != nil {
				secret = p.Source.Secret
			}
			if secret != tt.wantSecret {
				t.Errorf("Source.Secret = %q, want %q", secret, tt.wantSecret)
			}
		})
	}
}

func TestReadOneSource(t *testing.T) {
	t.Parallel()
	ps := manifestOf("pull-secret", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", payloadJSON)
	for _, tt := range []struct {
		name, in, wantLabel string
		wantErr             error
	}{
		{"config.json", payloadJSON, "node.json", nil},
		{"secret", ps, "node.json (secret openshift-config/pull-secret)", nil},
		{"two", ps + "---\n" + strings.Replace(ps, "pull-secret", "two", 1), "", secrets.ErrSeveralPullSecrets},
		{"bad config", `{"auths": `, "", nil},
	} {
		src, err := secrets.ReadOneSource("node.json", []byte(tt.in))
		switch {
		case tt.wantLabel == "" && tt.wantErr == nil:
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			}
		case err != nil || src.Label() != tt.wantLabel || len(src.Config.Entries) != 1:
			t.Errorf("%s: %v, label %q, want %q", tt.name, err, src.Label(), tt.wantLabel)
		}
	}
}

func FuzzReadPayload(f *testing.F) {
	f.Add([]byte(payloadJSON))
	f.Add([]byte(manifestOf("pull-secret", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", payloadJSON)))
	f.Add([]byte(manifestOf("old", "kubernetes.io/dockercfg", ".dockercfg", `{"quay.io":{"auth":"cm9ib3Q6cHctWnE5"}}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []dockercfg.Format{dockercfg.FormatConfigJSON, dockercfg.FormatLegacy} {
			p, err := secrets.ReadPayload("fuzz", data, format)
			if err != nil {
				if p != nil {
					t.Fatal("payload and error")
				}
				continue
			}
			if p.Source == nil && !bytes.Equal(p.Data, data) {
				t.Fatal("a config file's content was changed")
			}
			if p.Source != nil && p.Source.Type != string(secrets.Type(format)) {
				t.Fatalf("payload of a %s secret returned for %v", p.Source.Type, format)
			}
		}
		if src, err := secrets.ReadOneSource("fuzz", data); err == nil && src.Config == nil {
			t.Fatal("nil config")
		}
	})
}
