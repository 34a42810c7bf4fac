package registrytest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	user    string
	service string
}

// scope is one parsed "type:name:actions" token scope.
type scope struct {
	typ, name string
	actions   []string
}

// String formats s as a scope string.
func (s scope) String() string {
	return s.typ + ":" + s.name + ":" + strings.Join(s.actions, ",")
}

// parseScope parses "type[(class)]:name:action[,action]". The name may
// itself contain one ':' (host:port), so the actions start after the last
// colon and the type ends at the first.
func parseScope(s string) (scope, error) {
	typ, rest, ok := strings.Cut(s, ":")
	i := strings.LastIndex(rest, ":")
	if !ok || i <= 0 || typ == "" {
		return scope{}, fmt.Errorf("invalid scope %q", s)
	}
	if j := strings.IndexByte(typ, '('); j > 0 && strings.HasSuffix(typ, ")") {
		typ = typ[:j] // resource classes are deprecated: repository(plugin) ≡ repository
	}
	var actions []string
	for _, a := range strings.Split(rest[i+1:], ",") {
		if a != "" && !slices.Contains(actions, a) {
			actions = append(actions, a)
		}
	}
	return scope{typ: typ, name: rest[:i], actions: actions}, nil
}

// globMatch matches name against pattern, where '*' matches any run of
// characters (including '/').
func globMatch(pattern, name string) bool {
	for {
		star := strings.IndexByte(pattern, '*')
		if star < 0 {
			return pattern == name
		}
		if !strings.HasPrefix(name, pattern[:star]) {
			return false
		}
		name = name[star:]
		pattern = pattern[star+1:]
		if pattern == "" {
			return true
		}
		for i := 0; i <= len(name); i++ {
			if globMatch(pattern, name[i:]) {
				return true
			}
		}
		return false
	}
}

// allowedActions returns the actions user ("" = anonymous) may perform on
// the resource; "*" means all.
func (e *Env) allowedActions(user, typ, name string) []string {
	if user == AdminUser {
		return []string{"*"}
	}
	var out []string
	switch {
	case typ == "registry" && name == "catalog":
		// Catalog access goes with a catch-all grant.
		for _, g := range e.opts.ACL[user] {
			if g.Repo == "*" && slices.Contains(g.Actions, "*") {
				out = append(out, "*")
			}
		}
	case typ == "repository":
		for _, g := range e.opts.ACL[user] {
			if globMatch(g.Repo, name) {
				out = append(out, g.Actions...)
			}
		}
		for _, p := range e.opts.AnonymousPull {
			if globMatch(p, name) {
				out = append(out, "pull")
			}
		}
	}
	return out
}

// grant intersects the requested scopes with what user may do. Scopes for
// the same resource are merged; resources with no granted action are left
// out (a partial or empty grant is not an error).
func (e *Env) grant(user string, requested []scope) []scope {
	var out []scope
	for _, req := range requested {
		allowed := e.allowedActions(user, req.typ, req.name)
		all := slices.Contains(allowed, "*")
		var got []string
		for _, a := range req.actions {
			if all || (a != "*" && slices.Contains(allowed, a)) {
				got = append(got, a)
			}
		}
		if len(got) == 0 {
			continue
		}
		i := slices.IndexFunc(out, func(s scope) bool { return s.typ == req.typ && s.name == req.name })
		if i < 0 {
			out = append(out, scope{typ: req.typ, name: req.name})
			i = len(out) - 1
		}
		for _, a := range got {
			if !slices.Contains(out[i].actions, a) {
				out[i].actions = append(out[i].actions, a)
			}
		}
	}
	return out
}

// accessEntry is one element of the JWT "access" claim.
type accessEntry struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// tokenClaims are the claims the Distribution registry verifies.
type tokenClaims struct {
	jwt.RegisteredClaims
	Access []accessEntry `json:"access"`
}

// mint signs a registry token for user with the given access. The header
// carries x5c (the signing certificate, which is in the registry's
// rootcertbundle) and kid (its RFC 7638 JWK thumbprint); the registry uses
// x5c, and would fall back to kid without it.
func (e *Env) mint(user string, access []scope, now time.Time) (string, error) {
	claims, err := e.claims(user, access, now)
	if err != nil {
		return "", err
	}
	return e.sign(claims, true)
}

// claims builds the claim set of a token for user.
func (e *Env) claims(user string, access []scope, now time.Time) (tokenClaims, error) {
	jti, err := randomHex(16)
	if err != nil {
		return tokenClaims{}, err
	}
	entries := make([]accessEntry, 0, len(access))
	for _, s := range access {
		entries = append(entries, accessEntry{Type: s.typ, Name: s.name, Actions: s.actions})
	}
	return tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    e.opts.Issuer,
			Subject:   user,
			Audience:  jwt.ClaimStrings{e.Service},
			ExpiresAt: jwt.NewNumericDate(now.Add(e.opts.TokenExpiry)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Access: entries,
	}, nil
}

// sign signs claims with ES256, with a kid header and, if x5c, the
// signing certificate.
func (e *Env) sign(claims tokenClaims, x5c bool) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = e.signer.kid
	if x5c {
		tok.Header["x5c"] = []string{base64.StdEncoding.EncodeToString(e.signer.certDER)}
	}
	signed, err := tok.SignedString(e.signer.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// checkPassword reports whether user/pass are valid credentials.
func (e *Env) checkPassword(user, pass string) bool {
	want, ok := e.opts.Users[user]
	if user == AdminUser {
		want, ok = e.adminPass, true
	}
	// Compare even for unknown users so timing does not tell them apart.
	match := subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
	return ok && match
}

// tokenResponse is the token endpoint's JSON answer.
type tokenResponse struct {
	Token        string `json:"token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	IssuedAt     string `json:"issued_at"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// maxFormBytes bounds an OAuth2 POST body.
const maxFormBytes = 64 << 10

// serveToken implements the Docker token endpoint: GET with optional Basic
// auth and repeated scope parameters, and the OAuth2 POST form with
// grant_type password or refresh_token.
func (e *Env) serveToken(w http.ResponseWriter, r *http.Request) {
	if e.signer == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "registrytest: no token server in this mode")
		return
	}
	var (
		user, grantType string
		rawScopes       []string
		offline         bool
		service         string
		refreshToken    string
	)
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		service = q.Get("service")
		for _, s := range q["scope"] {
			rawScopes = append(rawScopes, strings.Fields(s)...)
		}
		offline = q.Get("offline_token") == "true"
		if u, p, ok := r.BasicAuth(); ok {
			if !e.checkPassword(u, p) {
				e.tokenDenied(w, r, "incorrect username or password")
				return
			}
			user = u
		}
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "UNSUPPORTED", "registrytest: cannot parse form")
			return
		}
		f := r.PostForm
		service = f.Get("service")
		grantType = f.Get("grant_type")
		for _, s := range f["scope"] {
			rawScopes = append(rawScopes, strings.Fields(s)...)
		}
		e.annotate(r.Context(), func(rec *Request) {
			rec.GrantType = grantType
			rec.Scopes = slices.Clone(rawScopes)
		})
		switch grantType {
		case "password":
			u, p := f.Get("username"), f.Get("password")
			if !e.checkPassword(u, p) {
				e.tokenDenied(w, r, "incorrect username or password")
				return
			}
			user = u
			offline = f.Get("access_type") == "offline"
		case "refresh_token":
			refreshToken = f.Get("refresh_token")
			e.mu.Lock()
			g, ok := e.refresh[refreshToken]
			e.mu.Unlock()
			if refreshToken == "" || !ok || (service != "" && service != g.service) {
				e.tokenDenied(w, r, "invalid refresh token")
				return
			}
			user = g.user
		default:
			writeError(w, http.StatusBadRequest, "UNSUPPORTED", "registrytest: unsupported grant_type")
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "registrytest: method not allowed")
		return
	}

	if service != "" && service != e.Service {
		writeError(w, http.StatusBadRequest, "UNSUPPORTED", fmt.Sprintf("registrytest: unknown service %q", service))
		return
	}
	requested := make([]scope, 0, len(rawScopes))
	for _, s := range rawScopes {
		sc, err := parseScope(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "UNSUPPORTED", "registrytest: "+err.Error())
			return
		}
		requested = append(requested, sc)
	}
	granted := e.grant(user, requested)

	now := time.Now()
	signed, err := e.mint(user, granted, now)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "UNKNOWN", "registrytest: cannot sign token")
		return
	}
	if offline && user != "" && refreshToken == "" {
		if refreshToken, err = randomHex(24); err != nil {
			writeError(w, http.StatusInternalServerError, "UNKNOWN", "registrytest: cannot make refresh token")
			return
		}
		e.mu.Lock()
		e.refresh[refreshToken] = refreshGrant{user: user, service: e.Service}
		e.mu.Unlock()
	}
	var grantedStrings []string
	for _, s := range granted {
		grantedStrings = append(grantedStrings, s.String())
	}
	e.annotate(r.Context(), func(rec *Request) {
		rec.User = user
		rec.Granted = grantedStrings
	})
	resp := tokenResponse{
		Token:        signed,
		AccessToken:  signed,
		ExpiresIn:    int(e.opts.TokenExpiry / time.Second),
		IssuedAt:     now.UTC().Format(time.RFC3339),
		RefreshToken: refreshToken,
	}
	if r.Method == http.MethodPost {
		resp.Scope = strings.Join(grantedStrings, " ")
	}
	body, err := json.Marshal(resp)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "UNKNOWN", "registrytest: cannot encode token")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// tokenDenied answers 401 with a JSON error; the message never contains
// the credential.
func (e *Env) tokenDenied(w http.ResponseWriter, r *http.Request, msg string) {
	if u, _, ok := r.BasicAuth(); ok {
		e.annotate(r.Context(), func(rec *Request) { rec.User = u })
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg)
}

// serveCDN answers a redirected request from the registry's storage, as a
// CDN with pre-signed URLs would: the client's credentials are not needed
// (and receiving any is recorded as a leak by front). The request is
// replayed on the registry App with the admin's authority.
func (e *Env) serveCDN(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Authorization")
	r2.Host = e.RegistryHost
	switch e.opts.Mode {
	case Htpasswd:
		r2.SetBasicAuth(AdminUser, e.adminPass)
	case Token:
		route, repo := classify(HostRegistry, r.URL.Path)
		var access []scope
		switch {
		case route == RouteCatalog:
			access = []scope{{typ: "registry", name: "catalog", actions: []string{"*"}}}
		case repo != "":
			access = []scope{{typ: "repository", name: repo, actions: []string{"*"}}}
		}
		signed, err := e.mint(AdminUser, access, time.Now())
		if err != nil {
			writeError(w, http.StatusInternalServerError, "UNKNOWN", "registrytest: cannot sign token")
			return
		}
		r2.Header.Set("Authorization", "Bearer "+signed)
	}
	e.app.ServeHTTP(w, r2)
}
