package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

// tokenClientID is the OAuth2 client_id of identity-token requests.
const tokenClientID = "pullsecret"

// tokenRequest is one request for a Bearer token: the package's one token
// fetch, used by test-pull, resolve and the login check.
type tokenRequest struct {
	realm   *url.URL // checked by CheckRealm
	service string
	scopes  []string // "repository:NAME:pull", one per repository
	cred    match.Credential
}

// tokenReply is a token endpoint's answer.
type tokenReply struct {
	token    string
	lifetime time.Duration
	status   int    // HTTP status of the answer, 0 when none came
	method   string // method of the request that answered
}

// tokenResponse is a token endpoint's JSON answer.
type tokenResponse struct {
	Token       string `json:"token"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// tokenLifetime is how long a token lives given expires_in (seconds; 0 or
// less means the specification's default of 60 s).
func tokenLifetime(expiresIn int64) time.Duration {
	if expiresIn <= 0 {
		return DefaultTokenLifetime
	}
	if expiresIn > int64(24*time.Hour/time.Second) {
		return 24 * time.Hour
	}
	return time.Duration(expiresIn) * time.Second
}

// fetchToken asks the realm for a token through client (which carries the
// guard): with an identity token the OAuth2 POST, falling back to GET when
// the endpoint answers 404 or 405 (as docker does); else GET with one scope
// parameter per scope and the Basic credentials, if any. The error is a
// *verdictError whose message says what the token server did ("the token
// server rejected the credentials of user "alice" (401): UNAUTHORIZED:
// …"); callers prefix it. The reply carries the status and method even on
// failure.
func fetchToken(ctx context.Context, client *http.Client, tr tokenRequest) (tokenReply, error) {
	if tr.cred.IdentityToken != "" {
		form := url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {tr.cred.IdentityToken},
			"service":       {tr.service},
			"client_id":     {tokenClientID},
			"scope":         {strings.Join(tr.scopes, " ")},
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tr.realm.String(), strings.NewReader(form.Encode()))
		if err != nil {
			return tokenReply{method: http.MethodPost}, fmt.Errorf("build token request: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			return tokenReply{method: http.MethodPost}, unclassified(err)
		}
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			return readToken(resp, tr.cred, http.MethodPost)
		}
		drain(resp)
		// No OAuth2 endpoint: fall back to GET.
	}
	u := *tr.realm
	q := u.Query()
	for _, s := range tr.scopes {
		q.Add("scope", s)
	}
	if tr.service != "" {
		q.Set("service", tr.service)
	}
	if tr.cred.Username != "" {
		q.Set("account", tr.cred.Username)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return tokenReply{method: http.MethodGet}, fmt.Errorf("build token request: %w", err)
	}
	if tr.cred.Username != "" || tr.cred.Password != "" {
		req.SetBasicAuth(tr.cred.Username, tr.cred.Password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return tokenReply{method: http.MethodGet}, unclassified(err)
	}
	return readToken(resp, tr.cred, http.MethodGet)
}

// readToken reads and closes a token response.
func readToken(resp *http.Response, cred match.Credential, method string) (tokenReply, error) {
	defer drain(resp)
	rep := tokenReply{status: resp.StatusCode, method: method}
	if resp.StatusCode != http.StatusOK {
		terr := transport.CheckError(resp, http.StatusOK)
		v := classifyStatus(resp.StatusCode)
		msg := fmt.Sprintf("the token server answered %d", resp.StatusCode)
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if cred.IsEmpty() {
				v, msg = match.VerdictNoCredentials, "the token server refuses anonymous requests (401)"
			} else {
				msg = fmt.Sprintf("the token server rejected the credentials of user %q (401)", cred.Username)
			}
		case http.StatusForbidden:
			msg = fmt.Sprintf("the token server denied user %q (403)", cred.Username)
		case http.StatusNotFound:
			v = match.VerdictError // the token endpoint is missing, not the image
		}
		return rep, verdictf(v, "%s: %s", msg, errorText(terr))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	if err != nil {
		return rep, classified(err, "read response")
	}
	if len(body) > maxTokenResponse {
		return rep, verdictf(match.VerdictError, "response larger than %d bytes", maxTokenResponse)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return rep, verdictf(match.VerdictError, "the response is not token JSON")
	}
	rep.token = tr.Token
	if rep.token == "" {
		rep.token = tr.AccessToken
	}
	if rep.token == "" {
		return rep, verdictf(match.VerdictError, "the response holds no token")
	}
	rep.lifetime = tokenLifetime(tr.ExpiresIn)
	return rep, nil
}

// drain reads a little of a response body, so that its connection can be
// reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// tokenAccess decodes the access claim of a JWT without verifying it:
// "type:name:actions" strings. ok is false when tok is not a JWT or has no
// access claim.
func tokenAccess(tok string) (access []string, ok bool) {
	var claims struct {
		Access *[]struct {
			Type    string   `json:"type"`
			Name    string   `json:"name"`
			Actions []string `json:"actions"`
		} `json:"access"`
	}
	if !dockercfg.PeekJWT(tok, &claims) || claims.Access == nil {
		return nil, false
	}
	access = []string{}
	for _, a := range *claims.Access {
		if len(a.Actions) == 0 {
			continue
		}
		access = append(access, a.Type+":"+a.Name+":"+strings.Join(a.Actions, ","))
	}
	return access, true
}

// grantsPull reports whether the access list allows pulling repo.
func grantsPull(access []string, repo string) bool {
	for _, a := range access {
		s, err := ParseScope(a)
		if err != nil || s.Type != "repository" || s.Name != repo {
			continue
		}
		if slices.Contains(s.Actions, "pull") || slices.Contains(s.Actions, "*") {
			return true
		}
	}
	return false
}
