package registry

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
	"github.com/pullsecret/pullsecret/match"
)

// Classify returns the failure class of err: a verdict string and its
// sentinel (nil for VerdictOK and VerdictError). It understands errors that
// wrap this package's sentinels, go-containerregistry's *transport.Error
// (registry error codes first, then the status code), TLS and x509
// errors, network errors and context deadlines. A nil err is VerdictOK.
//
// A 401 whose WWW-Authenticate says error="insufficient_scope" is a
// forbidden, not an unauthorized; Classify cannot see headers, so callers
// that can (TestPull) refine the verdict.
func Classify(err error) (verdict match.Verdict, sentinel error) {
	if err == nil {
		return match.VerdictOK, nil
	}
	v := classify(err)
	return v, v.Err()
}

func classify(err error) match.Verdict {
	// Our own sentinels first: callers wrap them deliberately.
	if v, ok := match.VerdictOf(err); ok {
		return v
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		return classifyTransportError(terr)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return match.VerdictTimeout
	}
	if isTLSError(err) {
		return match.VerdictTLS
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return match.VerdictTimeout
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return match.VerdictNetwork
	}
	return match.VerdictError
}

// classifyTransportError classifies a registry error response: the error
// codes of its body decide, else the status code.
func classifyTransportError(terr *transport.Error) match.Verdict {
	for _, d := range terr.Errors {
		switch d.Code {
		case transport.TooManyRequestsErrorCode:
			return match.VerdictRateLimited
		case transport.DeniedErrorCode:
			return match.VerdictForbidden
		case transport.NameUnknownErrorCode, transport.ManifestUnknownErrorCode, transport.BlobUnknownErrorCode:
			return match.VerdictNotFound
		case transport.UnauthorizedErrorCode:
			return match.VerdictUnauthorized
		}
	}
	return classifyStatus(terr.StatusCode)
}

// classifyStatus classifies an HTTP status code that is not a success.
func classifyStatus(status int) match.Verdict {
	switch status {
	case http.StatusUnauthorized:
		return match.VerdictUnauthorized
	case http.StatusForbidden:
		return match.VerdictForbidden
	case http.StatusNotFound:
		return match.VerdictNotFound
	case http.StatusTooManyRequests:
		return match.VerdictRateLimited
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return match.VerdictNetwork
	case http.StatusRequestTimeout:
		return match.VerdictTimeout
	}
	return match.VerdictError
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
