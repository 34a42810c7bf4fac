package secrets

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// kubectlPayload is kubectl's own encoding (create_secret_docker.go
// handleDockerCfgJSONContent): the reference DockerConfigJSON must match.
func kubectlPayload(server, username, password, email string) ([]byte, error) {
	type entry struct {
		Username string `json:"username,omitempty"`
		Password string `json:"password,omitempty"`
		Email    string `json:"email,omitempty"`
		Auth     string `json:"auth,omitempty"`
	}
	type config struct {
		Auths map[string]entry `json:"auths"`
	}
	auth := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	return json.Marshal(config{Auths: map[string]entry{server: {username, password, email, auth}}})
}

func TestDockerConfigJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		server, user, pw, mail string
		want                   string
	}{
		{"no email", "quay.io", "alice", "alice-secret", "",
			`{"auths":{"quay.io":{"username":"alice","password":"alice-secret","auth":"YWxpY2U6YWxpY2Utc2VjcmV0"}}}`},
		{"email", "quay.io", "alice", "alice-secret", "alice@example.com",
			`{"auths":{"quay.io":{"username":"alice","password":"alice-secret","email":"alice@example.com","auth":"YWxpY2U6YWxpY2Utc2VjcmV0"}}}`},
		{"html escaped", "quay.io", "alice", `a<b>&c'd\e`, "",
			`{"auths":{"quay.io":{"username":"alice","password":"a\u003cb\u003e\u0026c'd\\e","auth":"YWxpY2U6YTxiPiZjJ2RcZQ=="}}}`},
		{"colon in password kept", "https://index.docker.io/v1/", "u", "p:w", "",
			`{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p:w","auth":"dTpwOnc="}}}`},
		{"server verbatim", "HTTPS://Registry.Example.com:5000/v2/", "bob", "pw", "",
			`{"auths":{"HTTPS://Registry.Example.com:5000/v2/":{"username":"bob","password":"pw","auth":"Ym9iOnB3"}}}`},
		{"unicode", "r.example", "ünï", "пароль", "",
			`{"auths":{"r.example":{"username":"ünï","password":"пароль","auth":"w7xuw6860L/QsNGA0L7Qu9GM"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DockerConfigJSON(tt.server, tt.user, tt.pw, tt.mail)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			ref, _ := kubectlPayload(tt.server, tt.user, tt.pw, tt.mail)
			if diff := cmp.Diff(string(ref), string(got)); diff != "" {
				t.Errorf("differs from kubectl's encoding (-kubectl +got):\n%s", diff)
			}
		})
	}
}

func TestDockerConfigJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, server, user string
		wantErr            error
	}{
		{"empty user", "quay.io", "", ErrEmptyUsername},
		{"colon in user", "quay.io", "a:b", ErrColonInUsername},
		{"empty server", "", "u", dockercfg.ErrInvalidKey},
		{"bad scheme", "ftp://quay.io", "u", dockercfg.ErrInvalidKey},
		{"space in host", "my registry", "u", dockercfg.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DockerConfigJSON(tt.server, tt.user, "s3cret-pw", "")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func FuzzDockerConfigJSON(f *testing.F) {
	f.Add("quay.io", "alice", "a<b>&c", "e@x")
	f.Add("https://index.docker.io/v1/", "u", "p:w\x00\xff", "")
	f.Fuzz(func(t *testing.T, server, user, pw, mail string) {
		got, err := DockerConfigJSON(server, user, pw, mail)
		if err != nil {
			return
		}
		want, _ := kubectlPayload(server, user, pw, mail)
		if string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestParseType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    dockercfg.Format
		wantErr bool
	}{
		{"dockerconfigjson", dockercfg.FormatConfigJSON, false},
		{"kubernetes.io/dockerconfigjson", dockercfg.FormatConfigJSON, false},
		{"dockercfg", dockercfg.FormatLegacy, false},
		{"kubernetes.io/dockercfg", dockercfg.FormatLegacy, false},
		{"Opaque", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseType(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknownType) {
			t.Errorf("ParseType(%q) error %v does not wrap ErrUnknownType", tt.in, err)
		}
	}
}

func TestFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := NewConfig("quay.io", "alice", "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		namespace string
		f         dockercfg.Format
		wantType  corev1.SecretType
		wantKey   string
		wantData  string
	}{
		{"dockerconfigjson", "", dockercfg.FormatConfigJSON, corev1.SecretTypeDockerConfigJson, ".dockerconfigjson",
			`{"auths":{"quay.io":{"username":"alice","password":"pw","auth":"YWxpY2U6cHc="}}}`},
		{"dockercfg", "team-a", dockercfg.FormatLegacy, corev1.SecretTypeDockercfg, ".dockercfg",
			`{"quay.io":{"username":"alice","password":"pw","auth":"YWxpY2U6cHc="}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := FromConfig("regcred", tt.namespace, cfg, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			want := &corev1.Secret{Type: tt.wantType, Data: map[string][]byte{tt.wantKey: []byte(tt.wantData)}}
			want.APIVersion, want.Kind = "v1", "Secret"
			want.Name, want.Namespace = "regcred", tt.namespace
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("secret (-want +got):\n%s", diff)
			}
			if err := Validate(s); err != nil {
				t.Errorf("Validate: %v", err)
			}
			// Round trip: the payload parses back to the same credentials.
			back, err := CheckPayload(s.Data[tt.wantKey], tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if e := back.Entries[0]; e.Key != "quay.io" || e.Username != "alice" || e.Password != "pw" {
				t.Errorf("round trip: %v", e)
			}
		})
	}
}
