package registry

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/pullsecret/pullsecret/match"
)

// maxRedirects is how many redirects one request may follow.
const maxRedirects = 10

// guard is the package's one redirect and credential rule, applied to
// every request through [newClient]:
//
//   - an Authorization header goes only to the registry's own host:port or
//     to the realm host the registry itself named (see [PingResult.guard]),
//     and over plain HTTP only when allowHTTP;
//   - a redirect drops the Authorization header when it leaves the first
//     request's host:port, a redirect from https to http is refused unless
//     allowHTTP, and at most maxRedirects are followed.
//
// The zero guard lets no Authorization header through.
type guard struct {
	hosts     []string // canonical host:port that may receive credentials
	allowHTTP bool
}

// trust adds the host of u (scheme://host[:port]) to the hosts that may
// receive credentials.
func (g *guard) trust(scheme, hostPort string) {
	g.hosts = append(g.hosts, canonicalHostPort(hostPort, scheme))
}

// allows reports whether credentials may go to u.
func (g guard) allows(u *url.URL) bool {
	hp := canonicalHostPort(u.Host, u.Scheme)
	for _, h := range g.hosts {
		if h == hp {
			return true
		}
	}
	return false
}

// newClient returns an HTTP client over rt that enforces g. It is the only
// place the package makes an http.Client.
func newClient(rt http.RoundTripper, g guard) *http.Client {
	return &http.Client{Transport: &guardTransport{inner: rt, g: g}, CheckRedirect: g.checkRedirect}
}

// checkRedirect is the http.Client CheckRedirect of g.
func (g guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	prev := via[len(via)-1].URL
	if req.URL.Scheme == "http" && prev.Scheme == "https" && !g.allowHTTP {
		return fmt.Errorf("%w: refuse redirect from https to %s", match.ErrTLS, req.URL.Redacted())
	}
	if !sameHostPort(req.URL.Host, req.URL.Scheme, via[0].URL.Host, via[0].URL.Scheme) {
		req.Header.Del("Authorization")
	}
	return nil
}

// errRefuseCredentials is wrapped by the guard's refusals.
var errRefuseCredentials = errors.New("refuse to send credentials")

// guardTransport refuses a request whose Authorization header would reach
// a host or scheme its guard does not allow.
type guardTransport struct {
	inner http.RoundTripper
	g     guard
}

// RoundTrip implements http.RoundTripper.
func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		if !t.g.allows(req.URL) {
			return nil, fmt.Errorf("%w to %s: only the registry and the token realm it names may receive them", errRefuseCredentials, req.URL.Host)
		}
		if req.URL.Scheme != "https" && !t.g.allowHTTP {
			return nil, fmt.Errorf("%w: %w to %s over plain HTTP", match.ErrTLS, errRefuseCredentials, req.URL.Host)
		}
	}
	return t.inner.RoundTrip(req)
}
