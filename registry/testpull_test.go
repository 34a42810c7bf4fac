package registry_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

const (
	alicePass = "alice-Secret-Pa55"
	bobPass   = "bob-Secret-Pa55"
	wrongPass = "wrong-Secret-Pa55"
)

// tokenEnv starts a token-auth registry where alice may pull team/*, bob
// may pull nothing, and anyone may pull public/*, with team/app:1 and
// public/app:1 pushed.
func tokenEnv(t *testing.T, mod func(*registrytest.Options)) (*registrytest.Env, string) {
	t.Helper()
	opts := registrytest.Options{
		Mode:          registrytest.Token,
		Users:         map[string]string{"alice": alicePass, "bob": bobPass},
		ACL:           map[string][]registrytest.Grant{"alice": {{Repo: "team/*", Actions: []string{"pull"}}}},
		AnonymousPull: []string{"public/*"},
	}
	if mod != nil {
		mod(&opts)
	}
	env := registrytest.New(t, opts)
	ctx := context.Background()
	digest, err := env.PushRandomImage(ctx, "team/app", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.PushRandomImage(ctx, "public/app", "1"); err != nil {
		t.Fatal(err)
	}
	return env, digest
}

func netOpts(env *registrytest.Env) registry.NetworkOptions {
	return registry.NetworkOptions{CAPEM: env.CAPEM, Resolve: env.ResolveArgs(), Timeout: 5 * time.Second}
}

func cred(key, user, pass string) match.Credential {
	return match.Credential{Key: key, Username: user, Password: pass, HasAuthField: true, Source: "/test/config.json"}
}

// checkNoSecrets fails if the result's JSON or error shows a secret, or if
// the env saw a credential where it must not go.
func checkNoSecrets(t *testing.T, env *registrytest.Env, res *registry.TestPullResult) {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if err := res.Err(); err != nil {
		text += err.Error()
	}
	for _, s := range []string{alicePass, bobPass, wrongPass,
		base64.StdEncoding.EncodeToString([]byte("alice:" + alicePass)),
		base64.StdEncoding.EncodeToString([]byte("alice:" + wrongPass)),
		"eyJ", // a JWT
	} {
		if strings.Contains(text, s) {
			t.Errorf("result shows secret %q: %s", s, text)
		}
	}
	if env != nil {
		if leaks := env.Leaks(); len(leaks) > 0 {
			t.Errorf("credential leaks: %v", leaks)
		}
	}
}

func steps(res *registry.TestPullResult) []string {
	var out []string
	for _, a := range res.Attempts {
		s := string(a.Step)
		if a.Credential != "" {
			s = a.Credential + " " + s
		}
		if a.Method != "" {
			s += " " + a.Method
		}
		out = append(out, s+" "+http.StatusText(a.Status))
	}
	return out
}

func testPull(t *testing.T, image string, creds []match.Credential, opts registry.TestPullOptions) *registry.TestPullResult {
	t.Helper()
	res, err := registry.TestPull(context.Background(), image, creds, opts)
	if err != nil {
		t.Fatalf("TestPull(%s): %v", image, err)
	}
	return res
}

func TestTestPullVerdicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		image       string // repo:tag in the env
		creds       func(env *registrytest.Env) []match.Credential
		setup       func(env *registrytest.Env)
		opts        func(o *registry.TestPullOptions)
		wantVerdict match.Verdict
		wantKey     func(env *registrytest.Env) string // credential used, "" for none
		wantAnon    registry.AnonymousOutcome
		wantSteps   []string // with REG for the registry key
		wantInError string
		check       func(t *testing.T, env *registrytest.Env)
	}{
		{
			name:  "good credentials",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			wantVerdict: match.VerdictOK,
			wantKey:     func(env *registrytest.Env) string { return env.RegistryHost },
			wantSteps:   []string{"ping GET Unauthorized", "REG token GET OK", "REG manifest HEAD OK"},
		},
		{
			name:  "wrong password is rejected by the token server",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", wrongPass)}
			},
			wantVerdict: match.VerdictUnauthorized,
			wantAnon:    registry.AnonymousFails,
			wantSteps: []string{"ping GET Unauthorized", "REG token GET Unauthorized",
				"anonymous token GET OK", "anonymous manifest HEAD Unauthorized", "anonymous manifest GET Unauthorized"},
			wantInError: `rejected the credentials of user "alice"`,
		},
		{
			name:  "user without access has insufficient scope",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "bob", bobPass)}
			},
			wantVerdict: match.VerdictForbidden,
			wantAnon:    registry.AnonymousFails,
			wantInError: "insufficient scope",
		},
		{
			name:  "missing tag",
			image: "team/app:nope",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			wantVerdict: match.VerdictNotFound,
			// The credential worked: no anonymous retry (issue 8, item 15).
			wantInError: "MANIFEST_UNKNOWN",
		},
		{
			name:  "second candidate works (kubelet order)",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass), cred(env.RegistryHost+"/team", "alice", wrongPass)}
			},
			wantVerdict: match.VerdictOK,
			wantKey:     func(env *registrytest.Env) string { return env.RegistryHost },
			wantSteps: []string{"ping GET Unauthorized", "REG/team token GET Unauthorized",
				"REG token GET OK", "REG manifest HEAD OK"},
		},
		{
			name:  "expired credentials break a public image",
			image: "public/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", wrongPass)}
			},
			wantVerdict: match.VerdictUnauthorized,
			wantAnon:    registry.AnonymousWorks,
		},
		{
			name:        "no credentials, public image",
			image:       "public/app:1",
			creds:       func(*registrytest.Env) []match.Credential { return nil },
			wantVerdict: match.VerdictOK,
			wantSteps:   []string{"ping GET Unauthorized", "anonymous token GET OK", "anonymous manifest HEAD OK"},
		},
		{
			name:        "no credentials, private image",
			image:       "team/app:1",
			creds:       func(*registrytest.Env) []match.Credential { return nil },
			wantVerdict: match.VerdictNoCredentials,
		},
		{
			name:  "rate limited after bounded retries",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			setup: func(env *registrytest.Env) {
				env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Status: http.StatusTooManyRequests})
			},
			opts:        func(o *registry.TestPullOptions) { o.Network.Retries = 2 },
			wantVerdict: match.VerdictRateLimited,
			wantSteps:   []string{"ping GET Unauthorized", "REG token GET OK", "REG manifest HEAD Too Many Requests", "REG manifest GET Too Many Requests"},
		},
		{
			name:  "transient 503 and reset are retried",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			setup: func(env *registrytest.Env) {
				env.AddFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Status: http.StatusServiceUnavailable, Count: 1})
				env.AddFault(registrytest.HostRealm, registrytest.Fault{Route: registrytest.RouteToken, Reset: true, Count: 1})
			},
			wantVerdict: match.VerdictOK,
			wantKey:     func(env *registrytest.Env) string { return env.RegistryHost },
		},
		{
			name:  "config blob through a CDN redirect",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			setup: func(env *registrytest.Env) {
				env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteBlob, RedirectTo: registrytest.HostCDN})
			},
			opts:        func(o *registry.TestPullOptions) { o.Blobs = true },
			wantVerdict: match.VerdictOK,
			wantKey:     func(env *registrytest.Env) string { return env.RegistryHost },
			wantSteps:   []string{"ping GET Unauthorized", "REG token GET OK", "REG manifest HEAD OK", "REG manifest GET OK", "REG blob GET OK"},
			check: func(t *testing.T, env *registrytest.Env) {
				if n := env.Count(registrytest.Filter{Host: registrytest.HostCDN, Route: registrytest.RouteBlob}); n != 1 {
					t.Errorf("%d blob requests at the CDN, want 1", n)
				}
			},
		},
		{
			name:  "token realm redirect to another host gets no credentials",
			image: "team/app:1",
			creds: func(env *registrytest.Env) []match.Credential {
				return []match.Credential{cred(env.RegistryHost, "alice", alicePass)}
			},
			setup: func(env *registrytest.Env) {
				env.SetFault(registrytest.HostRealm, registrytest.Fault{Route: registrytest.RouteToken, RedirectTo: registrytest.HostCDN})
			},
			wantVerdict: match.VerdictError,
			wantAnon:    registry.AnonymousFails,
			wantInError: "404",
			check: func(t *testing.T, env *registrytest.Env) {
				if n := env.Count(registrytest.Filter{Host: registrytest.HostCDN}); n == 0 {
					t.Error("the token request was not redirected to the CDN")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, digest := tokenEnv(t, nil)
			if tt.setup != nil {
				tt.setup(env)
			}
			opts := registry.TestPullOptions{Network: netOpts(env)}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			res := testPull(t, env.RegistryHost+"/"+tt.image, tt.creds(env), opts)
			if res.Verdict != tt.wantVerdict {
				t.Fatalf("verdict %q (%s), want %q; steps %q", res.Verdict, res.Error, tt.wantVerdict, steps(res))
			}
			wantKey := ""
			if tt.wantKey != nil {
				wantKey = tt.wantKey(env)
			}
			gotKey := ""
			if res.Credential != nil {
				gotKey = res.Credential.Key
			}
			if gotKey != wantKey {
				t.Errorf("credential %q, want %q", gotKey, wantKey)
			}
			if res.Anonymous != tt.wantAnon {
				t.Errorf("anonymous %q, want %q (notes %q)", res.Anonymous, tt.wantAnon, res.Notes)
			}
			if tt.wantSteps != nil {
				var want []string
				for _, s := range tt.wantSteps {
					want = append(want, strings.ReplaceAll(s, "REG", env.RegistryHost))
				}
				if diff := cmp.Diff(want, steps(res)); diff != "" {
					t.Errorf("steps (-want +got):\n%s", diff)
				}
			}
			if tt.wantVerdict == match.VerdictOK && tt.image == "team/app:1" && res.Digest != digest {
				t.Errorf("digest %s, want %s", res.Digest, digest)
			}
			if tt.wantInError != "" && !strings.Contains(res.Error, tt.wantInError) {
				t.Errorf("error %q does not contain %q", res.Error, tt.wantInError)
			}
			if (res.Err() == nil) != (tt.wantVerdict == match.VerdictOK) {
				t.Errorf("Err() = %v for verdict %s", res.Err(), res.Verdict)
			}
			if tt.wantAnon == registry.AnonymousWorks && !strings.Contains(strings.Join(res.Notes, "\n"), "the credentials break the pull") {
				t.Errorf("notes %q do not say the credentials break the pull", res.Notes)
			}
			if tt.check != nil {
				tt.check(t, env)
			}
			checkNoSecrets(t, env, res)
		})
	}
}

func TestTestPullRateLimitRetriesAreBounded(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: http.StatusTooManyRequests, RetryAfter: 1})
	opts := registry.TestPullOptions{Network: netOpts(env)}
	opts.Network.Retries = 1
	start := time.Now()
	res := testPull(t, env.Ref("team/app", "1"), nil, opts)
	if res.Verdict != match.VerdictRateLimited {
		t.Fatalf("verdict %q (%s)", res.Verdict, res.Error)
	}
	if n := env.Count(registrytest.Filter{Route: registrytest.RoutePing}); n != 2 {
		t.Errorf("%d pings, want 2 (one retry)", n)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("returned after %v; Retry-After: 1 was not honoured", d)
	}
	if !errors.Is(res.Err(), match.ErrRateLimited) {
		t.Errorf("Err() = %v, want ErrRateLimited", res.Err())
	}
}

func TestTestPullTimeout(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Delay: 10 * time.Second})
	opts := registry.TestPullOptions{Network: netOpts(env)}
	opts.Network.Timeout = 500 * time.Millisecond
	// The manifest answers after 10 s, so a timeout verdict shows that the
	// 500 ms timeout ended the request (no wall-clock bound: load cannot
	// break this test).
	res := testPull(t, env.Ref("team/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, opts)
	if res.Verdict != match.VerdictTimeout {
		t.Fatalf("verdict %q (%s)", res.Verdict, res.Error)
	}
	if res.Anonymous != "" {
		t.Errorf("anonymous tried after a timeout: %q", res.Anonymous)
	}
}

func TestTestPullRegistryDown(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	opts := registry.TestPullOptions{Network: netOpts(env)}
	image := env.Ref("team/app", "1")
	env.Close()
	res := testPull(t, image, []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, opts)
	if res.Verdict != match.VerdictNetwork {
		t.Fatalf("verdict %q (%s)", res.Verdict, res.Error)
	}
	if !errors.Is(res.Err(), match.ErrNetwork) {
		t.Errorf("Err() = %v", res.Err())
	}
}

func TestTestPullUnknownCA(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	opts := registry.TestPullOptions{Network: registry.NetworkOptions{Resolve: env.ResolveArgs(), Timeout: 5 * time.Second}}
	res := testPull(t, env.Ref("team/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, opts)
	if res.Verdict != match.VerdictTLS {
		t.Fatalf("verdict %q (%s)", res.Verdict, res.Error)
	}
	if n := env.Count(registrytest.Filter{}); n != 0 {
		t.Errorf("%d requests reached the servers through a failed handshake", n)
	}
}

func TestTestPullPlainHTTPRealm(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, func(o *registrytest.Options) { o.PlainHTTPRealm = true })
	creds := []match.Credential{cred(env.RegistryHost, "alice", alicePass)}

	res := testPull(t, env.Ref("team/app", "1"), creds, registry.TestPullOptions{Network: netOpts(env)})
	if res.Verdict != match.VerdictTLS || !strings.Contains(res.Error, "plain HTTP") {
		t.Fatalf("verdict %q (%s), want tls refusing the http realm", res.Verdict, res.Error)
	}
	if n := env.Count(registrytest.Filter{Host: registrytest.HostRealm}); n != 0 {
		t.Errorf("%d requests reached the http:// realm without PlainHTTP", n)
	}
	checkNoSecrets(t, env, res)

	opts := registry.TestPullOptions{Network: netOpts(env)}
	opts.Network.PlainHTTP = true
	res = testPull(t, env.Ref("team/app", "1"), creds, opts)
	if res.Verdict != match.VerdictOK {
		t.Fatalf("with PlainHTTP: verdict %q (%s)", res.Verdict, res.Error)
	}
}

func TestTestPullSameHostRealm(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, func(o *registrytest.Options) { o.SameHostRealm = true })
	res := testPull(t, env.Ref("team/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, registry.TestPullOptions{Network: netOpts(env)})
	if res.Verdict != match.VerdictOK || res.Delegated {
		t.Fatalf("verdict %q delegated %t (%s)", res.Verdict, res.Delegated, res.Error)
	}
}

func TestTestPullHtpasswd(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{"alice": alicePass}})
	if _, err := env.PushRandomImage(context.Background(), "team/app", "1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pass    string
		verdict match.Verdict
	}{{alicePass, match.VerdictOK}, {wrongPass, match.VerdictUnauthorized}} {
		res := testPull(t, env.Ref("team/app", "1"), []match.Credential{cred(env.RegistryHost, "alice", tc.pass)}, registry.TestPullOptions{Network: netOpts(env)})
		if res.Verdict != tc.verdict {
			t.Errorf("verdict %q (%s), want %q", res.Verdict, res.Error, tc.verdict)
		}
		checkNoSecrets(t, env, res)
	}
}

// TestTestPullPrivateIPRealm uses a fake registry whose realm is a
// loopback IP on another port, which go-containerregistry refuses.
func TestTestPullPrivateIPRealm(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://127.0.0.1:1/token",service="fake"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	opts := registry.TestPullOptions{Network: registry.NetworkOptions{SkipTLSVerify: true, Resolve: []string{"fake.test:" + port + ":127.0.0.1"}}}
	res := testPull(t, "fake.test:"+port+"/a/b:1", []match.Credential{cred("fake.test:"+port, "alice", alicePass)}, opts)
	if res.Verdict != match.VerdictError {
		t.Fatalf("verdict %q (%s)", res.Verdict, res.Error)
	}
	for _, want := range []string{"127.0.0.1", "host name", "--resolve"} {
		if !strings.Contains(res.Error, want) {
			t.Errorf("error %q does not mention %q", res.Error, want)
		}
	}
	checkNoSecrets(t, nil, res)
}

func TestTestPullBadImage(t *testing.T) {
	t.Parallel()
	if _, err := registry.TestPull(context.Background(), "UPPER/Case", nil, registry.TestPullOptions{}); err == nil {
		t.Error("TestPull of an invalid reference: no error")
	}
}

// refreshToken asks the env's token server for an OAuth2 refresh token of
// alice, as `docker login` with an identity-token flow would store it.
func refreshToken(t *testing.T, env *registrytest.Env) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.RealmURL+"?service="+env.Service+"&offline_token=true", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("alice", alicePass)
	resp, err := (&http.Client{Transport: env.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.RefreshToken == "" {
		t.Fatalf("no refresh token (status %d, %v)", resp.StatusCode, err)
	}
	return body.RefreshToken
}

func TestTestPullIdentityToken(t *testing.T) {
	t.Parallel()
	env, _ := tokenEnv(t, nil)
	tok := refreshToken(t, env)
	creds := []match.Credential{{Key: env.RegistryHost, IdentityToken: tok, Source: "/test/config.json"}}
	image := env.Ref("team/app", "1")

	// docker (go-containerregistry) runs the OAuth2 refresh-token flow.
	res := testPull(t, image, creds, registry.TestPullOptions{Network: netOpts(env), Semantics: match.SemanticsDocker})
	if res.Verdict != match.VerdictOK {
		t.Fatalf("docker semantics: verdict %q (%s); steps %q", res.Verdict, res.Error, steps(res))
	}
	if got := steps(res)[1]; got != env.RegistryHost+" token POST OK" {
		t.Errorf("token step %q, want an OAuth2 POST", got)
	}
	if strings.Contains(mustJSON(t, res), tok) {
		t.Error("result shows the identity token")
	}

	// The kubelet drops identity tokens: the candidate is empty.
	res = testPull(t, image, creds, registry.TestPullOptions{Network: netOpts(env)})
	if res.Verdict != match.VerdictNoCredentials {
		t.Fatalf("kubelet semantics: verdict %q (%s)", res.Verdict, res.Error)
	}
	if len(res.Candidates) != 1 || !strings.Contains(res.Candidates[0].Note, "ignores identitytoken") {
		t.Errorf("candidates %+v do not explain the dropped identity token", res.Candidates)
	}
	if strings.Contains(mustJSON(t, res), tok) {
		t.Error("result shows the identity token")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTestPullOpenRegistry(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{})
	if _, err := env.PushRandomImage(context.Background(), "app", "1"); err != nil {
		t.Fatal(err)
	}
	res := testPull(t, env.Ref("app", "1"), []match.Credential{cred(env.RegistryHost, "alice", alicePass)}, registry.TestPullOptions{Network: netOpts(env)})
	if res.Verdict != match.VerdictOK || !strings.Contains(strings.Join(res.Notes, "\n"), "requires no authentication") {
		t.Fatalf("verdict %q (%s), notes %q", res.Verdict, res.Error, res.Notes)
	}
	if n := env.Count(registrytest.Filter{AuthScheme: "Basic"}); n != 0 {
		t.Errorf("%d requests carried Basic credentials to an open registry", n)
	}
}

// TestTestPullCandidatesOrder: explicit Candidates (a pod keyring then a node
// keyring, as the kubelet concatenates them) are tried in the given order,
// not re-sorted as one keyring.
func TestTestPullCandidatesOrder(t *testing.T) {
	t.Parallel()
	env, digest := tokenEnv(t, nil)
	ref, err := match.ParseReference(env.RegistryHost + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	good := cred(env.RegistryHost, "alice", alicePass)    // from the pod's secret
	bad := cred(env.RegistryHost+"/team", "bob", bobPass) // from the node config
	good.Source, bad.Source = "secret team/pull", "/var/lib/kubelet/config.json"
	pod := match.NewKeyring([]match.Credential{good}).Lookup(ref, match.SemanticsKubelet)
	node := match.NewKeyring([]match.Credential{bad}).Lookup(ref, match.SemanticsKubelet)
	creds := []match.Credential{good, bad}

	// One keyring would try the longer key, bob's, first.
	merged := testPull(t, ref.String(), creds, registry.TestPullOptions{Network: netOpts(env)})
	if merged.Candidates[0].Username != "bob" {
		t.Fatalf("merged keyring order: %+v", merged.Candidates)
	}
	res := testPull(t, ref.String(), creds, registry.TestPullOptions{Network: netOpts(env), Candidates: append(pod, node...)})
	if res.Verdict != match.VerdictOK || res.Digest != digest {
		t.Fatalf("verdict %s digest %s: %s", res.Verdict, res.Digest, res.Error)
	}
	if len(res.Candidates) != 2 || res.Candidates[0].Username != "alice" || res.Credential.Username != "alice" {
		t.Errorf("candidates %+v, credential %+v: want alice first and used", res.Candidates, res.Credential)
	}
	for _, a := range res.Attempts {
		if strings.Contains(a.Credential, "bob") {
			t.Errorf("bob tried although alice, first, worked: %+v", a)
		}
	}
	checkNoSecrets(t, env, res)
}
