package secrets

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

const (
	goodJSON   = `{"auths":{"quay.io":{"username":"alice","password":"pw-Zq9","auth":"YWxpY2U6cHctWnE5"}}}`
	goodLegacy = `{"quay.io":{"username":"alice","password":"pw-Zq9","auth":"YWxpY2U6cHctWnE5"}}`
)

func TestValidate(t *testing.T) {
	t.Parallel()
	secret := func(mod func(s *corev1.Secret)) *corev1.Secret {
		s := New("regcred", "", dockercfg.FormatConfigJSON, []byte(goodJSON))
		if mod != nil {
			mod(s)
		}
		return s
	}
	tests := []struct {
		name    string
		s       *corev1.Secret
		wantErr string // substring; "" means valid
	}{
		{"ok", secret(nil), ""},
		{"ok namespace labels annotations", secret(func(s *corev1.Secret) {
			s.Namespace = "team-a"
			s.Labels = map[string]string{"app.kubernetes.io/name": "web"}
			s.Annotations = map[string]string{"note": "a, b & <c>"}
		}), ""},
		{"ok legacy", New("regcred", "", dockercfg.FormatLegacy, []byte(goodLegacy)), ""},
		{"ok stringData", secret(func(s *corev1.Secret) {
			s.Data = nil
			s.StringData = map[string]string{".dockerconfigjson": goodJSON}
		}), ""},
		{"ok extra key", secret(func(s *corev1.Secret) { s.Data["README"] = []byte("hello") }), ""},
		{"ok opaque not checked", secret(func(s *corev1.Secret) {
			s.Type = corev1.SecretTypeOpaque
			s.Data = map[string][]byte{"x": []byte("not json")}
		}), ""},
		{"no name", secret(func(s *corev1.Secret) { s.Name = "" }), "metadata.name: Required value"},
		{"upper-case name", secret(func(s *corev1.Secret) { s.Name = "RegCred" }), `metadata.name: Invalid value: "RegCred": a lowercase RFC 1123 subdomain`},
		{"underscore name", secret(func(s *corev1.Secret) { s.Name = "reg_cred" }), `metadata.name: Invalid value: "reg_cred"`},
		{"long name", secret(func(s *corev1.Secret) { s.Name = strings.Repeat("a", 254) }), "metadata.name: Invalid value"},
		{"bad namespace", secret(func(s *corev1.Secret) { s.Namespace = "team.a" }), `metadata.namespace: Invalid value: "team.a"`},
		{"bad label", secret(func(s *corev1.Secret) { s.Labels = map[string]string{"a b": "c"} }), `metadata.labels: Invalid value: "a b"`},
		{"bad label value", secret(func(s *corev1.Secret) { s.Labels = map[string]string{"a": "b c"} }), `metadata.labels: Invalid value: "b c"`},
		{"bad annotation", secret(func(s *corev1.Secret) { s.Annotations = map[string]string{"-x-": "1"} }), `metadata.annotations: Invalid value: "-x-"`},
		{"bad key", secret(func(s *corev1.Secret) { s.Data["a/b"] = []byte("x") }), `data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters`},
		{"too large", secret(func(s *corev1.Secret) { s.Data["big"] = make([]byte, MaxSize) }), "data: Too long: may not be more than 1048576 bytes"},
		{"missing key", secret(func(s *corev1.Secret) { s.Data = map[string][]byte{".dockercfg": []byte(goodLegacy)} }), "data[.dockerconfigjson]: Required value"},
		{"not json", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte("pw-Zq9 garbage") }), `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid JSON at byte 1`},
		{"array", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte(`["pw-Zq9"]`) }), "must be a JSON object, found a JSON array"},
		{"null", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte(`null`) }), "expected a JSON object, found null"},
		{"legacy in dockerconfigjson", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte(goodLegacy) }), "payload is a legacy flat dockercfg map"},
		{"auths in dockercfg", New("regcred", "", dockercfg.FormatLegacy, []byte(goodJSON)), `payload is {"auths":{...}} (dockerconfigjson format)`},
		{"empty auths", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte(`{"auths":{}}`) }), "no registry entries"},
		{"credsStore only", secret(func(s *corev1.Secret) { s.Data[".dockerconfigjson"] = []byte(`{"auths":{},"credsStore":"desktop"}`) }), "only in credsStore/credHelpers"},
		{"helper entry", secret(func(s *corev1.Secret) {
			s.Data[".dockerconfigjson"] = []byte(`{"auths":{"quay.io":{}},"credHelpers":{"quay.io":"ecr-login"}}`)
		}), `entry "quay.io": no inline credentials (the kubelet does not run credsStore or credHelpers; use pullsecret convert) (it relies on helper "ecr-login")`},
		{"bad auth", secret(func(s *corev1.Secret) {
			s.Data[".dockerconfigjson"] = []byte(`{"auths":{"quay.io":{"auth":"pw-Zq9!!"}}}`)
		}), `entry "quay.io": auth: auth is not valid base64`},
		{"several problems", secret(func(s *corev1.Secret) {
			s.Name = "Bad"
			s.Data = map[string][]byte{"a/b": nil}
		}), `invalid secret "Bad": data[.dockerconfigjson]: Required value; data[a/b]: Invalid value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.s)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate:\n got %v\nwant …%s…", err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid")
			}
			for _, secret := range []string{"pw-Zq9", "YWxpY2U6cHctWnE5"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals %q: %v", secret, err)
				}
			}
		})
	}
}

func TestCheckPayloadSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		payload string
		f       dockercfg.Format
		want    error
	}{
		{goodLegacy, dockercfg.FormatConfigJSON, ErrWrongFormat},
		{goodJSON, dockercfg.FormatLegacy, ErrWrongFormat},
		{`{"auths":{}}`, dockercfg.FormatConfigJSON, ErrNoEntries},
		{`{"auths":{"quay.io":{"email":"a@b"}}}`, dockercfg.FormatConfigJSON, ErrNoInlineCredentials},
		{`{"auths":{"quay.io":{"auth":"YWxpY2U"}}}`, dockercfg.FormatConfigJSON, dockercfg.ErrAuthNoColon},
		{`{"auths":{"a":{},"a":{}}}`, dockercfg.FormatConfigJSON, dockercfg.ErrDuplicateKey},
		{"\xef\xbb\xbf" + goodJSON, dockercfg.FormatConfigJSON, dockercfg.ErrBOM},
		{`{"name":"pkg","version":"1.0.0"}`, dockercfg.FormatConfigJSON, dockercfg.ErrNotConfig},
	}
	for _, tt := range tests {
		if _, err := CheckPayload([]byte(tt.payload), tt.f); !errors.Is(err, tt.want) {
			t.Errorf("CheckPayload(%.30q, %v) = %v, want %v", tt.payload, tt.f, err, tt.want)
		}
	}
}
