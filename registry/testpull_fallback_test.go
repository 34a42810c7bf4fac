package registry_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// A credential that the registry accepted and that got "manifest unknown"
// proves the image does not exist: an anonymous retry cannot tell anything
// more (docs/registry.md#test-pull, issue 8 item 15).
func TestTestPullNotFoundNoAnonymousRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		env       func(t *testing.T) *registrytest.Env
		creds     func(env *registrytest.Env) []match.Credential
		verdict   match.Verdict // "" = not-found
		wantSteps []string      // REG for the registry key
	}{
		{
			name: "token registry",
			env:  func(t *testing.T) *registrytest.Env { env, _ := tokenEnv(t, nil); return env },
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			wantSteps: []string{"ping GET Unauthorized", "REG token GET OK", "REG manifest HEAD Not Found", "REG manifest GET Not Found"},
		},
		{
			name: "a rejected candidate, then one that works",
			env:  func(t *testing.T) *registrytest.Env { env, _ := tokenEnv(t, nil); return env },
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass), cred(env.RegistryHost+"/team", "alice", wrongPass)}
			},
			// The verdict is the first candidate's failure (docs/registry.md#test-pull).
			verdict: match.VerdictUnauthorized,
			wantSteps: []string{"ping GET Unauthorized", "REG/team token GET Unauthorized",
				"REG token GET OK", "REG manifest HEAD Not Found", "REG manifest GET Not Found"},
		},
		{
			name: "basic registry",
			env: func(t *testing.T) *registrytest.Env {
				env := registrytest.New(t, registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{"alice": alicePass}})
				if _, err := env.PushRandomImage(context.Background(), "team/app", "1"); err != nil {
					t.Fatal(err)
				}
				return env
			},
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			wantSteps: []string{"ping GET Unauthorized", "REG manifest HEAD Not Found", "REG manifest GET Not Found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := tt.env(t)
			env.ResetCounts()
			res := testPull(t, env.Ref("team/app", "missing"), tt.creds(env), registry.TestPullOptions{Network: netOpts(env)})
			wantVerdict := tt.verdict
			if wantVerdict == "" {
				wantVerdict = match.VerdictNotFound
			}
			if res.Verdict != wantVerdict {
				t.Fatalf("verdict %q (%s), want %q; steps %q", res.Verdict, res.Error, wantVerdict, steps(res))
			}
			if !strings.Contains(strings.Join(res.Notes, "\n"), "does not exist") {
				t.Errorf("notes %q do not say the image does not exist", res.Notes)
			}
			if res.Anonymous != "" {
				t.Errorf("anonymous %q, want none tried", res.Anonymous)
			}
			var want []string
			for _, s := range tt.wantSteps {
				want = append(want, strings.ReplaceAll(s, "REG", env.RegistryHost))
			}
			if diff := cmp.Diff(want, steps(res)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			// The registry saw no manifest request without credentials.
			for _, r := range env.Requests() {
				if r.Route == registrytest.RouteManifest && r.AuthScheme == "" {
					t.Errorf("anonymous manifest request %s %s", r.Method, r.Path)
				}
			}
			checkNoSecrets(t, env, res)
		})
	}
}

// Without any working credential, a not-found answer still gets the
// anonymous retry: the credentials may be what hides the image.
func TestTestPullUnauthorizedStillTriesAnonymous(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	res := testPull(t, env.Ref("public/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", wrongPass)}, registry.TestPullOptions{Network: netOpts(env)})
	if res.Verdict != match.VerdictUnauthorized || res.Anonymous != registry.AnonymousWorks {
		t.Fatalf("verdict %q anonymous %q, want unauthorized and works", res.Verdict, res.Anonymous)
	}
}

// A registry that refuses HEAD (405) and serves GET: the pull works and no
// attempt carries an error, the HEAD step only says why GET followed.
func TestTestPullHeadRefusedFallsBackWithoutError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			env, digest := tokenEnv(t, nil)
			env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Method: http.MethodHead, Status: status})
			res := testPull(t, env.Ref("team/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, registry.TestPullOptions{Network: netOpts(env)})
			if res.Verdict != match.VerdictOK || res.Digest != digest {
				t.Fatalf("verdict %q digest %s (%s), want ok %s; steps %q", res.Verdict, res.Digest, res.Error, digest, steps(res))
			}
			want := []string{"ping GET Unauthorized", "REG token GET OK", "REG manifest HEAD " + http.StatusText(status), "REG manifest GET OK"}
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], "REG", env.RegistryHost)
			}
			if diff := cmp.Diff(want, steps(res)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			for _, a := range res.Attempts {
				if a.Error != "" {
					t.Errorf("%s %s attempt has error %q", a.Step, a.Method, a.Error)
				}
			}
			head := res.Attempts[2]
			if !strings.Contains(head.Detail, "GET") {
				t.Errorf("HEAD attempt detail %q does not say GET follows", head.Detail)
			}
		})
	}
}
