package registry_test

// Credential leaks found against misbehaving registries (issue 7), one test
// each, against the hostile servers of hostile_test.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// client is one way of talking to a registry with credentials: test-pull,
// resolve or the login check. run returns every text the client would
// show the user (errors, result fields) and the verdict.
type client struct {
	name string
	run  func(ctx context.Context, t *testing.T, reg string, opts registry.NetworkOptions) (verdict match.Verdict, texts []string)
}

var clients = []client{
	{"test-pull", func(ctx context.Context, t *testing.T, reg string, opts registry.NetworkOptions) (match.Verdict, []string) {
		res, err := registry.TestPull(ctx, reg+"/team/app:1.0", []match.Credential{hostileCred(reg)}, registry.TestPullOptions{Network: opts})
		if err != nil {
			t.Fatalf("TestPull: %v", err)
		}
		b, _ := json.Marshal(res)
		texts := []string{string(b)}
		if err := res.Err(); err != nil {
			texts = append(texts, err.Error())
		}
		return res.Verdict, texts
	}},
	{"resolve", func(ctx context.Context, t *testing.T, reg string, opts registry.NetworkOptions) (match.Verdict, []string) {
		res, err := registry.Resolve(ctx, []string{reg + "/team/app:1.0"}, registry.ResolveOptions{Network: opts, Credentials: []match.Credential{hostileCred(reg)}})
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		b, _ := json.Marshal(res[0])
		texts := []string{string(b)}
		if err := res[0].Err(); err != nil {
			texts = append(texts, err.Error())
		}
		return res[0].Verdict, texts
	}},
	{"login-check", func(ctx context.Context, t *testing.T, reg string, opts registry.NetworkOptions) (match.Verdict, []string) {
		_, err := registry.CheckLogin(ctx, reg, hostileCred(reg), opts)
		if err == nil {
			return match.VerdictOK, nil
		}
		v, _ := registry.Classify(err)
		return v, []string{err.Error()}
	}},
}

// secretsIn returns the forms of the test credentials found in texts.
func secretsIn(texts []string, extra ...string) []string {
	forms := append([]string{
		hostilePass,
		base64.StdEncoding.EncodeToString([]byte(hostileUser + ":" + hostilePass)),
		hostileUser + ":" + hostilePass,
	}, extra...)
	var found []string
	for _, s := range texts {
		for _, f := range forms {
			if strings.Contains(s, f) {
				found = append(found, fmt.Sprintf("%q in %q", f, s))
			}
		}
	}
	return found
}

// Leak 1: https://reg/v2/ redirects to another host (plain http, or https)
// whose challenge names a realm on itself. Neither that host nor its realm
// was named by the registry: no credential may go there.
func TestLeakPingRedirectToOtherHost(t *testing.T) {
	t.Parallel()
	for _, plain := range []bool{false, true} {
		for _, scheme := range []string{"http", "https"} {
			for _, c := range clients {
				name := scheme + "/" + c.name
				if plain {
					name += "/plain-http"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					other := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
						switch r.URL.Path {
						case "/v2/":
							w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="reg"`, s.URL(scheme, "/token")))
							w.WriteHeader(http.StatusUnauthorized)
						case "/token":
							fmt.Fprint(w, `{"token":"tok"}`)
						default:
							w.WriteHeader(http.StatusNotFound)
						}
					})
					reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
						if r.URL.Path == "/v2/" {
							http.Redirect(w, r, other.URL(scheme, "/v2/"), http.StatusTemporaryRedirect)
							return
						}
						w.WriteHeader(http.StatusNotFound)
					})
					opts := hostileOptions(t, reg, other)
					opts.PlainHTTP = plain
					v, texts := c.run(t.Context(), t, reg.Host, opts)
					if got := other.Authorized(); len(got) > 0 {
						t.Errorf("credentials sent to %s, a host the registry %s redirected its ping to: %+v", other.Host, reg.Host, got)
					}
					if v == match.VerdictOK {
						t.Errorf("verdict ok, want a failure: %q", texts)
					}
				})
			}
		}
	}
	t.Run("http/delegated", func(t *testing.T) {
		t.Parallel()
		other := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="reg"`, s.URL("http", "/token")))
			w.WriteHeader(http.StatusUnauthorized)
		})
		reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL("http", "/v2/"), http.StatusTemporaryRedirect)
		})
		host, _, err := registry.DiscoverRealmHost(t.Context(), reg.Host, hostileOptions(t, reg, other))
		if err == nil || host == other.Host {
			t.Errorf("DiscoverRealmHost(%s) = %q, %v; want an error, not the realm of the host the ping was redirected to", reg.Host, host, err)
		}
	})
}

// Leak 2: a request with credentials is redirected from https to http on
// the same host name. The credentials must not follow in clear.
func TestLeakSameHostRedirectToPlainHTTP(t *testing.T) {
	t.Parallel()
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Header.Get("Authorization") == "":
					w.Header().Set("WWW-Authenticate", `Basic realm="reg"`)
					w.WriteHeader(http.StatusUnauthorized)
				case r.TLS != nil:
					http.Redirect(w, r, s.URL("http", r.URL.RequestURI()), http.StatusTemporaryRedirect)
				default:
					w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
					w.WriteHeader(http.StatusOK)
				}
			})
			_, _ = c.run(t.Context(), t, reg.Host, hostileOptions(t, reg))
			if got := reg.ClearTextCredentials(); len(got) > 0 {
				t.Errorf("credentials sent over plain HTTP after a redirect from https: %+v", got)
			}
		})
	}
}

// Leak 3: a redirect loop, on /v2/ or on the token endpoint, must stop
// after at most 10 redirects. The server ends the loop itself after 100
// requests, so that the test fails rather than hangs without the limit.
func TestLeakRedirectLoopBounded(t *testing.T) {
	t.Parallel()
	const serverGivesUp = 100
	for _, where := range []string{"registry", "token"} {
		for _, c := range clients {
			t.Run(where+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				var looped atomic.Int64
				reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
					loop := func() {
						if looped.Add(1) > serverGivesUp {
							w.WriteHeader(http.StatusInternalServerError)
							return
						}
						http.Redirect(w, r, r.URL.RequestURI(), http.StatusTemporaryRedirect)
					}
					switch {
					case where == "registry" && r.Header.Get("Authorization") == "":
						w.Header().Set("WWW-Authenticate", `Basic realm="reg"`)
						w.WriteHeader(http.StatusUnauthorized)
					case where == "registry":
						loop()
					case r.URL.Path == "/token":
						loop()
					default:
						w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="reg"`, s.URL("https", "/token")))
						w.WriteHeader(http.StatusUnauthorized)
					}
				})
				v, texts := c.run(t.Context(), t, reg.Host, hostileOptions(t, reg))
				// test-pull tries the candidate, then anonymously: two
				// chains of at most 11 requests each.
				if n := looped.Load(); n > 22 {
					t.Errorf("the client followed %d redirects of a loop, want at most 10 per request", n)
				}
				if v == match.VerdictOK {
					t.Errorf("verdict ok after a redirect loop: %q", texts)
				}
			})
		}
	}
}

// Leak 4: the timeout bounds each request whole, body included. The
// server sends one byte every 50 ms and never finishes, from the token
// endpoint or from the registry (once credentials come); with a 300 ms
// timeout the call must come back, with a timeout naming it where the body
// matters. (A hang is caught by the backstop context below, 100 times
// longer, and by go test's own -timeout.)
func TestLeakTimeoutBoundsWholeRequest(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	for _, where := range []string{"token", "registry"} {
		for _, c := range clients {
			t.Run(where+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
					authz := r.Header.Get("Authorization")
					switch {
					case where == "token" && r.URL.Path == "/token":
						s.drip(w, r, http.StatusOK)
					case where == "token":
						w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="reg"`, s.URL("https", "/token")))
						w.WriteHeader(http.StatusUnauthorized)
					case authz == "":
						w.Header().Set("WWW-Authenticate", `Basic realm="reg"`)
						w.WriteHeader(http.StatusUnauthorized)
					default:
						s.drip(w, r, http.StatusOK)
					}
				})
				opts := hostileOptions(t, reg)
				opts.Timeout = timeout
				backstop, cancel := context.WithTimeout(t.Context(), 100*timeout)
				defer cancel()
				v, texts := c.run(backstop, t, reg.Host, opts)
				if backstop.Err() != nil {
					t.Fatalf("the call ran until the backstop context ended it, past the %v request timeout: verdict %s: %q", timeout, v, texts)
				}
				// The login check of a Basic registry needs only the status
				// of GET /v2/, not its body: ok is right there.
				if v == match.VerdictOK && where == "registry" && c.name == "login-check" {
					return
				}
				if v != match.VerdictTimeout {
					t.Fatalf("verdict %q, want %q: %q", v, match.VerdictTimeout, texts)
				}
				if !strings.Contains(strings.Join(texts, " "), timeout.String()) {
					t.Errorf("the error does not name the %v request timeout: %q", timeout, texts)
				}
			})
		}
	}
}

// Leak 5: what a hostile server echoes (the Basic credentials in a token
// error, the bearer token in a registry error) is redacted in every
// output of every client.
func TestLeakEchoRedacted(t *testing.T) {
	t.Parallel()
	const bearer = "echoed-bearer-token-0123456789"
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		a := r.Header.Get("Authorization")
		decoded := ""
		if b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "Basic ")); err == nil {
			decoded = string(b)
		}
		body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{
			"code": "UNAUTHORIZED", "message": "you sent " + a + " (" + decoded + ")",
		}}})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	for _, where := range []string{"token", "registry"} {
		for _, c := range clients {
			t.Run(where+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
					switch {
					case r.URL.Path == "/token" && where == "token":
						echo(w, r, http.StatusUnauthorized)
					case r.URL.Path == "/token":
						fmt.Fprintf(w, `{"token":%q}`, bearer)
					case r.URL.Path != "/v2/" && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
						echo(w, r, http.StatusNotFound)
					default:
						w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="reg"`, s.URL("https", "/token")))
						w.WriteHeader(http.StatusUnauthorized)
					}
				})
				v, texts := c.run(t.Context(), t, reg.Host, hostileOptions(t, reg))
				if found := secretsIn(texts, bearer); len(found) > 0 {
					t.Errorf("secret in the output (verdict %s): %s", v, strings.Join(found, "; "))
				}
				if len(reg.Authorized()) == 0 {
					t.Errorf("no request carried credentials: the test tests nothing")
				}
			})
		}
	}
}

// The child manifest test-pull reads for the config blob of an index is
// capped like every manifest: one larger than the cap fails with that
// reason instead of being cut and then misread.
func TestTestPullChildManifestOverCap(t *testing.T) {
	t.Parallel()
	child := "sha256:" + strings.Repeat("a", 64)
	index := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":5000000,"platform":{"os":"linux","architecture":"amd64"}}]}`, child)
	const limit = 4 << 20
	reg := newHostile(t, func(s *hostile, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/":
		case "/v2/team/app/manifests/1.0":
			w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
			fmt.Fprint(w, index)
		case "/v2/team/app/manifests/" + child:
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			big := `{"schemaVersion":2,"config":{"digest":"sha256:` + strings.Repeat("b", 64) + `"},"annotations":{"pad":"` + strings.Repeat("x", limit) + `"}}`
			fmt.Fprint(w, big)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	res, err := registry.TestPull(t.Context(), reg.Host+"/team/app:1.0", nil, registry.TestPullOptions{Network: hostileOptions(t, reg), Blobs: true})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("larger than %d bytes", limit)
	if res.Verdict != match.VerdictError || !strings.Contains(res.Error, want) {
		t.Errorf("verdict %s, error %q; want error saying %q", res.Verdict, res.Error, want)
	}
}
