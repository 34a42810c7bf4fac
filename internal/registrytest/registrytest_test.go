package registrytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/pullsecret/pullsecret/internal/registrytest"
)

const (
	alicePass = "alice-s3cret-pass"
	bobPass   = "bob-s3cret-pass"
)

// tokenOptions is a Token-mode setup: alice may pull team/*, bob has no
// grants, public/* is anonymous.
func tokenOptions() registrytest.Options {
	return registrytest.Options{
		Mode:          registrytest.Token,
		Users:         map[string]string{"alice": alicePass, "bob": bobPass},
		ACL:           map[string][]registrytest.Grant{"alice": {{Repo: "team/*", Actions: []string{"pull"}}}},
		AnonymousPull: []string{"public/*"},
	}
}

// head runs remote.Head against env with auth.
func head(t *testing.T, env *registrytest.Env, ref string, auth authn.Authenticator, opts ...remote.Option) (*v1.Descriptor, error) {
	t.Helper()
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		t.Fatalf("parse %s: %v", ref, err)
	}
	opts = append([]remote.Option{
		remote.WithContext(t.Context()),
		remote.WithAuth(auth),
		remote.WithTransport(env.Transport()),
	}, opts...)
	return remote.Head(r, opts...)
}

// push seeds repo:tag or fails the test.
func push(t *testing.T, env *registrytest.Env, repo, tag string) string {
	t.Helper()
	d, err := env.PushRandomImage(t.Context(), repo, tag)
	if err != nil {
		t.Fatalf("PushRandomImage(%s:%s): %v", repo, tag, err)
	}
	return d
}

// statusOf returns the HTTP status of a go-containerregistry error.
func statusOf(err error) int {
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode
	}
	return 0
}

// noSecrets fails if s contains a known password.
func noSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, p := range []string{alicePass, bobPass} {
		if strings.Contains(s, p) {
			t.Errorf("%s contains a password: %s", what, s)
		}
	}
}

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	want := push(t, env, "team/app", "v1")
	push(t, env, "public/base", "v1")
	push(t, env, "private/db", "v1")

	tests := []struct {
		name       string
		ref        string
		auth       authn.Authenticator
		wantStatus int // 0 = success
		wantToken  int // status of the token request
		wantUser   string
		wantGrant  []string
	}{
		{
			name: "allowed user", ref: "team/app:v1", auth: &authn.Basic{Username: "alice", Password: alicePass},
			wantToken: 200, wantUser: "alice", wantGrant: []string{"repository:team/app:pull"},
		},
		{
			name: "wrong password", ref: "team/app:v1", auth: &authn.Basic{Username: "alice", Password: "wrong-" + bobPass},
			wantStatus: 401, wantToken: 401, wantUser: "alice",
		},
		{
			name: "user without grant", ref: "team/app:v1", auth: &authn.Basic{Username: "bob", Password: bobPass},
			wantStatus: 401, wantToken: 200, wantUser: "bob",
		},
		{
			name: "anonymous public", ref: "public/base:v1", auth: authn.Anonymous,
			wantToken: 200, wantGrant: []string{"repository:public/base:pull"},
		},
		{
			name: "user pulls public", ref: "public/base:v1", auth: &authn.Basic{Username: "bob", Password: bobPass},
			wantToken: 200, wantUser: "bob", wantGrant: []string{"repository:public/base:pull"},
		},
		{
			name: "anonymous private", ref: "private/db:v1", auth: authn.Anonymous,
			wantStatus: 401, wantToken: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Subtests share env and its counters, so they run in sequence.
			env.ResetCounts()
			desc, err := head(t, env, env.RegistryHost+"/"+tt.ref, tt.auth)
			if got := statusOf(err); got != tt.wantStatus || (tt.wantStatus == 0 && err != nil) {
				t.Fatalf("Head: status %d, error %v; want status %d", got, err, tt.wantStatus)
			}
			if err != nil {
				noSecrets(t, "error", err.Error())
			}
			if tt.wantStatus == 0 && tt.ref == "team/app:v1" && desc.Digest.String() != want {
				t.Errorf("digest = %s, want %s", desc.Digest, want)
			}
			var tokens []registrytest.Request
			for _, r := range env.Requests() {
				if r.Route == registrytest.RouteToken {
					tokens = append(tokens, r)
				}
			}
			if len(tokens) == 0 {
				t.Fatal("no token request recorded")
			}
			last := tokens[len(tokens)-1]
			if last.Status != tt.wantToken || last.User != tt.wantUser {
				t.Errorf("token request: status %d user %q, want %d %q", last.Status, last.User, tt.wantToken, tt.wantUser)
			}
			if diff := cmp.Diff(tt.wantGrant, last.Granted); diff != "" {
				t.Errorf("granted (-want +got):\n%s", diff)
			}
			if tt.wantToken == 401 {
				if n := env.Count(registrytest.Filter{Host: registrytest.HostRegistry, Route: registrytest.RouteManifest}); n != 0 {
					t.Errorf("%d manifest requests after a failed token request, want 0", n)
				}
			}
			if leaks := env.Leaks(); len(leaks) != 0 {
				t.Errorf("leaks: %q", leaks)
			}
		})
	}
}

// TestInsufficientScopeChallenge checks what the registry says to a token
// without the needed scope.
func TestInsufficientScopeChallenge(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	push(t, env, "team/app", "v1")
	client := &http.Client{Transport: env.Transport()}

	tok := fetchToken(t, env, client, "bob", bobPass, "repository:team/app:pull")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodHead, "https://"+env.RegistryHost+"/v2/team/app/manifests/v1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if ch := resp.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="insufficient_scope"`) || !strings.Contains(ch, env.RealmURL) {
		t.Errorf("challenge %q lacks insufficient_scope or realm %s", ch, env.RealmURL)
	}
}

// fetchToken does a GET token request with Basic auth.
func fetchToken(t *testing.T, env *registrytest.Env, client *http.Client, user, pass string, scopes ...string) string {
	t.Helper()
	q := url.Values{"service": {env.Service}, "scope": scopes}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, env.RealmURL+"?"+q.Encode(), nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		IssuedAt    string `json:"issued_at"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Token == "" || body.Token != body.AccessToken || body.ExpiresIn != 300 || body.IssuedAt == "" {
		t.Fatalf("token response incomplete: expires_in %d issued_at %q", body.ExpiresIn, body.IssuedAt)
	}
	return body.Token
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	client := &http.Client{Transport: env.Transport()}

	post := func(form url.Values) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, env.RealmURL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		noSecrets(t, "token response", string(body))
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		return resp.StatusCode, m
	}

	status, m := post(url.Values{
		"grant_type": {"password"}, "username": {"alice"}, "password": {alicePass},
		"service": {env.Service}, "client_id": {"test"}, "access_type": {"offline"},
		"scope": {"repository:team/app:pull,push repository:other:pull"},
	})
	if status != 200 {
		t.Fatalf("password grant: status %d", status)
	}
	if m["scope"] != "repository:team/app:pull" {
		t.Errorf("password grant scope = %v, want partial grant repository:team/app:pull", m["scope"])
	}
	rt, _ := m["refresh_token"].(string)
	if rt == "" || m["access_token"] == "" {
		t.Fatalf("password grant: missing refresh_token or access_token in %v", m)
	}

	status, m = post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "service": {env.Service}, "scope": {"repository:team/x:pull"}})
	if status != 200 || m["refresh_token"] != rt || m["scope"] != "repository:team/x:pull" {
		t.Errorf("refresh grant: status %d, body %v", status, m)
	}
	for name, form := range map[string]url.Values{
		"bad refresh":  {"grant_type": {"refresh_token"}, "refresh_token": {"nope"}},
		"bad password": {"grant_type": {"password"}, "username": {"alice"}, "password": {bobPass}},
	} {
		if status, m := post(form); status != 401 || m["errors"] == nil {
			t.Errorf("%s: status %d body %v, want 401 with errors", name, status, m)
		}
	}
	if status, _ := post(url.Values{"grant_type": {"authorization_code"}}); status != 400 {
		t.Errorf("unsupported grant: status %d, want 400", status)
	}

	// go-containerregistry uses an identity token through the OAuth2 POST.
	push(t, env, "team/app", "v1")
	env.ResetCounts()
	if _, err := head(t, env, env.Ref("team/app", "v1"), authn.FromConfig(authn.AuthConfig{IdentityToken: rt})); err != nil {
		t.Fatalf("Head with identity token: %v", err)
	}
	got := env.Requests()
	var grants []string
	for _, r := range got {
		if r.Route == registrytest.RouteToken {
			grants = append(grants, r.Method+" "+r.GrantType+" "+r.User+" "+strings.Join(r.Scopes, " "))
		}
	}
	if diff := cmp.Diff([]string{"POST refresh_token alice repository:team/app:pull"}, grants); diff != "" {
		t.Errorf("token requests (-want +got):\n%s", diff)
	}

	// GET with offline_token=true gives a refresh token.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, env.RealmURL+"?offline_token=true&client_id=x&account=alice&service="+url.QueryEscape(env.Service), nil)
	req.SetBasicAuth("alice", alicePass)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body["refresh_token"] == nil {
		t.Errorf("offline_token GET: body %v, err %v", body, err)
	}
}

func TestHtpasswd(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{
		Mode:  registrytest.Htpasswd,
		Users: map[string]string{"alice": alicePass},
	})
	want := push(t, env, "team/app", "v1")
	desc, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass})
	if err != nil || desc.Digest.String() != want {
		t.Fatalf("Head = %v, %v; want %s", desc, err, want)
	}
	_, err = head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: bobPass})
	if statusOf(err) != 401 {
		t.Fatalf("Head with wrong password: %v, want 401", err)
	}
	noSecrets(t, "error", err.Error())
	if n := env.Count(registrytest.Filter{Route: registrytest.RouteToken}); n != 0 {
		t.Errorf("%d token requests in htpasswd mode", n)
	}
	if n := env.Count(registrytest.Filter{AuthScheme: "Basic", Route: registrytest.RouteManifest}); n != 2 {
		t.Errorf("%d Basic manifest requests, want 2", n)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{})
	want := push(t, env, "app", "v1")
	desc, err := head(t, env, env.Ref("app", "v1"), authn.Anonymous)
	if err != nil || desc.Digest.String() != want {
		t.Fatalf("Head = %v, %v; want %s", desc, err, want)
	}
}

func TestFaultRetryAfter(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	want := push(t, env, "team/app", "v1")
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Status: 429, RetryAfter: 1, Count: 1})

	fast := remote.WithRetryBackoff(remote.Backoff{Duration: 10 * time.Millisecond, Factor: 1, Steps: 3})
	desc, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass}, fast)
	if err != nil || desc.Digest.String() != want {
		t.Fatalf("Head = %v, %v; want %s after one 429", desc, err, want)
	}
	var got []string
	for _, r := range env.Requests() {
		if r.Route == registrytest.RouteManifest {
			got = append(got, fmt.Sprintf("%s %d %s", r.Method, r.Status, r.Fault))
		}
	}
	if diff := cmp.Diff([]string{"HEAD 429 status 429", "HEAD 200 "}, got); diff != "" {
		t.Errorf("manifest requests (-want +got):\n%s", diff)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	push(t, env, "team/app", "v1")
	client := &http.Client{Transport: env.Transport()}
	ping := func(timeout time.Duration) (*http.Response, error) {
		ctx, cancel := context.WithTimeout(t.Context(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+env.RegistryHost+"/v2/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}

	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Reset: true})
	if _, err := ping(5 * time.Second); err == nil {
		t.Error("ping after Reset fault succeeded")
	}

	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Delay: time.Minute})
	start := time.Now()
	if _, err := ping(100 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed ping: %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 30*time.Second { // the fault delays a minute
		t.Errorf("delayed ping took %v", d)
	}

	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 503, RetryAfter: 7, Count: 2})
	for i, want := range []int{503, 503, 401} {
		resp, err := ping(5 * time.Second)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("ping %d: %v %v, want %d", i, resp, err, want)
		}
		if want == 503 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("ping %d: Retry-After %q", i, resp.Header.Get("Retry-After"))
		}
	}

	// Realm faults, cleared.
	env.SetFault(registrytest.HostRealm, registrytest.Fault{Status: 500})
	if _, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass},
		remote.WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Steps: 1})); statusOf(err) != 500 {
		t.Errorf("Head with failing realm: %v, want 500", err)
	}
	env.ClearFaults()
	if _, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass}); err != nil {
		t.Errorf("Head after ClearFaults: %v", err)
	}
}

func TestRedirectLeak(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	want := push(t, env, "team/app", "v1")
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, RedirectTo: registrytest.HostCDN})

	// go-containerregistry follows the redirect without credentials.
	desc, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass})
	if err != nil || desc.Digest.String() != want {
		t.Fatalf("Head via CDN = %v, %v; want %s", desc, err, want)
	}
	if n := env.Count(registrytest.Filter{Host: registrytest.HostCDN, Route: registrytest.RouteManifest}); n != 1 {
		t.Errorf("%d CDN manifest requests, want 1", n)
	}
	if leaks := env.Leaks(); len(leaks) != 0 {
		t.Fatalf("ggcr leaked: %q", leaks)
	}

	// A careless client forwards Authorization on every redirect.
	tok := fetchToken(t, env, &http.Client{Transport: env.Transport()}, "alice", alicePass, "repository:team/app:pull")
	careless := &http.Client{
		Transport: env.Transport(),
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			req.Header.Set("Authorization", via[0].Header.Get("Authorization"))
			return nil
		},
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodHead, "https://"+env.RegistryHost+"/v2/team/app/manifests/v1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := careless.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Host != env.CDNHost || resp.Header.Get("Docker-Content-Digest") != want {
		t.Errorf("careless client ended at %s with digest %q", resp.Request.URL.Host, resp.Header.Get("Docker-Content-Digest"))
	}
	leaks := env.Leaks()
	if len(leaks) != 1 || !strings.Contains(leaks[0], "Bearer") || !strings.Contains(leaks[0], env.CDNHost) {
		t.Fatalf("leaks = %q, want one Bearer leak to %s", leaks, env.CDNHost)
	}
	if strings.Contains(leaks[0], tok) {
		t.Errorf("leak description contains the token")
	}
}

func TestPlainHTTPRealm(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, func() registrytest.Options {
		o := tokenOptions()
		o.PlainHTTPRealm = true
		return o
	}())
	push(t, env, "team/app", "v1")
	if !strings.HasPrefix(env.RealmURL, "http://"+env.RealmHost+"/") {
		t.Fatalf("RealmURL = %s", env.RealmURL)
	}
	// go-containerregistry refuses an http realm for an https registry.
	if _, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass}); err == nil || !strings.Contains(err.Error(), "realm") {
		t.Errorf("Head with http realm: %v, want a realm error", err)
	}
	if leaks := env.Leaks(); len(leaks) != 0 {
		t.Errorf("ggcr leaked: %q", leaks)
	}
	fetchToken(t, env, &http.Client{Transport: env.Transport()}, "alice", alicePass, "repository:team/app:pull")
	if leaks := env.Leaks(); len(leaks) != 1 || !strings.Contains(leaks[0], "plain-http realm") {
		t.Errorf("leaks = %q, want one plain-http realm leak", leaks)
	}
}

func TestSameHostRealm(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, func() registrytest.Options {
		o := tokenOptions()
		o.SameHostRealm = true
		return o
	}())
	want := push(t, env, "team/app", "v1")
	if env.RealmHost != env.RegistryHost || env.RealmURL != "https://"+env.RegistryHost+registrytest.DefaultSameHostRealmPath {
		t.Fatalf("RealmHost %s RealmURL %s, want the registry host", env.RealmHost, env.RealmURL)
	}
	desc, err := head(t, env, env.Ref("team/app", "v1"), &authn.Basic{Username: "alice", Password: alicePass})
	if err != nil || desc.Digest.String() != want {
		t.Fatalf("Head = %v, %v", desc, err)
	}
	if n := env.Count(registrytest.Filter{Host: registrytest.HostRealm, AuthScheme: "Basic"}); n != 1 {
		t.Errorf("%d realm requests with Basic, want 1", n)
	}
}

func TestPushIndex(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	idxDigest, platforms, err := env.PushIndex(t.Context(), "team/multi", "v1", "linux/amd64", "linux/arm64/v8")
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(env.Ref("team/multi", "v1"))
	opts := []remote.Option{remote.WithAuth(&authn.Basic{Username: "alice", Password: alicePass}), remote.WithTransport(env.Transport())}
	idx, err := remote.Index(ref, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := idx.Digest(); d.String() != idxDigest {
		t.Errorf("index digest %s, want %s", d, idxDigest)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range im.Manifests {
		got[m.Platform.String()] = m.Digest.String()
	}
	if diff := cmp.Diff(platforms, got); diff != "" {
		t.Errorf("platform digests (-pushed +served):\n%s", diff)
	}
	// Resolving with a platform gives the platform manifest.
	img, err := remote.Image(ref, append(opts, remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}))...)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := img.Digest(); d.String() != platforms["linux/arm64/v8"] {
		t.Errorf("arm64 digest %s, want %s", d, platforms["linux/arm64/v8"])
	}
}

// TestPullerReuse checks the cost of many HEADs through one Puller: one
// ping, one token request, one HEAD per tag.
func TestPullerReuse(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, tokenOptions())
	const n = 500
	start := time.Now()
	wantDigest, tags, err := env.TagMany(t.Context(), "team/app", n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("TagMany(%d) took %v", n, time.Since(start))

	puller, err := remote.NewPuller(remote.WithAuth(&authn.Basic{Username: "alice", Password: alicePass}), remote.WithTransport(env.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan string)
	for range 8 {
		wg.Go(func() {
			for tag := range work {
				ref, err := name.NewTag(env.Ref("team/app", tag))
				if err != nil {
					errs <- err
					continue
				}
				desc, err := remote.Head(ref, remote.Reuse(puller), remote.WithContext(t.Context()))
				if err != nil {
					errs <- err
				} else if desc.Digest.String() != wantDigest {
					errs <- fmt.Errorf("%s: digest %s", tag, desc.Digest)
				}
			}
		})
	}
	for _, tag := range tags {
		work <- tag
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d HEADs with one Puller, 8 workers: %v", n, time.Since(start))

	counts := map[string]int{
		"ping":  env.Count(registrytest.Filter{Route: registrytest.RoutePing}),
		"token": env.Count(registrytest.Filter{Route: registrytest.RouteToken}),
		"head":  env.Count(registrytest.Filter{Route: registrytest.RouteManifest, Method: http.MethodHead}),
		"all":   len(env.Requests()),
	}
	if diff := cmp.Diff(map[string]int{"ping": 1, "token": 1, "head": n, "all": n + 2}, counts); diff != "" {
		t.Errorf("request counts (-want +got):\n%s", diff)
	}
}

func TestTagManyLarge(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{})
	start := time.Now()
	d, tags, err := env.TagMany(t.Context(), "big", 10000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("TagMany(10000) took %v", time.Since(start))
	if len(tags) != 10000 || tags[9999] != "tag-09999" {
		t.Fatalf("tags: %d, last %q", len(tags), tags[len(tags)-1])
	}
	desc, err := head(t, env, env.Ref("big", "tag-05000"), authn.Anonymous)
	if err != nil || desc.Digest.String() != d {
		t.Fatalf("Head tag-05000 = %v, %v; want %s", desc, err, d)
	}
	repo, _ := name.NewRepository(env.RegistryHost + "/big")
	listed, err := remote.List(repo, remote.WithTransport(env.Transport()))
	if err != nil || len(listed) != 10000 {
		t.Fatalf("List: %d tags, %v", len(listed), err)
	}
}

func TestDialAndFiles(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{Mode: registrytest.Token, RegistryName: "reg.example.test", RealmName: "auth.example.test"})
	if !strings.HasPrefix(env.RegistryHost, "reg.example.test:") || !strings.HasPrefix(env.RealmHost, "auth.example.test:") {
		t.Fatalf("hosts %s %s", env.RegistryHost, env.RealmHost)
	}
	ca, err := os.ReadFile(env.CAFile)
	if err != nil || string(ca) != string(env.CAPEM) || !strings.Contains(string(ca), "BEGIN CERTIFICATE") {
		t.Errorf("CAFile: %v", err)
	}
	args := env.ResolveArgs()
	if len(args) != 3 {
		t.Fatalf("ResolveArgs = %q", args)
	}
	for _, a := range args {
		if !strings.HasSuffix(a, ":127.0.0.1") || strings.Count(a, ":") != 2 {
			t.Errorf("resolve arg %q", a)
		}
	}
	_, port, _ := strings.Cut(env.RegistryHost, ":")
	for _, addr := range []string{"example.com:443", "127.0.0.1:" + port, "localhost:" + port, "reg.example.test:1"} {
		if c, err := env.DialContext(t.Context(), "tcp", addr); err == nil {
			c.Close()
			t.Errorf("DialContext(%s) succeeded", addr)
		}
	}
	c, err := env.DialContext(t.Context(), "tcp", strings.ToUpper(env.RegistryHost))
	if err != nil {
		t.Errorf("DialContext(%s): %v", env.RegistryHost, err)
	} else {
		c.Close()
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts registrytest.Options
		want string
	}{
		{"same host and plain http", registrytest.Options{Mode: registrytest.Token, SameHostRealm: true, PlainHTTPRealm: true}, "conflict"},
		{"acl outside token mode", registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{"a": "b"}, ACL: map[string][]registrytest.Grant{"a": {{Repo: "*", Actions: []string{"pull"}}}}}, "Token mode"},
		{"acl for unknown user", registrytest.Options{Mode: registrytest.Token, ACL: map[string][]registrytest.Grant{"x": nil}}, "not in Users"},
		{"unknown action", registrytest.Options{Mode: registrytest.Token, Users: map[string]string{"a": "b"}, ACL: map[string][]registrytest.Grant{"a": {{Repo: "*", Actions: []string{"fly"}}}}}, "unknown action"},
		{"ip name", registrytest.Options{RegistryName: "127.0.0.1"}, "not an IP"},
		{"same names", registrytest.Options{Mode: registrytest.Token, RegistryName: "a.test", RealmName: "a.test"}, "used for both"},
		{"reserved user", registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{registrytest.AdminUser: "x"}}, "reserved"},
		{"users in open mode", registrytest.Options{Users: map[string]string{"a": "b"}}, "users need"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, err := registrytest.Start(t.Context(), tt.opts)
			if err == nil {
				env.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
