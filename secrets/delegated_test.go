package secrets_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func TestDelegatedKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, registry, auth string
		wantReg, wantAuth    string
		wantErr              error
	}{
		{"host and port", "registry.test:5000", "sso.test:5001", "registry.test:5000", "sso.test:5001", nil},
		{"no auth server", "quay.io", "", "quay.io", "", nil},
		{"canonical registry", "HTTPS://Registry.Example.com/v2/", "SSO.example.com", "registry.example.com", "sso.example.com", nil},
		{"repository path kept", "quay.io/team/", "sso.example.com", "quay.io/team", "sso.example.com", nil},
		{"docker hub", "docker.io", "auth.docker.io", dockercfg.DockerHubKey, "auth.docker.io", nil},
		{"default port of auth server dropped", "r.example", "https://sso.example:443", "r.example", "sso.example", nil},
		{"same host", "registry.test:5000", "registry.test:5000", "registry.test:5000", "", nil},
		{"same host, case and :443", "r.example", "R.example:443", "r.example", "", nil},
		{"other port is another server", "r.example:5000", "r.example:5001", "r.example:5000", "r.example:5001", nil},
		{"auth server with path", "r.example", "sso.example/auth/realms/x", "", "", secrets.ErrInvalidAuthServer},
		{"bad registry", "", "sso.example", "", "", dockercfg.ErrInvalidKey},
		{"bad auth server", "r.example", "ftp://sso.example", "", "", dockercfg.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg, auth, err := secrets.DelegatedKeys(tt.registry, tt.auth)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if reg != tt.wantReg || auth != tt.wantAuth {
				t.Errorf("DelegatedKeys(%q, %q) = %q, %q; want %q, %q", tt.registry, tt.auth, reg, auth, tt.wantReg, tt.wantAuth)
			}
		})
	}
}

func TestDelegatedName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 60) + ".example.com"
	tests := []struct{ key, want string }{
		{"registry.test:5000", "registry-test-5000"},
		{"sso.test", "sso-test"},
		{"https://index.docker.io/v1/", "docker-io"},
		{"quay.io/team/app", "quay-io-team-app"},
		{"Registry.Example.COM", "registry-example-com"},
		{"[::1]:5000", "1-5000"},
		{long, strings.Repeat("a", 60) + "-ex"},
		{strings.Repeat("a", 62) + ".b", strings.Repeat("a", 62)},
		{"*", ""},
	}
	for _, tt := range tests {
		if got := secrets.DelegatedName(tt.key); got != tt.want {
			t.Errorf("DelegatedName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// entry is what one decoded payload entry holds.
type entry struct{ Key, Username, Password, Email, Auth string }

// payloadEntries decodes the pull secret payload of s.
func payloadEntries(t *testing.T, s *corev1.Secret) []entry {
	t.Helper()
	f, ok := secrets.FormatOf(s.Type)
	if !ok {
		t.Fatalf("secret %q has type %q", s.Name, s.Type)
	}
	if len(s.Data) != 1 {
		t.Fatalf("secret %q has data keys %v", s.Name, s.Data)
	}
	cfg, err := dockercfg.ParseFormat(s.Data[secrets.DataKey(f)], f)
	if err != nil {
		t.Fatalf("secret %q: %v", s.Name, err)
	}
	var out []entry
	for _, e := range cfg.Entries {
		out = append(out, entry{e.Key, e.Username, e.Password, e.Email, e.Auth})
	}
	return out
}

type gotSecret struct {
	Name, Namespace string
	Type            corev1.SecretType
	Entries         []entry
}

func TestDelegatedPair(t *testing.T) {
	t.Parallel()
	const pw = "deleg-Secret-9"
	auth := dockercfg.EncodeAuth("dev@example.com", pw)
	e := func(key string) entry { return entry{key, "dev@example.com", pw, "unused", auth} }
	base := secrets.DelegatedOptions{
		Registry: "registry.test:5000", AuthServer: "sso.test",
		Username: "dev@example.com", Password: pw, Email: "unused",
	}
	tests := []struct {
		name    string
		mod     func(*secrets.DelegatedOptions)
		want    []gotSecret
		wantErr string
	}{
		{"pair with derived names", nil, []gotSecret{
			{"sso-test", "", corev1.SecretTypeDockerConfigJson, []entry{e("sso.test")}},
			{"registry-test-5000", "", corev1.SecretTypeDockerConfigJson, []entry{e("registry.test:5000")}},
		}, ""},
		{"named pair in a namespace", func(o *secrets.DelegatedOptions) {
			o.RegistrySecret, o.AuthSecret, o.Namespace = "private-registry", "redhat-connect-sso", "team"
		}, []gotSecret{
			{"redhat-connect-sso", "team", corev1.SecretTypeDockerConfigJson, []entry{e("sso.test")}},
			{"private-registry", "team", corev1.SecretTypeDockerConfigJson, []entry{e("registry.test:5000")}},
		}, ""},
		{"single", func(o *secrets.DelegatedOptions) { o.Single = "both" }, []gotSecret{
			{"both", "", corev1.SecretTypeDockerConfigJson, []entry{e("sso.test"), e("registry.test:5000")}},
		}, ""},
		{"legacy type", func(o *secrets.DelegatedOptions) { o.Format = dockercfg.FormatLegacy }, []gotSecret{
			{"sso-test", "", corev1.SecretTypeDockercfg, []entry{e("sso.test")}},
			{"registry-test-5000", "", corev1.SecretTypeDockercfg, []entry{e("registry.test:5000")}},
		}, ""},
		{"same host: registry only", func(o *secrets.DelegatedOptions) { o.AuthServer = "registry.test:5000" }, []gotSecret{
			{"registry-test-5000", "", corev1.SecretTypeDockerConfigJson, []entry{e("registry.test:5000")}},
		}, ""},
		{"no auth server, single", func(o *secrets.DelegatedOptions) { o.AuthServer, o.Single = "", "one" }, []gotSecret{
			{"one", "", corev1.SecretTypeDockerConfigJson, []entry{e("registry.test:5000")}},
		}, ""},
		{"derived names collide", func(o *secrets.DelegatedOptions) { o.Registry, o.AuthServer = "a-b.example", "a.b.example" }, []gotSecret{
			{"a-b-example-auth", "", corev1.SecretTypeDockerConfigJson, []entry{e("a.b.example")}},
			{"a-b-example", "", corev1.SecretTypeDockerConfigJson, []entry{e("a-b.example")}},
		}, ""},
		{"given names collide", func(o *secrets.DelegatedOptions) { o.RegistrySecret, o.AuthSecret = "x", "x" }, nil, `both named "x"`},
		{"single conflicts with names", func(o *secrets.DelegatedOptions) { o.Single, o.AuthSecret = "x", "y" }, nil, "conflicts"},
		{"invalid name", func(o *secrets.DelegatedOptions) { o.RegistrySecret = "Not_A_Name" }, nil, "metadata.name"},
		{"invalid namespace", func(o *secrets.DelegatedOptions) { o.Namespace = "a.b" }, nil, "metadata.namespace"},
		{"no derivable name", func(o *secrets.DelegatedOptions) { o.Registry = "*" }, nil, "cannot derive a secret name"},
		{"empty username", func(o *secrets.DelegatedOptions) { o.Username = "" }, nil, "username is empty"},
		{"colon in username", func(o *secrets.DelegatedOptions) { o.Username = "a:b" }, nil, "contains ':'"},
		{"no registry", func(o *secrets.DelegatedOptions) { o.Registry = "" }, nil, "no registry"},
		{"auth server with path", func(o *secrets.DelegatedOptions) { o.AuthServer = "sso.test/token" }, nil, "without a path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := base
			if tt.mod != nil {
				tt.mod(&opts)
			}
			ss, err := secrets.DelegatedPair(opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), pw) {
					t.Errorf("password in error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []gotSecret
			for _, s := range ss {
				if err := secrets.Validate(s); err != nil {
					t.Errorf("output does not validate: %v", err)
				}
				got = append(got, gotSecret{s.Name, s.Namespace, s.Type, payloadEntries(t, s)})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDelegatedConfigIsTheUnionOfThePair(t *testing.T) {
	t.Parallel()
	opts := secrets.DelegatedOptions{Registry: "quay.io/team", AuthServer: "sso.example.com", Username: "u", Password: "p"}
	cfg, err := secrets.DelegatedConfig(opts)
	if err != nil {
		t.Fatal(err)
	}
	single, err := secrets.DelegatedPair(secrets.DelegatedOptions{Registry: opts.Registry, AuthServer: opts.AuthServer, Username: "u", Password: "p", Single: "x"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.MarshalAs(dockercfg.FormatConfigJSON)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(single[0].Data[corev1.DockerConfigJsonKey]), string(b)); diff != "" {
		t.Errorf("DelegatedConfig differs from the single secret's payload (-single +config):\n%s", diff)
	}
}

// A registry whose token realm is on another host gets one secret per host,
// with the same credentials.
func ExampleDelegatedPair() {
	ss, err := secrets.DelegatedPair(secrets.DelegatedOptions{
		Registry:   "privateregistry.example.com",
		AuthServer: "sso.example.com",
		Username:   "developer@example.com",
		Password:   "example-password",
		Namespace:  "team",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := secrets.Encode(os.Stdout, secrets.OutputName, ss[0], ss[1]); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%s\n", ss[1].Data[corev1.DockerConfigJsonKey])
	// Output:
	// secret/sso-example-com
	// secret/privateregistry-example-com
	// {"auths":{"privateregistry.example.com":{"username":"developer@example.com","password":"example-password","auth":"ZGV2ZWxvcGVyQGV4YW1wbGUuY29tOmV4YW1wbGUtcGFzc3dvcmQ="}}}
}
