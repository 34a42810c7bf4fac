package registrytest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
)

// Host names one of the Env's servers by role.
type Host string

const (
	// HostRegistry is the Distribution registry.
	HostRegistry Host = "registry"
	// HostRealm is the token server (on the registry's listener with
	// Options.SameHostRealm).
	HostRealm Host = "realm"
	// HostCDN is the redirect target: it records the request and serves
	// it from the registry's storage without asking for credentials, like
	// a blob CDN with signed URLs.
	HostCDN Host = "cdn"
)

// Route classifies a request by what it asks for.
type Route string

const (
	// RoutePing is GET/HEAD /v2/.
	RoutePing Route = "ping"
	// RouteManifest is /v2/<name>/manifests/<reference>.
	RouteManifest Route = "manifest"
	// RouteBlob is /v2/<name>/blobs/<digest>.
	RouteBlob Route = "blob"
	// RouteUpload is /v2/<name>/blobs/uploads/...
	RouteUpload Route = "upload"
	// RouteTags is /v2/<name>/tags/list.
	RouteTags Route = "tags"
	// RouteCatalog is /v2/_catalog.
	RouteCatalog Route = "catalog"
	// RouteReferrers is /v2/<name>/referrers/<digest>.
	RouteReferrers Route = "referrers"
	// RouteToken is a request to the token endpoint.
	RouteToken Route = "token"
	// RouteOther is anything else.
	RouteOther Route = "other"
)

// Request is what the Env recorded about one request. It never holds a
// credential: only whether one was sent and in which scheme.
type Request struct {
	// Host is the role of the server that received the request.
	Host Host
	// HostPort is the request's Host header, e.g. "registry.test:41234".
	HostPort string
	// Method and Path are the request's method and URL path.
	Method, Path string
	// Route classifies Path.
	Route Route
	// Repo is the repository named in a registry path ("" if none).
	Repo string
	// Scopes are the requested token scopes: the repeated "scope" query
	// parameters, or the space-separated form parameter of an OAuth2 POST.
	Scopes []string
	// AuthScheme is the scheme of the Authorization header ("Basic",
	// "Bearer", ...), or "" when none was sent.
	AuthScheme string
	// TLS reports whether the request arrived over TLS.
	TLS bool
	// Fault names the injected fault that answered the request
	// ("status 429", "reset", "redirect to cdn", ...), "" if none.
	Fault string
	// Status is the response status, 0 while the response is in flight or
	// when the connection was reset.
	Status int

	// The token server fills these in for RouteToken requests.

	// User is the authenticated user name ("" for anonymous).
	User string
	// GrantType is the OAuth2 grant_type of a POST ("" for GET).
	GrantType string
	// Granted are the scopes the issued token carries, e.g.
	// "repository:app:pull".
	Granted []string
}

// Filter selects recorded requests; a zero field matches anything.
type Filter struct {
	Host       Host   // server role, e.g. HostRegistry
	Route      Route  // e.g. RouteManifest
	Method     string // e.g. http.MethodHead
	Repo       string // repository name, e.g. "team/app"
	AuthScheme string // "Basic", "Bearer"; matches Request.AuthScheme
}

// match reports whether r passes f.
func (f Filter) match(r *Request) bool {
	return (f.Host == "" || f.Host == r.Host) &&
		(f.Route == "" || f.Route == r.Route) &&
		(f.Method == "" || f.Method == r.Method) &&
		(f.Repo == "" || f.Repo == r.Repo) &&
		(f.AuthScheme == "" || f.AuthScheme == r.AuthScheme)
}

// Requests returns a copy of every request recorded since Start or the
// last ResetCounts, in arrival order. Requests made by the Env's seeding
// helpers are not recorded.
func (e *Env) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		out[i] = *r
		out[i].Scopes = slices.Clone(r.Scopes)
		out[i].Granted = slices.Clone(r.Granted)
	}
	return out
}

// Count returns how many recorded requests match f.
func (e *Env) Count(f Filter) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.requests {
		if f.match(r) {
			n++
		}
	}
	return n
}

// ResetCounts forgets the recorded requests. Leaks are kept.
func (e *Env) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
}

// Leaks describes every credential that reached a host it must not reach:
// an Authorization header at the CDN host, or Basic credentials sent to an
// http:// realm. The descriptions never contain the credential.
func (e *Env) Leaks() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.leaks)
}

// recordKey is the context key of the *Request being served.
type recordKey struct{}

// annotate lets a handler add details to the request's record.
func (e *Env) annotate(ctx context.Context, fn func(*Request)) {
	rec, ok := ctx.Value(recordKey{}).(*Request)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(rec)
}

// front is the outermost handler of a listener: it classifies, records,
// checks for leaks, applies faults and then dispatches.
func (e *Env) front(listener Host) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role := listener
		if role == HostRegistry && e.opts.SameHostRealm && r.URL.Path == DefaultSameHostRealmPath {
			role = HostRealm
		}
		if e.seedKey != "" && r.Header.Get(seedHeader) == e.seedKey {
			r.Header.Del(seedHeader)
			e.routeHandler(role).ServeHTTP(w, r)
			return
		}

		rec := e.record(role, r)
		if f := e.takeFault(role, rec); f != nil {
			if done := e.applyFault(w, r, rec, f); done {
				return
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		e.routeHandler(role).ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), recordKey{}, rec)))
		e.setStatus(rec, sw.status())
	})
}

// record appends a record for r and notes leaks. It happens before the
// request is served, so Count is exact as soon as a client got a response.
func (e *Env) record(role Host, r *http.Request) *Request {
	route, repo := classify(role, r.URL.Path)
	rec := &Request{
		Host:     role,
		HostPort: r.Host,
		Method:   r.Method,
		Path:     r.URL.Path,
		Route:    route,
		Repo:     repo,
		TLS:      r.TLS != nil,
	}
	if role == HostRealm || r.URL.Query().Has("scope") {
		for _, s := range r.URL.Query()["scope"] {
			rec.Scopes = append(rec.Scopes, strings.Fields(s)...)
		}
	}
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		rec.AuthScheme = canonicalScheme(scheme)
	}

	var leak string
	switch {
	case rec.AuthScheme != "" && role == HostCDN:
		leak = fmt.Sprintf("Authorization (%s) sent to %s host %s: %s %s", rec.AuthScheme, role, r.Host, r.Method, r.URL.Path)
	case rec.AuthScheme == "Basic" && role == HostRealm && r.TLS == nil:
		leak = fmt.Sprintf("Basic credentials sent to plain-http realm http://%s%s", r.Host, r.URL.Path)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, rec)
	if leak != "" {
		e.leaks = append(e.leaks, leak)
	}
	return rec
}

// setStatus stores the response status of rec.
func (e *Env) setStatus(rec *Request, status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec.Status = status
}

// canonicalScheme spells well-known schemes the usual way.
func canonicalScheme(s string) string {
	switch strings.ToLower(s) {
	case "basic":
		return "Basic"
	case "bearer":
		return "Bearer"
	default:
		return s
	}
}

// classify derives the route and repository of a request path.
func classify(role Host, path string) (Route, string) {
	if role == HostRealm {
		return RouteToken, ""
	}
	if path == "/v2/" || path == "/v2" {
		return RoutePing, ""
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return RouteOther, ""
	}
	if rest == "_catalog" {
		return RouteCatalog, ""
	}
	if repo, ok := strings.CutSuffix(rest, "/tags/list"); ok {
		return RouteTags, repo
	}
	for _, m := range []struct {
		sep   string
		route Route
	}{
		{"/blobs/uploads", RouteUpload},
		{"/manifests/", RouteManifest},
		{"/blobs/", RouteBlob},
		{"/referrers/", RouteReferrers},
	} {
		if i := strings.LastIndex(rest, m.sep); i > 0 {
			return m.route, rest[:i]
		}
	}
	return RouteOther, ""
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush forwards to the underlying writer when it can flush.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack forwards to the underlying writer.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
