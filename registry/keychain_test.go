package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

func TestKeychainResolve(t *testing.T) {
	t.Parallel()
	creds := []match.Credential{
		{Key: "quay.io", Username: "host", Password: "p1", Source: "a"},
		{Key: "quay.io/team", Username: "team", Password: "p2", Source: "a"},
		{Key: "https://index.docker.io/v1/", Username: "hub", Password: "p3", Source: "a"},
		{Key: "ghcr.io", IdentityToken: "refresh", Source: "a"},
	}
	tests := []struct {
		name string
		sem  match.Semantics
		res  string // repository, or registry when it has no '/'
		want authn.AuthConfig
	}{
		{"kubelet most specific first", match.SemanticsKubelet, "quay.io/team/app", authn.AuthConfig{Username: "team", Password: "p2"}},
		{"kubelet registry", match.SemanticsKubelet, "quay.io/other/app", authn.AuthConfig{Username: "host", Password: "p1"}},
		{"docker never uses namespace keys", match.SemanticsDocker, "quay.io/team/app", authn.AuthConfig{Username: "host", Password: "p1"}},
		{"docker hub", "", "index.docker.io/library/nginx", authn.AuthConfig{Username: "hub", Password: "p3"}},
		{"registry resource", match.SemanticsKubelet, "quay.io", authn.AuthConfig{Username: "host", Password: "p1"}},
		{"kubelet drops identity tokens", match.SemanticsKubelet, "ghcr.io/a/b", authn.AuthConfig{}},
		{"docker keeps identity tokens", match.SemanticsDocker, "ghcr.io/a/b", authn.AuthConfig{IdentityToken: "refresh"}},
		{"no match is anonymous", match.SemanticsKubelet, "gcr.io/a/b", authn.AuthConfig{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var res authn.Resource
			var err error
			if len(tt.res) > 0 && !containsSlash(tt.res) {
				res, err = name.NewRegistry(tt.res)
			} else {
				res, err = name.NewRepository(tt.res)
			}
			if err != nil {
				t.Fatal(err)
			}
			a, err := registry.NewKeychain(creds, tt.sem).Resolve(res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Authorization()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Resolve(%s) (-want +got):\n%s", tt.res, diff)
			}
		})
	}
}

func containsSlash(s string) bool {
	for i := range s {
		if s[i] == '/' {
			return true
		}
	}
	return false
}

// TestKeychainWithRemote plugs the keychain and the transport into
// go-containerregistry's remote package against a real registry.
func TestKeychainWithRemote(t *testing.T) {
	t.Parallel()
	env, digest := tokenEnv(t, nil)
	rt, err := netOpts(env).Transport()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(env.Ref("team/app", "1"))
	if err != nil {
		t.Fatal(err)
	}
	kc := registry.NewKeychain([]match.Credential{cred(env.RegistryHost+"/team", "alice", alicePass)}, "")
	desc, err := remote.Head(ref, remote.WithAuthFromKeychain(kc), remote.WithTransport(rt), remote.WithContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != digest {
		t.Errorf("digest %s, want %s", desc.Digest, digest)
	}
	if n := env.Count(registrytest.Filter{Route: registrytest.RouteToken, AuthScheme: "Basic"}); n != 1 {
		t.Errorf("%d token requests with Basic auth, want 1", n)
	}
}

func TestCredentialsFromSources(t *testing.T) {
	t.Parallel()
	cfg, err := dockercfg.Parse([]byte(`{"auths":{"quay.io":{"auth":"dTpw"},"ghcr.io":{"identitytoken":"tok","email":"e@x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := match.CredentialsFromSources([]dockercfg.Source{{Name: "/c.json", Config: cfg}, {Name: "s.yaml", Secret: "ns/pull", Config: cfg}})
	want := []match.Credential{
		{Key: "quay.io", Username: "u", Password: "p", HasAuthField: true, Source: "/c.json"},
		{Key: "ghcr.io", IdentityToken: "tok", Email: "e@x", Source: "/c.json"},
		{Key: "quay.io", Username: "u", Password: "p", HasAuthField: true, Source: "secret ns/pull"},
		{Key: "ghcr.io", IdentityToken: "tok", Email: "e@x", Source: "secret ns/pull"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A keychain resolves an image repository to the credential the kubelet
// would try first, for go-containerregistry's remote package.
func ExampleNewKeychain() {
	creds := []match.Credential{
		{Key: "quay.io", Username: "robot", Password: "s3cret"},
		{Key: "quay.io/team", Username: "team-robot", Password: "t0ken"},
	}
	kc := registry.NewKeychain(creds, match.SemanticsKubelet)
	repo, _ := name.NewRepository("quay.io/team/app")
	a, _ := kc.Resolve(repo)
	cfg, _ := a.Authorization()
	fmt.Println(cfg.Username)
	// Use it with remote.Image(ref, remote.WithAuthFromKeychain(kc)).
	// Output: team-robot
}
