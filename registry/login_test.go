package registry_test

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

func TestCheckLogin(t *testing.T) {
	t.Parallel()
	token, _ := tokenEnv(t, nil)
	basic := registrytest.New(t, registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{"alice": alicePass}})
	open := registrytest.New(t, registrytest.Options{Mode: registrytest.Open})
	tests := []struct {
		name        string
		env         *registrytest.Env
		server      string
		pass        string
		wantChecked bool
		wantErr     error
	}{
		{"bearer good", token, token.RegistryHost, alicePass, true, nil},
		{"bearer good with path", token, token.RegistryHost + "/team", alicePass, true, nil},
		{"bearer wrong password", token, token.RegistryHost, wrongPass, false, match.ErrUnauthorized},
		{"basic good", basic, basic.RegistryHost, alicePass, true, nil},
		{"basic wrong password", basic, basic.RegistryHost, wrongPass, false, match.ErrUnauthorized},
		{"no authentication", open, open.RegistryHost, alicePass, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := registry.CheckLogin(t.Context(), tt.server, cred(tt.server, "alice", tt.pass), netOpts(tt.env))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("CheckLogin error %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "rejected the credentials") || strings.Contains(err.Error(), tt.pass) {
					t.Errorf("error %q: want it to say the credentials were rejected, without the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckLogin: %v", err)
			}
			if res.Checked != tt.wantChecked {
				t.Errorf("Checked = %t, want %t", res.Checked, tt.wantChecked)
			}
		})
	}
}

// TestCheckLoginFailureClasses checks that every failure of the check,
// the ping included, wraps the sentinel of its class, as TestPull's do.
func TestCheckLoginFailureClasses(t *testing.T) {
	t.Parallel()
	token, _ := tokenEnv(t, nil)
	denied, _ := tokenEnv(t, nil)
	denied.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 403})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "registry.test:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	tests := []struct {
		name    string
		server  string
		opts    registry.NetworkOptions
		wantErr error
	}{
		{"connection refused", closed, registry.NetworkOptions{Resolve: []string{closed + ":127.0.0.1"}}, match.ErrNetwork},
		// .onion names are refused without a DNS query (RFC 7686).
		{"name does not resolve", "unreachable.onion", registry.NetworkOptions{}, match.ErrNetwork},
		{"unknown certificate authority", token.RegistryHost, registry.NetworkOptions{Resolve: token.ResolveArgs()}, match.ErrTLS},
		{"ping forbidden", denied.RegistryHost, netOpts(denied), match.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := registry.CheckLogin(t.Context(), tt.server, cred(tt.server, "alice", alicePass), tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CheckLogin error %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), alicePass) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
