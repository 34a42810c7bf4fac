package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/pullsecret/pullsecret/match"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// PingResult is what GET /v2/ told about a registry's authentication.
type PingResult struct {
	// Registry is the host[:port] that was pinged, as go-containerregistry
	// names it ("index.docker.io" for Docker Hub).
	Registry string `json:"registry"`
	// URL is the URL that answered ("https://quay.io/v2/").
	URL string `json:"url"`
	// Status is the HTTP status of the answer: 200 (no authentication
	// needed) or 401 (a challenge).
	Status int `json:"status"`
	// Insecure reports that the registry answered over plain http://.
	Insecure bool `json:"insecure,omitempty"`
	// Scheme is the auth scheme of the challenge a client uses ("Bearer",
	// "Basic"), or "" when the registry needs no authentication.
	Scheme string `json:"scheme"`
	// Realm and Service are the Bearer challenge's parameters.
	Realm   string `json:"realm,omitempty"`
	Service string `json:"service,omitempty"`
	// RealmHost is the realm URL's host[:port].
	RealmHost string `json:"realmHost,omitempty"`
	// Delegated reports that the realm is on another host than the
	// registry: authentication is delegated to a separate server.
	Delegated bool `json:"delegated"`
	// Challenges are every challenge of every WWW-Authenticate line.
	Challenges []Challenge `json:"-"`
}

// chosen returns the challenge a client answers: the first Bearer, else
// the first Basic, else the first.
func chosenChallenge(cs []Challenge) (Challenge, bool) {
	for _, scheme := range []string{"bearer", "basic"} {
		for _, c := range cs {
			if c.IsScheme(scheme) {
				return c, true
			}
		}
	}
	if len(cs) > 0 {
		return cs[0], true
	}
	return Challenge{}, false
}

// IsBearer reports whether the registry wants a Bearer token.
func (p *PingResult) IsBearer() bool { return strings.EqualFold(p.Scheme, "bearer") }

// ParseRegistry turns a registry as users write it ("quay.io",
// "https://registry.example.com:5000/v2/", "docker.io", a key with a
// repository path) into go-containerregistry's registry: the path and
// scheme are dropped and Docker Hub is index.docker.io.
func ParseRegistry(registry string, insecure bool) (name.Registry, error) {
	k, err := dockercfg.ParseKey(registry)
	if err != nil {
		return name.Registry{}, fmt.Errorf("parse registry %q: %w", registry, err)
	}
	opts := []name.Option{name.StrictValidation}
	if insecure {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(k.Host, opts...)
	if err != nil {
		return name.Registry{}, fmt.Errorf("parse registry %q: %w", registry, err)
	}
	return reg, nil
}

// Ping sends GET /v2/ to registry (host[:port]; a scheme or path is
// ignored) and reports its authentication challenge. HTTPS is used; with
// opts.PlainHTTP, http:// is tried when HTTPS cannot connect. A status
// other than 200 or 401 is an error (classify it with [Classify]); the
// result is returned with it when a response arrived.
func Ping(ctx context.Context, registry string, opts NetworkOptions) (*PingResult, error) {
	reg, err := ParseRegistry(registry, opts.PlainHTTP)
	if err != nil {
		return nil, err
	}
	rt, err := opts.Transport()
	if err != nil {
		return nil, err
	}
	return ping(ctx, rt, reg, opts.PlainHTTP)
}

// DiscoverRealmHost pings registry and returns the host[:port] of the
// Bearer realm it delegates authentication to, and whether that is the
// registry's own host. A registry that uses Basic auth or none
// authenticates itself: the registry host is returned with sameHost true.
func DiscoverRealmHost(ctx context.Context, registry string, opts NetworkOptions) (host string, sameHost bool, err error) {
	p, err := Ping(ctx, registry, opts)
	if err != nil {
		return "", false, err
	}
	if !p.IsBearer() {
		return p.Registry, true, nil
	}
	if p.RealmHost == "" {
		return "", false, fmt.Errorf("discover realm of %s: Bearer challenge has no usable realm", p.Registry)
	}
	return p.RealmHost, !p.Delegated, nil
}

// ping pings reg through rt, over https and, when plainHTTP allows it and
// https cannot connect, over http.
func ping(ctx context.Context, rt http.RoundTripper, reg name.Registry, plainHTTP bool) (*PingResult, error) {
	res, err := pingScheme(ctx, rt, reg, "https", plainHTTP)
	redirected := errors.Is(err, errRedirectedChallenge) && res != nil && strings.HasPrefix(res.URL, "http:")
	if err == nil || (res != nil && !redirected) || !plainHTTP || ctx.Err() != nil {
		// An https registry redirected to http (allowed by plainHTTP) is
		// asked over http directly: there its own host answers.
		return res, err
	}
	res2, err2 := pingScheme(ctx, rt, reg, "http", plainHTTP)
	if err2 == nil || res2 != nil {
		return res2, err2
	}
	return nil, fmt.Errorf("%w (over http: %v)", err, err2)
}

// errRedirectedChallenge is wrapped by the ping error of a registry whose
// challenge came from another host after a redirect.
var errRedirectedChallenge = errors.New("challenge from another host not trusted")

// pingScheme is one GET scheme://reg/v2/. A non-nil result comes with a
// response; the error then explains a status other than 200 or 401.
//
// The ping follows redirects as every request does (see [guard]): at most
// 10, never from https to http unless plainHTTP. A challenge that comes
// from another host:port than the registry's (after a redirect) is refused:
// only the registry's own host names the realm its credentials may go to.
func pingScheme(ctx context.Context, rt http.RoundTripper, reg name.Registry, scheme string, plainHTTP bool) (*PingResult, error) {
	u := scheme + "://" + reg.RegistryStr() + "/v2/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("ping %s: %w", u, err)
	}
	resp, err := newClient(rt, guard{allowHTTP: plainHTTP}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("ping %s: %w", u, unwrapURLError(err))
	}
	defer drain(resp)
	final := resp.Request.URL
	res := &PingResult{
		Registry: reg.RegistryStr(),
		URL:      final.String(),
		Status:   resp.StatusCode,
		Insecure: scheme == "http",
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return res, nil
	case http.StatusUnauthorized:
	default:
		return res, fmt.Errorf("ping %s: %w", u, transport.CheckError(resp, http.StatusOK, http.StatusUnauthorized))
	}
	if !sameHostPort(final.Host, final.Scheme, reg.RegistryStr(), scheme) {
		return res, fmt.Errorf("ping %s: %w: redirected to %s, another host (only the registry's own host may name the realm its credentials go to)", u, errRedirectedChallenge, final.Redacted())
	}
	headers := resp.Header.Values("WWW-Authenticate")
	cs, perr := ParseChallenges(headers)
	res.Challenges = cs
	c, ok := chosenChallenge(cs)
	if !ok {
		if perr != nil {
			return res, fmt.Errorf("ping %s: 401 with an unreadable challenge: %w", u, perr)
		}
		return res, fmt.Errorf("ping %s: 401 without a WWW-Authenticate challenge", u)
	}
	res.Scheme = c.Scheme
	if c.IsScheme("bearer") {
		res.Realm, res.Service = c.Realm(), c.Service()
		if ru, err := url.Parse(res.Realm); err == nil && ru.Host != "" {
			res.RealmHost = ru.Host
			res.Delegated = !sameHostPort(ru.Host, ru.Scheme, reg.RegistryStr(), scheme)
		}
	}
	return res, nil
}

// registryScheme is the scheme the registry answered the ping on.
func (p *PingResult) registryScheme() string {
	if p.Insecure {
		return "http"
	}
	return "https"
}

// trust returns the credential guard for requests to the registry that
// answered p: its own host:port, and for a Bearer challenge the realm it
// named, once that passed [CheckRealm] (plain http only with plainHTTP or an
// http registry). realm is nil when the registry uses no Bearer challenge.
func (p *PingResult) trust(plainHTTP bool) (g guard, realm *url.URL, err error) {
	g.allowHTTP = plainHTTP || p.Insecure
	g.trust(p.registryScheme(), p.Registry)
	if !p.IsBearer() || p.Status != http.StatusUnauthorized {
		return g, nil, nil
	}
	realm, err = CheckRealm(p.Realm, p.Registry, g.allowHTTP)
	if err != nil {
		return g, nil, err
	}
	g.trust(realm.Scheme, realm.Host)
	return g, realm, nil
}

// sameHostPort compares two host[:port] with default ports filled in by
// their schemes, ignoring case.
func sameHostPort(a, schemeA, b, schemeB string) bool {
	return canonicalHostPort(a, schemeA) == canonicalHostPort(b, schemeB)
}

func canonicalHostPort(hp, scheme string) string {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		host, port = strings.Trim(hp, "[]"), ""
	}
	if port == "" {
		port = "443"
		if scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// unwrapURLError drops the *url.Error wrapper ("Get \"URL\": ...") whose
// URL the caller already names, keeping the cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// CheckRealm applies the rules every command follows before it sends
// credentials to a Bearer realm: raw must be an http(s) URL; plain http only
// when allowHTTP (--plain-http, or an http registry); and a realm on a
// private, loopback or link-local IP literal must be on the registry's own
// host:port, since go-containerregistry refuses it otherwise (an SSRF guard)
// and the message says what to do instead. A plain-http refusal wraps
// ErrTLS. It returns the parsed realm.
func CheckRealm(raw, registry string, allowHTTP bool) (*url.URL, error) {
	realm, err := url.Parse(raw)
	if err != nil || realm.Host == "" || (realm.Scheme != "https" && realm.Scheme != "http") {
		return nil, fmt.Errorf("the Bearer challenge's realm %q is not an http(s) URL", raw)
	}
	if realm.Scheme == "http" && !allowHTTP {
		return nil, fmt.Errorf("%w: refusing to send credentials to realm %s over plain HTTP while the registry uses HTTPS (allow it with --plain-http)", match.ErrTLS, raw)
	}
	if ip, err := netip.ParseAddr(strings.Trim(realm.Hostname(), "[]")); err == nil && realm.Host != registry &&
		(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified()) {
		return nil, errors.New(realmIPMessage(raw, realm, registry))
	}
	return realm, nil
}

// realmVerdict is the failure class of a CheckRealm error.
func realmVerdict(err error) match.Verdict {
	if errors.Is(err, match.ErrTLS) {
		return match.VerdictTLS
	}
	return match.VerdictError
}
