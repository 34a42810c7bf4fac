package dockercfg_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestDecodeAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		auth         string
		user, pass   string
		unpadded     bool
		wantErr      error
		secretInAuth string // decoded text that must not reach the error
	}{
		{name: "padded none needed", auth: "dXNlcjpwYXNz", user: "user", pass: "pass"},
		{name: "padded one", auth: "dXNlcjpwYXM=", user: "user", pass: "pas"},
		{name: "padded two", auth: "dXNlcjpwYQ==", user: "user", pass: "pa"},
		{name: "unpadded one", auth: "dXNlcjpwYXM", user: "user", pass: "pas", unpadded: true},
		{name: "unpadded two", auth: "dXNlcjpwYQ", user: "user", pass: "pa", unpadded: true},
		{name: "colons in password", auth: b64("user:p:w:x"), user: "user", pass: "p:w:x"},
		{name: "empty password", auth: b64("user:"), user: "user", pass: ""},
		{name: "ACR null user", auth: b64("00000000-0000-0000-0000-000000000000:"), user: "00000000-0000-0000-0000-000000000000"},
		{name: "spaces inside", auth: b64("us er:pa ss "), user: "us er", pass: "pa ss "},
		{name: "unicode", auth: b64("üser:päss✓"), user: "üser", pass: "päss✓"},
		{name: "robot account", auth: b64("robot$ns+ci:TOKEN"), user: "robot$ns+ci", pass: "TOKEN"},
		// encoding/base64 skips \r and \n, as the kubelet's decoder does.
		{name: "wrapped", auth: "dXNlcjpw\nYXNz", user: "user", pass: "pass"},
		// The kubelet tests the padding on the trimmed value
		// (credentialprovider config.go decodeDockerConfigFieldAuth).
		{name: "padded, trailing newline", auth: "dXNlcjpwYQ==\n", user: "user", pass: "pa"},
		{name: "padded, trailing CRLF", auth: "dXNlcjpwYQ==\r\n", user: "user", pass: "pa"},
		{name: "no colon", auth: b64("justatokenvalue"), wantErr: dockercfg.ErrAuthNoColon, secretInAuth: "justatokenvalue"},
		{name: "empty", auth: "", wantErr: dockercfg.ErrAuthNoColon},
		{name: "empty user", auth: b64(":hunter2-password"), wantErr: dockercfg.ErrAuthEmptyUsername, secretInAuth: "hunter2-password"},
		{name: "colon only", auth: b64(":"), wantErr: dockercfg.ErrAuthEmptyUsername},
		{name: "not base64", auth: "not base64 at all!", wantErr: dockercfg.ErrAuthNotBase64},
		{name: "leading space", auth: " " + b64("user:leading-pw"), wantErr: dockercfg.ErrAuthNotBase64, secretInAuth: "leading-pw"},
		{name: "trailing space", auth: b64("user:trailing-p") + " ", wantErr: dockercfg.ErrAuthNotBase64, secretInAuth: "trailing-p"},
		{name: "url alphabet", auth: base64.URLEncoding.EncodeToString([]byte("user:\xfb\xff")), wantErr: dockercfg.ErrAuthNotBase64},
		{name: "bad padding", auth: "dXNlcjpwYXNz=", wantErr: dockercfg.ErrAuthNotBase64},
		{name: "only padding", auth: "==", wantErr: dockercfg.ErrAuthNotBase64},
		{name: "impossible length", auth: "dXNlcjpwYXNzA", wantErr: dockercfg.ErrAuthNotBase64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user, pass, unpadded, err := dockercfg.DecodeAuth(tt.auth)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("DecodeAuth(%q) error = %v, want %v", tt.auth, err, tt.wantErr)
				}
				if user != "" || pass != "" {
					t.Errorf("DecodeAuth(%q) returned credentials with an error", tt.auth)
				}
				msg := err.Error()
				if strings.Contains(msg, "\n") {
					t.Errorf("error %q is not one line", msg)
				}
				if len(strings.TrimSpace(tt.auth)) > 3 && strings.Contains(msg, strings.TrimSpace(tt.auth)) {
					t.Errorf("error %q contains the auth value", msg)
				}
				if tt.secretInAuth != "" && strings.Contains(msg, tt.secretInAuth) {
					t.Errorf("error %q contains the decoded secret", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeAuth(%q): %v", tt.auth, err)
			}
			if user != tt.user || pass != tt.pass || unpadded != tt.unpadded {
				t.Errorf("DecodeAuth(%q) = %q, %q, unpadded=%v; want %q, %q, %v", tt.auth, user, pass, unpadded, tt.user, tt.pass, tt.unpadded)
			}
		})
	}
}

func TestEncodeAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user, pass, want string
	}{
		{"user", "pass", "dXNlcjpwYXNz"},
		{"user", "pas", "dXNlcjpwYXM="},
		{"user", "pa", "dXNlcjpwYQ=="},
		{"user", "p:w", "dXNlcjpwOnc="},
		{"user", "", "dXNlcjo="},
		{"kubeuser", "kube<pass>&word", b64("kubeuser:kube<pass>&word")},
	}
	for _, tt := range tests {
		got := dockercfg.EncodeAuth(tt.user, tt.pass)
		if got != tt.want {
			t.Errorf("EncodeAuth(%q, %q) = %q, want %q", tt.user, tt.pass, got, tt.want)
		}
		if len(got)%4 != 0 {
			t.Errorf("EncodeAuth(%q, %q) = %q is not padded", tt.user, tt.pass, got)
		}
		u, p, unpadded, err := dockercfg.DecodeAuth(got)
		if err != nil || u != tt.user || p != tt.pass || unpadded {
			t.Errorf("DecodeAuth(EncodeAuth(%q, %q)) = %q, %q, %v, %v", tt.user, tt.pass, u, p, unpadded, err)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
