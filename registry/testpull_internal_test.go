package registry

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func jwtWith(payload string) string {
	return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}

func TestTokenAccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tok      string
		want     []string
		wantOK   bool
		wantPull bool
	}{
		{"opaque token", "abc", nil, false, false},
		{"no access claim", jwtWith(`{"sub":"a"}`), nil, false, false},
		{"empty grant", jwtWith(`{"access":[]}`), []string{}, true, false},
		{"pull", jwtWith(`{"access":[{"type":"repository","name":"team/app","actions":["pull"]}]}`), []string{"repository:team/app:pull"}, true, true},
		{"star", jwtWith(`{"access":[{"type":"repository","name":"team/app","actions":["*"]}]}`), []string{"repository:team/app:*"}, true, true},
		{"other repo", jwtWith(`{"access":[{"type":"repository","name":"other","actions":["pull"]}]}`), []string{"repository:other:pull"}, true, false},
		{"no actions", jwtWith(`{"access":[{"type":"repository","name":"team/app","actions":[]}]}`), []string{}, true, false},
		{"bad json", jwtWith(`{"access":`), nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tokenAccess(tt.tok)
			if ok != tt.wantOK {
				t.Fatalf("ok = %t, want %t", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("access (-want +got):\n%s", diff)
			}
			if p := grantsPull(got, "team/app"); p != tt.wantPull {
				t.Errorf("grantsPull = %t, want %t", p, tt.wantPull)
			}
		})
	}
}

func FuzzTokenAccess(f *testing.F) {
	f.Add(jwtWith(`{"access":[{"type":"repository","name":"a:1/b","actions":["pull","push"]}]}`))
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, tok string) {
		access, _ := tokenAccess(tok)
		_ = grantsPull(access, "a/b")
	})
}

func TestCredentialGuard(t *testing.T) {
	t.Parallel()
	ok := roundTripFunc(func(*http.Request) (*http.Response, error) { return &http.Response{StatusCode: 200}, nil })
	tests := []struct {
		name      string
		url       string
		authz     bool
		allowHTTP bool
		wantErr   bool
	}{
		{"realm with credentials", "https://sso.test/token", true, false, false},
		{"other host with credentials", "https://cdn.test/token", true, false, true},
		{"other host without credentials", "https://cdn.test/token", false, false, false},
		{"http realm with credentials", "http://sso.test/token", true, false, true},
		{"http realm allowed", "http://sso.test/token", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gd := guard{allowHTTP: tt.allowHTTP}
			gd.trust("https", "sso.test")
			gd.trust("http", "sso.test") // an http realm, trusted only with allowHTTP
			g := &guardTransport{inner: ok, g: gd}
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			if tt.authz {
				req.Header.Set("Authorization", "Basic eDp5")
			}
			_, err := g.RoundTrip(req)
			if (err != nil) != tt.wantErr {
				t.Errorf("RoundTrip error %v, want error %t", err, tt.wantErr)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
