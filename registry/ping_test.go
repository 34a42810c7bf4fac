package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/registry"
)

func TestPingAndDiscoverRealmHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		opts          registrytest.Options
		wantScheme    string
		wantDelegated bool
		wantSame      bool
		wantRealmHost func(env *registrytest.Env) string
	}{
		{"delegated token realm", registrytest.Options{Mode: registrytest.Token}, "Bearer", true, false,
			func(env *registrytest.Env) string { return env.RealmHost }},
		{"same-host realm", registrytest.Options{Mode: registrytest.Token, SameHostRealm: true}, "Bearer", false, true,
			func(env *registrytest.Env) string { return env.RegistryHost }},
		{"basic auth", registrytest.Options{Mode: registrytest.Htpasswd}, "Basic", false, true,
			func(env *registrytest.Env) string { return env.RegistryHost }},
		{"open", registrytest.Options{Mode: registrytest.Open}, "", false, true,
			func(env *registrytest.Env) string { return env.RegistryHost }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := registrytest.New(t, tt.opts)
			ctx := context.Background()
			p, err := registry.Ping(ctx, "https://"+env.RegistryHost+"/v2/", netOpts(env))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.EqualFold(p.Scheme, tt.wantScheme) || p.Delegated != tt.wantDelegated {
				t.Errorf("scheme %q delegated %t, want %q %t", p.Scheme, p.Delegated, tt.wantScheme, tt.wantDelegated)
			}
			if tt.opts.Mode == registrytest.Token && (p.Realm != env.RealmURL || p.Service != env.Service || len(p.Challenges) == 0) {
				t.Errorf("realm %q service %q challenges %d, want %q %q", p.Realm, p.Service, len(p.Challenges), env.RealmURL, env.Service)
			}
			host, same, err := registry.DiscoverRealmHost(ctx, env.RegistryHost, netOpts(env))
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.wantRealmHost(env); host != want || same != tt.wantSame {
				t.Errorf("DiscoverRealmHost = %q, %t; want %q, %t", host, same, want, tt.wantSame)
			}
		})
	}
}

func TestPingErrors(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{Mode: registrytest.Token})
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 404})
	p, err := registry.Ping(context.Background(), env.RegistryHost, netOpts(env))
	if err == nil || p == nil || p.Status != 404 {
		t.Fatalf("Ping = %+v, %v; want the 404 and an error", p, err)
	}
	if _, err := registry.Ping(context.Background(), "bad host", registry.NetworkOptions{}); err == nil {
		t.Error("Ping of an invalid registry: no error")
	}
}
