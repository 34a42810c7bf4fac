package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pullsecret/pullsecret/match"
)

// Defaults of [NetworkOptions].
const (
	// DefaultTimeout bounds each request (see NetworkOptions.Timeout).
	DefaultTimeout = 30 * time.Second
	// DefaultRetries is how often an idempotent request is retried.
	DefaultRetries = 3
	// MaxRetryAfter caps the wait a Retry-After header may ask for.
	MaxRetryAfter = 10 * time.Second
)

// Backoff between retries when the server does not say how long to wait:
// retryBackoffBase, doubled per retry, capped at retryBackoffMax, with
// ±20 % jitter.
const (
	retryBackoffBase = 100 * time.Millisecond
	retryBackoffMax  = 2 * time.Second
)

// maxCAFileSize bounds the --ca-file we read.
const maxCAFileSize = 4 << 20

// NetworkOptions are the settings of every command that talks to a
// registry (docs/registry.md#network-options). The zero value means: system roots, HTTPS only,
// 30 s per request, 3 retries, no address overrides.
type NetworkOptions struct {
	// CAFile names a PEM file of extra CA certificates to trust, in
	// addition to the system roots.
	CAFile string
	// CAPEM holds extra PEM CA certificates, like CAFile.
	CAPEM []byte
	// SkipTLSVerify disables certificate verification. It conflicts with
	// CAFile and CAPEM.
	SkipTLSVerify bool
	// PlainHTTP allows talking to registries, and sending credentials to
	// token realms, over http://. HTTPS is still tried first.
	PlainHTTP bool
	// Timeout bounds each request whole: connecting, TLS, waiting for the
	// response headers and reading the body, so that a server dripping
	// bytes cannot hold a command past it. Each retry has its own.
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// Resolve overrides name resolution as curl's --resolve does: each
	// "HOST:PORT:ADDR[,ADDR…]" makes connections to HOST:PORT go to ADDR
	// (same port), while TLS and the Host header keep using HOST. ADDR may
	// be an IPv6 literal in brackets.
	Resolve []string
	// Retries is how many times an idempotent request (GET, HEAD) is
	// retried after a 429, a 5xx or a connection reset, with exponential
	// backoff, honouring Retry-After up to MaxRetryAfter and never past
	// the context's deadline. 0 means DefaultRetries; a negative value
	// disables retries.
	Retries int
}

// ErrInvalidNetworkOptions is wrapped by the errors of
// [NetworkOptions.Validate].
var ErrInvalidNetworkOptions = errors.New("invalid network options")

// timeout returns the effective per-request timeout.
func (o NetworkOptions) timeout() time.Duration {
	if o.Timeout == 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// retries returns the effective retry count.
func (o NetworkOptions) retries() int {
	switch {
	case o.Retries == 0:
		return DefaultRetries
	case o.Retries < 0:
		return 0
	}
	return o.Retries
}

// Validate checks the options without reading any file. The error wraps
// ErrInvalidNetworkOptions and names the offending setting.
func (o NetworkOptions) Validate() error {
	var errs []error
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("%w: timeout %v is negative", ErrInvalidNetworkOptions, o.Timeout))
	}
	if o.SkipTLSVerify && (o.CAFile != "" || len(o.CAPEM) > 0) {
		errs = append(errs, fmt.Errorf("%w: skip-tls-verify conflicts with an extra CA (ca-file): verification is either skipped or done with the CA", ErrInvalidNetworkOptions))
	}
	if _, err := parseResolveList(o.Resolve); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// resolveEntry is one parsed --resolve value.
type resolveEntry struct {
	hostPort string   // lower-case host ":" port, as net.JoinHostPort
	addrs    []string // IP addresses (or names) to dial instead
}

// parseResolveList parses every entry; the error names the bad entries.
func parseResolveList(list []string) (map[string][]string, error) {
	m := map[string][]string{}
	var errs []error
	for _, s := range list {
		e, err := parseResolve(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m[e.hostPort] = append(m[e.hostPort], e.addrs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// parseResolve parses "HOST:PORT:ADDR[,ADDR…]" (curl's --resolve syntax).
// HOST may be a bracketed IPv6 literal, and so may each ADDR.
func parseResolve(s string) (resolveEntry, error) {
	bad := func(why string) (resolveEntry, error) {
		return resolveEntry{}, fmt.Errorf("%w: resolve entry %q: %s (want HOST:PORT:ADDR, e.g. registry.example.com:443:10.0.0.5)", ErrInvalidNetworkOptions, s, why)
	}
	rest := strings.TrimSpace(s)
	var host string
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return bad("unterminated [ in host")
		}
		host, rest = rest[1:end], rest[end+1:]
		if !strings.HasPrefix(rest, ":") {
			return bad("missing port")
		}
		rest = rest[1:]
	} else {
		var ok bool
		host, rest, ok = strings.Cut(rest, ":")
		if !ok {
			return bad("missing port")
		}
	}
	if host == "" {
		return bad("empty host")
	}
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return bad("host " + strconv.Quote(host) + " in brackets is not an IPv6 address")
		}
	} else {
		for _, r := range host {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
				return bad("host " + strconv.Quote(host) + " contains " + strconv.QuoteRune(r))
			}
		}
	}
	port, addrList, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("missing address")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("port " + strconv.Quote(port) + " is not a number from 1 to 65535")
	}
	var addrs []string
	for _, a := range strings.Split(addrList, ",") {
		a = strings.TrimSpace(a)
		if strings.HasPrefix(a, "[") && strings.HasSuffix(a, "]") {
			a = a[1 : len(a)-1]
		}
		if a == "" {
			return bad("empty address")
		}
		if _, err := netip.ParseAddr(a); err != nil {
			return bad("address " + strconv.Quote(a) + " is not an IP address")
		}
		addrs = append(addrs, a)
	}
	return resolveEntry{hostPort: net.JoinHostPort(strings.ToLower(host), port), addrs: addrs}, nil
}

// tlsConfig builds the client TLS configuration: system roots plus the
// extra CAs, or no verification.
func (o NetworkOptions) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.SkipTLSVerify {
		cfg.InsecureSkipVerify = true //nolint:gosec // explicitly requested (--skip-tls-verify)
		return cfg, nil
	}
	if o.CAFile == "" && len(o.CAPEM) == 0 {
		return cfg, nil // nil RootCAs: the system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if o.CAFile != "" {
		pem, err := readCAFile(o.CAFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read CA file %s: no PEM certificate in it", o.CAFile)
		}
	}
	if len(o.CAPEM) > 0 && !pool.AppendCertsFromPEM(o.CAPEM) {
		return nil, fmt.Errorf("%w: extra CA PEM holds no certificate", ErrInvalidNetworkOptions)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

func readCAFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCAFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read CA file %s: %w", path, err)
	}
	if len(b) > maxCAFileSize {
		return nil, fmt.Errorf("read CA file %s: larger than %d bytes", path, maxCAFileSize)
	}
	return b, nil
}

// Transport returns an http.RoundTripper for registry traffic built from
// the options: TLS with the extra CA, connections to Resolve's addresses
// (keeping the name for SNI and Host), keep-alive connection reuse, the
// per-request timeout, and a bounded retry of idempotent requests on 429,
// 5xx and connection resets. It uses no proxy. Each call returns a new
// transport with its own connection pool; share one across requests.
// go-containerregistry's remote package adds its own retries on top
// unless told otherwise (remote.WithRetryBackoff).
//
// A timed-out request fails with an error wrapping ErrTimeout.
func (o NetworkOptions) Transport() (http.RoundTripper, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	resolve, _ := parseResolveList(o.Resolve) // validated above
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if len(resolve) > 0 {
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return dialer.DialContext(ctx, network, addr)
			}
			addrs, ok := resolve[net.JoinHostPort(strings.ToLower(host), port)]
			if !ok {
				return dialer.DialContext(ctx, network, addr)
			}
			var errs []error
			for _, a := range addrs {
				c, err := dialer.DialContext(ctx, network, net.JoinHostPort(a, port))
				if err == nil {
					return c, nil
				}
				errs = append(errs, err)
			}
			return nil, errors.Join(errs...)
		}
	}
	base := &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		TLSClientConfig:       tlsCfg,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	var rt http.RoundTripper = &timeoutTransport{inner: base, timeout: o.timeout()}
	if n := o.retries(); n > 0 {
		rt = &retryTransport{inner: rt, retries: n}
	}
	return rt, nil
}

// errAttemptTimedOut is the cancel cause of a request whose timer fired.
var errAttemptTimedOut = errors.New("request timer fired")

// timeoutError is returned when a request or its body stalls for longer
// than the per-request timeout.
type timeoutError struct {
	what  string // "no response" or "response body not read"
	after time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s: %s within %v", match.ErrTimeout, e.what, e.after)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *timeoutError) Is(target error) bool { return target == match.ErrTimeout }

// Timeout reports true, as net.Error does for timeouts.
func (e *timeoutError) Timeout() bool { return true }

// Temporary reports false (net.Error).
func (e *timeoutError) Temporary() bool { return false }

// timeoutTransport bounds each round trip with one timer, from sending the
// request until its body is read or closed.
type timeoutTransport struct {
	inner   http.RoundTripper
	timeout time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.timeout, func() { cancel(errAttemptTimedOut) })
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timer.Stop()
		if errors.Is(context.Cause(ctx), errAttemptTimedOut) {
			err = &timeoutError{what: "no response", after: t.timeout}
		}
		cancel(nil)
		return nil, err
	}
	resp.Body = &timeoutBody{rc: resp.Body, ctx: ctx, cancel: cancel, timer: timer, timeout: t.timeout}
	return resp, nil
}

// timeoutBody reports the request timer's expiry as a timeout and releases
// the request's context when closed. The timer is not restarted by reads:
// it bounds the whole request.
type timeoutBody struct {
	rc      io.ReadCloser
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	timeout time.Duration
}

func (b *timeoutBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), errAttemptTimedOut) {
		return n, &timeoutError{what: "response body not read", after: b.timeout}
	}
	return n, err
}

func (b *timeoutBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// retryTransport retries idempotent requests.
type retryTransport struct {
	inner   http.RoundTripper
	retries int
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !retryableRequest(req) {
		return t.inner.RoundTrip(req)
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("rewind request body for retry: %w", err)
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.inner.RoundTrip(r)
		if attempt >= t.retries || !shouldRetry(resp, err) {
			return resp, err
		}
		wait := backoff(attempt)
		if resp != nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = min(ra, MaxRetryAfter)
			}
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			// Waiting would outlive the caller: report what we have.
			return resp, err
		}
		if resp != nil {
			drain(resp)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			if resp != nil {
				return nil, fmt.Errorf("wait to retry after status %d: %w", resp.StatusCode, context.Cause(ctx))
			}
			return nil, fmt.Errorf("wait to retry after %w: %w", err, context.Cause(ctx))
		case <-timer.C:
		}
	}
}

// retryableRequest reports whether req may be sent again: GET or HEAD
// whose body (if any) can be rewound.
func retryableRequest(req *http.Request) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// shouldRetry reports whether a response or error is worth another try:
// 408, 429, 500, 502, 503, 504, or a connection reset or cut before the
// response. Timeouts, refused connections and TLS failures are not.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		var te *timeoutError
		if errors.As(err, &te) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff returns the wait before retry number attempt+1.
func backoff(attempt int) time.Duration {
	d := retryBackoffBase << attempt
	if d > retryBackoffMax || d <= 0 {
		d = retryBackoffMax
	}
	jitter := time.Duration(rand.Int64N(int64(d)*2/5+1)) - d/5
	return d + jitter
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
