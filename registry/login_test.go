package registry_test

import (
	"errors"
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
