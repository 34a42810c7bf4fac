package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

// LoginCheckRepo is the repository a login check's token request asks pull
// access for when the server names no path. Good credentials get a token
// (perhaps granting nothing); wrong ones a 401.
const LoginCheckRepo = "pullsecret/login-check"

// LoginCheck is the outcome of a [CheckLogin] that found no fault with the
// credentials.
type LoginCheck struct {
	// Host is the registry host[:port] that was checked.
	Host string
	// Checked is false when the registry needs no authentication, so
	// that the credentials could not be checked.
	Checked bool
}

// CheckLogin verifies cred (Username and Password) against the registry of
// server without pulling anything: it pings GET /v2/; for a Bearer
// challenge it requests a token for pull access to a repository (server's
// path, or LoginCheckRepo) with the credentials, for a Basic challenge it
// repeats GET /v2/ with them. A 401 or 403 from the token server or the
// registry is an error wrapping match.ErrUnauthorized; a token (even one
// granting nothing) means the credentials were accepted. A registry that
// needs no authentication cannot check them: the result says so
// (Checked false), with no error.
//
// Every request goes through the package's guard: at most 10 redirects,
// none from https to http without PlainHTTP, credentials only to the
// registry and the realm it names. No secret appears in the error.
func CheckLogin(ctx context.Context, server string, cred match.Credential, opts NetworkOptions) (*LoginCheck, error) {
	k, err := dockercfg.ParseKey(server)
	if err != nil {
		return nil, err
	}
	reg, err := ParseRegistry(k.Host, opts.PlainHTTP)
	if err != nil {
		return nil, err
	}
	rt, err := opts.Transport()
	if err != nil {
		return nil, err
	}
	pr, err := ping(ctx, rt, reg, opts.PlainHTTP)
	if err != nil {
		return nil, withClass(err)
	}
	var red redactor
	red.addCredential(cred)
	fail := func(err error) (*LoginCheck, error) { return nil, red.redactErr(err) }
	if pr.Scheme == "" {
		return &LoginCheck{Host: k.Host}, nil
	}
	g, realm, err := pr.trust(opts.PlainHTTP)
	if err != nil {
		return nil, withClass(err)
	}
	client := newClient(rt, g)
	switch {
	case pr.IsBearer():
		repo := k.Path
		if repo == "" {
			repo = LoginCheckRepo
		}
		tr := tokenRequest{realm: realm, service: pr.Service, scopes: []string{"repository:" + repo + ":pull"},
			cred: match.Credential{Username: cred.Username, Password: cred.Password}}
		rep, err := fetchToken(ctx, client, tr)
		if err != nil {
			var ve *verdictError
			if (rep.status == http.StatusUnauthorized || rep.status == http.StatusForbidden) && errors.As(err, &ve) {
				// Either means the credentials do not log in.
				return fail(fmt.Errorf("%w: fetch token from %s: %s", match.ErrUnauthorized, realm, ve.msg))
			}
			return fail(withClass(fmt.Errorf("fetch token from %s: %w", realm, err)))
		}
		red.addToken(rep.token)
		return &LoginCheck{Host: k.Host, Checked: true}, nil
	case strings.EqualFold(pr.Scheme, "basic"):
	default:
		return nil, fmt.Errorf("registry asks for %s authentication, which --check does not support", pr.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pr.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.SetBasicAuth(cred.Username, cred.Password)
	resp, err := client.Do(req)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", match.ErrNetwork, unwrapURLError(err)))
	}
	drain(resp)
	switch {
	case resp.StatusCode == http.StatusOK:
		return &LoginCheck{Host: k.Host, Checked: true}, nil
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return fail(fmt.Errorf("%w: %s rejected the credentials of %q (HTTP %d)", match.ErrUnauthorized, req.URL.Host, cred.Username, resp.StatusCode))
	}
	return fail(fmt.Errorf("%s answered HTTP %d to the credential check", req.URL.Host, resp.StatusCode))
}

// withClass returns err wrapping the sentinel of its failure class
// ([Classify]): a ping that fails on DNS, TLS or a timeout says so to
// errors.Is, as a failed token request does. An error that already wraps a
// sentinel, or has none (VerdictError), is returned as it is.
func withClass(err error) error {
	if _, ok := match.VerdictOf(err); ok {
		return err
	}
	if _, sentinel := Classify(err); sentinel != nil {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}
