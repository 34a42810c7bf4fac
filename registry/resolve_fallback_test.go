package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// stingyRegistry is a registry and token server on one host that issues
// opaque (non-JWT) tokens. In "first" mode a token covers only the first
// scope requested, as some servers do; in "refuse" mode a request for
// more than one scope is a 400.
type stingyRegistry struct {
	mode string

	mu     sync.Mutex
	tokens []int // scopes per token request
	heads  map[int]int
}

func (s *stingyRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	challenge := fmt.Sprintf(`Bearer realm="https://%s/token",service="stingy"`, r.Host)
	switch {
	case r.URL.Path == "/v2/":
		w.Header().Set("WWW-Authenticate", challenge)
		w.WriteHeader(http.StatusUnauthorized)
	case r.URL.Path == "/token":
		scopes := r.URL.Query()["scope"]
		s.mu.Lock()
		s.tokens = append(s.tokens, len(scopes))
		s.mu.Unlock()
		if s.mode == "refuse" && len(scopes) > 1 {
			http.Error(w, `{"errors":[{"code":"UNSUPPORTED","message":"one scope at a time"}]}`, http.StatusBadRequest)
			return
		}
		name := strings.TrimSuffix(strings.TrimPrefix(scopes[0], "repository:"), ":pull")
		_ = json.NewEncoder(w).Encode(map[string]any{"token": "opaque-" + name, "expires_in": 300})
	case strings.HasPrefix(r.URL.Path, "/v2/"):
		repo, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/manifests/")
		status := http.StatusOK
		if r.Header.Get("Authorization") != "Bearer opaque-"+repo {
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", challenge+`,scope="repository:`+repo+`:pull",error="insufficient_scope"`)
		} else {
			w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("ab", 32))
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		}
		s.mu.Lock()
		s.heads[status]++
		s.mu.Unlock()
		w.WriteHeader(status)
	default:
		http.NotFound(w, r)
	}
}

func (s *stingyRegistry) counts() ([]int, map[int]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	heads := map[int]int{}
	for k, v := range s.heads {
		heads[k] = v
	}
	tokens := append([]int(nil), s.tokens...)
	s.tokens, s.heads = nil, map[int]int{}
	return tokens, heads
}

func TestResolveBatchFallback(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"first", "refuse"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			fake := &stingyRegistry{mode: mode, heads: map[int]int{}}
			srv := httptest.NewUnstartedServer(fake)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "https://")
			r, err := registry.NewResolver(registry.ResolveOptions{Transport: srv.Client().Transport})
			if err != nil {
				t.Fatal(err)
			}
			refs := func(repos ...string) []string {
				var out []string
				for tag := range 3 {
					for _, rp := range repos {
						out = append(out, fmt.Sprintf("%s/%s:%d", host, rp, tag))
					}
				}
				return out
			}
			check := func(res []registry.ResolveResult, refs []string) {
				t.Helper()
				for i, r := range res {
					if r.Input != refs[i] || r.Verdict != match.VerdictOK {
						t.Fatalf("result %d: %+v", i, r)
					}
				}
			}

			first := refs("a", "b", "c")
			res, err := r.Resolve(context.Background(), first)
			if err != nil {
				t.Fatal(err)
			}
			check(res, first)
			tokens, heads := fake.counts()
			switch mode {
			case "first":
				// One batch (which covers "a" only), then one request each
				// for the repositories the batch token did not open.
				if diff := cmp.Diff([]int{3, 1, 1}, tokens); diff != "" {
					t.Errorf("scopes per token request (-want +got):\n%s", diff)
				}
				if heads[http.StatusOK] != 9 || heads[http.StatusUnauthorized] < 2 || heads[http.StatusUnauthorized] > 6 {
					t.Errorf("HEADs by status: %v", heads)
				}
			case "refuse":
				if tokens[0] != 3 || len(tokens) != 4 || heads[http.StatusOK] != 9 || heads[http.StatusUnauthorized] != 0 {
					t.Errorf("token scopes %v, HEADs %v; want a refused batch, then 3 single requests and 9 good HEADs", tokens, heads)
				}
			}

			// The resolver remembers: one scope per request from now on.
			second := refs("d", "e")
			res, err = r.Resolve(context.Background(), second)
			if err != nil {
				t.Fatal(err)
			}
			check(res, second)
			tokens, heads = fake.counts()
			if diff := cmp.Diff([]int{1, 1}, tokens); diff != "" {
				t.Errorf("second call: scopes per token request (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[int]int{http.StatusOK: 6}, heads); diff != "" {
				t.Errorf("second call: HEADs by status (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolvePartialGrantInJWT(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	var refs []string
	for _, repo := range []string{"team/a", "secret/x", "team/b"} {
		if _, err := env.PushRandomImage(ctx, repo, "1"); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, env.Ref(repo, "1"))
	}
	env.ResetCounts()
	res, err := registry.Resolve(ctx, refs, resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	got := []match.Verdict{res[0].Verdict, res[1].Verdict, res[2].Verdict}
	if diff := cmp.Diff([]match.Verdict{match.VerdictOK, match.VerdictForbidden, match.VerdictOK}, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	// The batch token's access claim leaves secret/x out, so it gets a
	// request of its own (which is granted nothing either): two token
	// requests, and no HEAD wasted on a token known not to cover it.
	if diff := cmp.Diff([]int{3, 1}, tokenScopes(env)); diff != "" {
		t.Errorf("scopes per token request (-want +got):\n%s", diff)
	}
	if n := env.Count(registrytest.Filter{Route: registrytest.RouteManifest, Method: http.MethodHead}); n != 3 {
		t.Errorf("%d HEADs, want 3", n)
	}
}

func TestResolveIdentityToken(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	digest, err := env.PushRandomImage(ctx, "team/app", "1")
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, env.RealmURL+"?service="+env.Service+"&offline_token=true", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("ci", resolvePass)
	resp, err := (&http.Client{Transport: env.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || body.RefreshToken == "" {
		t.Fatalf("no refresh token: %v", err)
	}

	opts := resolveOpts(env)
	opts.Credentials = []match.Credential{{Key: env.RegistryHost, IdentityToken: body.RefreshToken, Source: "x"}}
	opts.Semantics = match.SemanticsDocker
	env.ResetCounts()
	res, err := registry.Resolve(ctx, []string{env.Ref("team/app", "1")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Digest != digest {
		t.Fatalf("result %+v", res[0])
	}
	if n := env.Count(registrytest.Filter{Route: registrytest.RouteToken, Method: http.MethodPost}); n != 1 {
		t.Errorf("%d OAuth2 POSTs, want 1: %v", n, requestSummary(env))
	}
	if strings.Contains(fmt.Sprintf("%+v", res[0]), body.RefreshToken) {
		t.Error("result shows the identity token")
	}
}
