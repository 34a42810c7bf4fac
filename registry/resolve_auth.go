package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pullsecret/pullsecret/match"

	"github.com/google/go-containerregistry/pkg/name"
)

const (
	// maxTokenResponse bounds a token response body.
	maxTokenResponse = 1 << 20
	// maxCachedRepos is the number of repositories per credential above
	// which expired tokens are swept from the cache.
	maxCachedRepos = 4096
)

// registryState is what a Resolver knows about one registry: its ping
// (once), how it authenticates, and the token caches per credential.
type registryState struct {
	r   *Resolver
	reg name.Registry

	mu    sync.Mutex
	ping  *pingCall
	auths map[credKey]*authState
}

// credKey identifies a credential in the caches (never printed).
type credKey struct {
	username, password, identityToken, registryToken string
}

// pingCall is one ping of a registry, shared by every image of it.
type pingCall struct {
	done chan struct{}
	at   time.Time
	err  error

	base    string // "https://host:port"
	scheme  string // "", "basic" or "bearer"
	realm   *url.URL
	service string
	client  *http.Client // requests to the registry and its realm, behind the guard
}

// registry returns the state of the registry host[:port] as the kubelet
// names it ("docker.io" is Docker Hub).
func (r *Resolver) registry(host string) (*registryState, error) {
	reg, err := ParseRegistry(host, r.opts.Network.PlainHTTP)
	if err != nil {
		return nil, err
	}
	key := strings.ToLower(reg.RegistryStr())
	r.mu.Lock()
	defer r.mu.Unlock()
	rs := r.registries[key]
	if rs == nil {
		rs = &registryState{r: r, reg: reg, auths: map[credKey]*authState{}}
		r.registries[key] = rs
	}
	return rs, nil
}

// authFor returns the token cache of one credential at this registry.
func (rs *registryState) authFor(c match.Credential) *authState {
	k := credKey{c.Username, c.Password, c.IdentityToken, c.RegistryToken}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	as := rs.auths[k]
	if as == nil {
		as = &authState{rs: rs, cred: c, tokens: map[string]*tokenCall{}, pendingSet: map[string]bool{}, singleOnly: map[string]bool{}}
		as.red.addCredential(c)
		if c.Username != "" || c.Password != "" {
			as.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password))
		}
		rs.auths[k] = as
	}
	return as
}

// pinged returns the registry's ping, sending GET /v2/ once for all
// images (a failure is remembered for failureTTL).
func (rs *registryState) pinged(ctx context.Context) (*pingCall, error) {
	for {
		rs.mu.Lock()
		p := rs.ping
		if p != nil {
			select {
			case <-p.done:
				if p.err == nil || (!isContextError(p.err) && rs.r.now().Sub(p.at) < failureTTL) {
					rs.mu.Unlock()
					return p, p.err
				}
			default:
				rs.mu.Unlock()
				select {
				case <-p.done:
					continue
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
		p = &pingCall{done: make(chan struct{})}
		rs.ping = p
		rs.mu.Unlock()

		p.err = rs.doPing(ctx, p)
		p.at = rs.r.now()
		close(p.done)
		return p, p.err
	}
}

// doPing sends the ping and validates the challenge's realm.
func (rs *registryState) doPing(ctx context.Context, p *pingCall) error {
	res, err := ping(ctx, rs.r.rt, rs.reg, rs.r.opts.Network.PlainHTTP)
	if err != nil {
		return err
	}
	g, realm, rerr := res.trust(rs.r.opts.Network.PlainHTTP)
	p.client = newClient(rs.r.rt, g)
	p.base = "https://" + rs.reg.RegistryStr()
	if res.Insecure {
		p.base = "http://" + rs.reg.RegistryStr()
	}
	if res.Status == http.StatusOK {
		return nil
	}
	switch {
	case strings.EqualFold(res.Scheme, "basic"):
		p.scheme = "basic"
		return nil
	case !res.IsBearer():
		return verdictf(match.VerdictError, "ping %s: the registry asks for %q authentication, which is not supported (want Bearer or Basic)", rs.reg.RegistryStr(), res.Scheme)
	}
	p.scheme = "bearer"
	p.service = res.Service
	if rerr != nil {
		return verdictf(realmVerdict(rerr), "ping %s: %v", rs.reg.RegistryStr(), rerr)
	}
	p.realm = realm
	return nil
}

// authState caches the tokens of one credential at one registry, keyed by
// repository. A token request asks for the announced repositories not yet
// covered (up to ScopeBatch), so many repositories cost one request.
type authState struct {
	rs    *registryState
	cred  match.Credential
	basic string   // "Basic …" or ""
	red   redactor // the credential's secrets and the tokens issued for it

	mu         sync.Mutex
	tokens     map[string]*tokenCall // repository → the token covering it
	pending    []string              // announced, not yet covered, in order
	pendingSet map[string]bool
	singleOnly map[string]bool // repositories a batch token did not cover
	noBatch    bool            // the server grants only part of a batch
}

// tokenCall is one token request and its outcome, shared by every image
// of the repositories it covers.
type tokenCall struct {
	done      chan struct{}
	repos     []string
	bearer    string // "Bearer …"
	refreshAt time.Time
	at        time.Time
	err       error
	retry     bool // the server refused the batch: ask again, one scope at a time
}

// usable reports whether c is in flight or holds a token (or a recent
// failure) that a new request would not improve on. Call with as.mu held.
func (c *tokenCall) usable(now time.Time) bool {
	select {
	case <-c.done:
		if c.err != nil {
			return !c.retry && !isContextError(c.err) && now.Sub(c.at) < failureTTL
		}
		return now.Before(c.refreshAt)
	default:
		return true
	}
}

// announce notes that repo will need a token, so that the next token
// request can include it.
func (as *authState) announce(repo string, now time.Time) {
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.pendingSet[repo] {
		return
	}
	if c := as.tokens[repo]; c != nil && c.usable(now) {
		return
	}
	as.pendingSet[repo] = true
	as.pending = append(as.pending, repo)
}

// token returns a token covering repo: a cached one, one in flight, or a
// new one. avoid is a token the registry refused; it is not returned
// again, and the new request asks for repo alone. fresh reports that this
// call made the request.
func (as *authState) token(ctx context.Context, p *pingCall, repo string, avoid *tokenCall) (c *tokenCall, fresh bool, err error) {
	for {
		as.mu.Lock()
		now := as.rs.r.now()
		c = as.tokens[repo]
		if c != nil && c != avoid {
			select {
			case <-c.done:
				if c.usable(now) {
					as.mu.Unlock()
					return c, false, c.err
				}
			default:
				as.mu.Unlock()
				select {
				case <-c.done:
					continue
				case <-ctx.Done():
					return nil, false, ctx.Err()
				}
			}
		}
		repos := []string{repo}
		if avoid == nil && !as.noBatch && !as.singleOnly[repo] {
			repos = as.takePending(repo, now)
		} else if as.pendingSet[repo] {
			as.dropPending(repo)
		}
		c = &tokenCall{done: make(chan struct{}), repos: repos}
		if len(as.tokens) >= maxCachedRepos {
			as.prune(now)
		}
		for _, rp := range repos {
			as.tokens[rp] = c
		}
		as.mu.Unlock()

		as.fetch(ctx, p, c)
		if c.retry {
			continue
		}
		return c, true, c.err
	}
}

// takePending returns repo and up to ScopeBatch-1 other announced
// repositories not yet covered, and removes them from the pending list.
// Call with as.mu held.
func (as *authState) takePending(repo string, now time.Time) []string {
	limit := as.rs.r.batch
	repos := make([]string, 1, min(limit, len(as.pending)+1))
	repos[0] = repo
	delete(as.pendingSet, repo)
	keep := as.pending[:0]
	for _, rp := range as.pending {
		switch {
		case rp == repo:
		case !as.pendingSet[rp]:
			// taken out of order already
		case len(repos) < limit && !as.singleOnly[rp] && !as.covered(rp, now):
			repos = append(repos, rp)
			delete(as.pendingSet, rp)
		case as.covered(rp, now):
			delete(as.pendingSet, rp)
		default:
			keep = append(keep, rp)
		}
	}
	clear(as.pending[len(keep):])
	as.pending = keep
	return repos
}

// dropPending removes repo from the pending list. Call with as.mu held.
func (as *authState) dropPending(repo string) {
	delete(as.pendingSet, repo)
	as.pending = slices.DeleteFunc(as.pending, func(s string) bool { return s == repo })
}

// covered reports whether repo has a usable token. Call with as.mu held.
func (as *authState) covered(repo string, now time.Time) bool {
	c := as.tokens[repo]
	return c != nil && c.usable(now)
}

// fetch performs the token request of c and publishes its outcome.
func (as *authState) fetch(ctx context.Context, p *pingCall, c *tokenCall) {
	start := as.rs.r.now()
	tok, lifetime, status, err := as.request(ctx, p, c.repos)
	as.mu.Lock()
	defer as.mu.Unlock()
	defer close(c.done)
	c.at = as.rs.r.now()
	if err != nil {
		batchRefused := len(c.repos) > 1 && (status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge ||
			status == http.StatusRequestURITooLong || status == http.StatusRequestHeaderFieldsTooLarge)
		if batchRefused {
			as.noBatch = true
			c.retry = true
		}
		c.err = err
		if batchRefused || isContextError(err) {
			as.forget(c)
		}
		return
	}
	c.bearer = "Bearer " + tok
	c.refreshAt = start.Add(lifetime - min(maxTokenRefreshMargin, lifetime/5))
	if len(c.repos) > 1 {
		// A JWT says what it grants: repositories it leaves out get
		// their own request if they are needed again.
		if access, ok := tokenAccess(tok); ok {
			for _, rp := range c.repos[1:] {
				if !grantsPull(access, rp) {
					as.singleOnly[rp] = true
					if as.tokens[rp] == c {
						delete(as.tokens, rp)
					}
				}
			}
		}
	}
}

// prune drops the repositories whose token is no longer usable, so that
// a long-lived Resolver does not accumulate them. Call with as.mu held.
func (as *authState) prune(now time.Time) {
	for rp, c := range as.tokens {
		if !c.usable(now) {
			delete(as.tokens, rp)
		}
	}
	if len(as.singleOnly) >= maxCachedRepos {
		clear(as.singleOnly)
	}
}

// forget removes c from the cache. Call with as.mu held.
func (as *authState) forget(c *tokenCall) {
	for _, rp := range c.repos {
		if as.tokens[rp] == c {
			delete(as.tokens, rp)
		}
	}
}

// refused handles a 401 to a request made with c for repo. A refused
// batch token, when a single-scope token then worked (ok), shows that the
// server grants only part of a batch: later token requests ask for one
// repository each.
func (as *authState) refused(c *tokenCall, repo string, ok bool) {
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.tokens[repo] == c {
		delete(as.tokens, repo)
	}
	if ok && len(c.repos) > 1 {
		// Batch tokens already issued stay cached for their other
		// repositories: the server may well have granted those (dropping
		// them cost a needless token request whenever this 401 came
		// before their first use), and a repository they do not cover
		// takes this same path on its own 401.
		as.noBatch = true
	}
}

// request asks the realm for a pull token on repos (one scope each) with
// the state's credential. status is the HTTP status when a response came.
func (as *authState) request(ctx context.Context, p *pingCall, repos []string) (tok string, lifetime time.Duration, status int, err error) {
	scopes := make([]string, len(repos))
	for i, rp := range repos {
		scopes[i] = "repository:" + rp + ":pull"
	}
	what := "repository " + repos[0]
	if len(repos) > 1 {
		what = fmt.Sprintf("%d repositories", len(repos))
	}
	rep, err := fetchToken(ctx, p.client, tokenRequest{realm: p.realm, service: p.service, scopes: scopes, cred: as.cred})
	if err != nil {
		return "", 0, rep.status, prefixed(err, "fetch token from %s for %s", p.realm, what)
	}
	as.red.addToken(rep.token)
	return rep.token, rep.lifetime, rep.status, nil
}

// anonymous reports whether the state's credential sends nothing.
func (as *authState) anonymous() bool { return as.cred.IsEmpty() }

// isContextError reports whether err comes from a cancelled or expired
// context (of one caller: others should try again).
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
