package registrytest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault describes a misbehaviour injected into one host's responses. The
// fields combine: Delay happens first; then Reset, RedirectTo or Status
// answers the request (in that order of precedence). A Fault with only a
// Delay slows the request down and then serves it normally.
type Fault struct {
	// Route, Method and Repo restrict the fault to matching requests
	// (zero values match anything), e.g. Route: RoutePing for /v2/ only,
	// RouteManifest for manifests, RouteToken for the token endpoint.
	Route  Route
	Method string
	Repo   string

	// Count is how many matching requests the fault answers before it
	// expires; 0 means until ClearFaults.
	Count int

	// Delay holds the request this long before answering (ended early by
	// the client going away or by Close).
	Delay time.Duration
	// Reset hijacks the connection and closes it with a TCP reset, so the
	// client sees "connection reset by peer" and no response.
	Reset bool
	// RedirectTo answers with a redirect (Status if it is 3xx, else 307)
	// to the same path and query on another of the Env's hosts, typically
	// HostCDN.
	RedirectTo Host
	// Status answers with this status and a registry-style JSON error
	// body, e.g. 500, 503 or 429.
	Status int
	// RetryAfter, when positive, adds "Retry-After: <seconds>" to the
	// Status response (use it with 429 or 503).
	RetryAfter int
}

// faultState is an installed Fault and how many uses remain.
type faultState struct {
	Fault
	left int // remaining uses; -1 = unlimited
}

// SetFault replaces every fault of host with f.
func (e *Env) SetFault(host Host, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[host] = []*faultState{newFaultState(f)}
}

// AddFault adds f to host's faults. When several match a request, the
// earliest added that has uses left applies.
func (e *Env) AddFault(host Host, f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[host] = append(e.faults[host], newFaultState(f))
}

// ClearFaults removes every fault of every host.
func (e *Env) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.faults)
}

func newFaultState(f Fault) *faultState {
	left := f.Count
	if left <= 0 {
		left = -1
	}
	return &faultState{Fault: f, left: left}
}

// takeFault returns the fault that applies to rec, consuming one use.
func (e *Env) takeFault(host Host, rec *Request) *Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, fs := range e.faults[host] {
		if fs.left == 0 ||
			(fs.Route != "" && fs.Route != rec.Route) ||
			(fs.Method != "" && fs.Method != rec.Method) ||
			(fs.Repo != "" && fs.Repo != rec.Repo) {
			continue
		}
		if fs.left > 0 {
			fs.left--
		}
		f := fs.Fault
		return &f
	}
	return nil
}

// applyFault carries out f. It reports whether the request was answered;
// if not (a pure Delay), the caller serves it normally.
func (e *Env) applyFault(w http.ResponseWriter, r *http.Request, rec *Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			e.noteFault(rec, "delay (client gone)", 0)
			return true
		case <-e.closing:
			e.noteFault(rec, "delay (env closed)", 0)
			return true
		}
	}
	switch {
	case f.Reset:
		e.noteFault(rec, "reset", 0)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// HTTP/2 cannot be hijacked; abort the stream instead.
			panic(http.ErrAbortHandler)
		}
		// Close the TCP connection under TLS directly: closing the TLS
		// connection would first send a close_notify alert (a clean EOF).
		raw := netConn(conn)
		if tc, ok := raw.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = raw.Close()
		return true
	case f.RedirectTo != "":
		target := e.hostOf(f.RedirectTo)
		if target == "" {
			e.noteFault(rec, "redirect to unknown host "+string(f.RedirectTo), http.StatusInternalServerError)
			writeError(w, http.StatusInternalServerError, "UNKNOWN", "registrytest: no such redirect host")
			return true
		}
		status := http.StatusTemporaryRedirect
		if f.Status >= 300 && f.Status < 400 {
			status = f.Status
		}
		e.noteFault(rec, "redirect to "+string(f.RedirectTo), status)
		w.Header().Set("Location", e.schemeOf(f.RedirectTo)+"://"+target+r.URL.RequestURI())
		w.WriteHeader(status)
		return true
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		e.noteFault(rec, "status "+strconv.Itoa(f.Status), f.Status)
		writeError(w, f.Status, errorCode(f.Status), "registrytest: injected fault")
		return true
	default:
		e.noteFault(rec, "delay", 0)
		return false
	}
}

// noteFault records which fault answered rec.
func (e *Env) noteFault(rec *Request, what string, status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec.Fault = what
	rec.Status = status
}

// hostOf returns the name:port of role, "" if the Env has no such host.
func (e *Env) hostOf(role Host) string {
	switch role {
	case HostRegistry:
		return e.RegistryHost
	case HostRealm:
		return e.RealmHost
	case HostCDN:
		return e.CDNHost
	default:
		return ""
	}
}

// schemeOf returns the URL scheme role is served with.
func (e *Env) schemeOf(role Host) string {
	if role == HostRealm && e.opts.PlainHTTPRealm {
		return "http"
	}
	return "https"
}

// netConn unwraps a TLS connection to its TCP connection.
func netConn(c net.Conn) net.Conn {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok {
		return u.NetConn()
	}
	return c
}

// errorCode maps a status to a Distribution error code.
func errorCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusForbidden:
		return "DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusTooManyRequests:
		return "TOOMANYREQUESTS"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	default:
		return "UNKNOWN"
	}
}

// writeError writes a Distribution-style JSON error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	type apiError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	body, err := json.Marshal(struct {
		Errors []apiError `json:"errors"`
	}{[]apiError{{Code: code, Message: message}}})
	if err != nil {
		http.Error(w, fmt.Sprintf("%s: %s", code, message), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
