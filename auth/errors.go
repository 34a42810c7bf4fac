package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Sentinel errors for the failure classes of a pull (SPEC §3.3). Errors of
// this package's network functions wrap one of them where the class is
// known; [Classify] finds the class of any error, including those of
// go-containerregistry.
var (
	// ErrNoCredentials: no credential matches and the registry refuses
	// anonymous access.
	ErrNoCredentials = errors.New("no usable credentials")
	// ErrUnauthorized: the registry or its token server rejected the
	// credentials (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials are valid but lack access to the
	// repository (403, DENIED, or a token without the requested scope).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: the repository, tag, digest or blob does not exist (or
	// is hidden from these credentials).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the registry answered 429 Too Many Requests, also
	// after retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrTLS: the TLS handshake failed (unknown authority, wrong host
	// name, not TLS) or a secure channel was required and not available.
	ErrTLS = errors.New("tls failure")
	// ErrNetwork: the registry could not be reached (DNS, refused or reset
	// connection) or it is unavailable (502, 503, 504).
	ErrNetwork = errors.New("network failure")
	// ErrTimeout: a request got no answer in time.
	ErrTimeout = errors.New("timed out")
)

// Verdicts of a pull test: VerdictOK or one failure class. The strings are
// the stable values of the test-pull JSON "verdict" field.
const (
	VerdictOK            = "ok"
	VerdictNoCredentials = "no-credentials"
	VerdictUnauthorized  = "unauthorized"
	VerdictForbidden     = "forbidden"
	VerdictNotFound      = "not-found"
	VerdictRateLimited   = "rate-limited"
	VerdictTLS           = "tls"
	VerdictNetwork       = "network"
	VerdictTimeout       = "timeout"
	// VerdictError is any other failure: an unexpected response, an
	// invalid realm, a digest mismatch.
	VerdictError = "error"
)

// verdictSentinels maps each failure verdict to its sentinel.
var verdictSentinels = map[string]error{
	VerdictNoCredentials: ErrNoCredentials,
	VerdictUnauthorized:  ErrUnauthorized,
	VerdictForbidden:     ErrForbidden,
	VerdictNotFound:      ErrNotFound,
	VerdictRateLimited:   ErrRateLimited,
	VerdictTLS:           ErrTLS,
	VerdictNetwork:       ErrNetwork,
	VerdictTimeout:       ErrTimeout,
}

// SentinelFor returns the sentinel error of a verdict, nil for VerdictOK,
// VerdictError and unknown verdicts.
func SentinelFor(verdict string) error {
	return verdictSentinels[verdict]
}

// Classify returns the failure class of err: a verdict string and its
// sentinel (nil for VerdictOK and VerdictError). It understands errors that
// wrap this package's sentinels, go-containerregistry's *transport.Error
// (registry error codes first, then the status code), TLS and x509
// errors, network errors and context deadlines. A nil err is VerdictOK.
//
// A 401 whose WWW-Authenticate says error="insufficient_scope" is a
// forbidden, not an unauthorized; Classify cannot see headers, so callers
// that can (TestPull) refine the verdict.
func Classify(err error) (verdict string, sentinel error) {
	if err == nil {
		return VerdictOK, nil
	}
	v := classify(err)
	return v, verdictSentinels[v]
}

func classify(err error) string {
	// Our own sentinels first: callers wrap them deliberately.
	for _, v := range []string{VerdictNoCredentials, VerdictUnauthorized, VerdictForbidden, VerdictNotFound,
		VerdictRateLimited, VerdictTLS, VerdictTimeout, VerdictNetwork} {
		if errors.Is(err, verdictSentinels[v]) {
			return v
		}
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		return classifyTransportError(terr)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return VerdictTimeout
	}
	if isTLSError(err) {
		return VerdictTLS
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return VerdictTimeout
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return VerdictNetwork
	}
	return VerdictError
}

// classifyTransportError classifies a registry error response: the error
// codes of its body decide, else the status code.
func classifyTransportError(terr *transport.Error) string {
	for _, d := range terr.Errors {
		switch d.Code {
		case transport.TooManyRequestsErrorCode:
			return VerdictRateLimited
		case transport.DeniedErrorCode:
			return VerdictForbidden
		case transport.NameUnknownErrorCode, transport.ManifestUnknownErrorCode, transport.BlobUnknownErrorCode:
			return VerdictNotFound
		case transport.UnauthorizedErrorCode:
			return VerdictUnauthorized
		}
	}
	return classifyStatus(terr.StatusCode)
}

// classifyStatus classifies an HTTP status code that is not a success.
func classifyStatus(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return VerdictUnauthorized
	case http.StatusForbidden:
		return VerdictForbidden
	case http.StatusNotFound:
		return VerdictNotFound
	case http.StatusTooManyRequests:
		return VerdictRateLimited
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return VerdictNetwork
	case http.StatusRequestTimeout:
		return VerdictTimeout
	}
	return VerdictError
}

// isTLSError reports whether err comes from certificate verification or
// the TLS handshake.
func isTLSError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		echErr      *tls.ECHRejectionError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidErr),
		errors.As(err, &verifyErr), errors.As(err, &recordErr), errors.As(err, &alertErr), errors.As(err, &echErr):
		return true
	}
	// Handshake failures without a typed error ("tls: handshake failure",
	// "remote error: tls: ...") are only recognisable by their text.
	msg := err.Error()
	return strings.Contains(msg, "tls: ") || strings.Contains(msg, "x509: ") ||
		strings.Contains(msg, "server gave HTTP response to HTTPS client")
}
