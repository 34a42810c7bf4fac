package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
func CheckLogin(ctx context.Context, server string, cred match.Credential, opts NetworkOptions) (*LoginCheck, error) {
	user, pass := cred.Username, cred.Password
	k, err := dockercfg.ParseKey(server)
	if err != nil {
		return nil, err
	}
	pr, err := Ping(ctx, k.Host, opts)
	if err != nil {
		return nil, err
	}
	rt, err := opts.Transport()
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("refusing a redirect to another host (%s) with credentials", req.URL.Host)
		}
		return nil
	}}
	var target string
	switch {
	case pr.Scheme == "":
		return &LoginCheck{Host: k.Host}, nil
	case pr.IsBearer():
		realm, err := CheckRealm(pr.Realm, pr.Registry, opts.PlainHTTP || pr.Insecure)
		if err != nil {
			return nil, err
		}
		repo := k.Path
		if repo == "" {
			repo = LoginCheckRepo
		}
		q := realm.Query()
		if pr.Service != "" {
			q.Set("service", pr.Service)
		}
		q.Set("scope", "repository:"+repo+":pull")
		q.Set("account", user)
		realm.RawQuery = q.Encode()
		target = realm.String()
	case strings.EqualFold(pr.Scheme, "basic"):
		target = pr.URL
	default:
		return nil, fmt.Errorf("registry asks for %s authentication, which --check does not support", pr.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.SetBasicAuth(user, pass)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %w", match.ErrNetwork, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusOK:
		return &LoginCheck{Host: k.Host, Checked: true}, nil
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("%w: %s rejected the credentials of %q (HTTP %d)", match.ErrUnauthorized, req.URL.Host, user, resp.StatusCode)
	}
	return nil, fmt.Errorf("%s answered HTTP %d to the credential check", req.URL.Host, resp.StatusCode)
}
