package registry_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	terr := func(status int, codes ...transport.ErrorCode) error {
		e := &transport.Error{StatusCode: status}
		for _, c := range codes {
			e.Errors = append(e.Errors, transport.Diagnostic{Code: c})
		}
		return fmt.Errorf("get manifest: %w", e)
	}
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://r.test/v2/", Err: err} }
	tests := []struct {
		name    string
		err     error
		want    match.Verdict
		wantErr error
	}{
		{"nil", nil, match.VerdictOK, nil},
		{"401", terr(401), match.VerdictUnauthorized, match.ErrUnauthorized},
		{"401 UNAUTHORIZED", terr(401, transport.UnauthorizedErrorCode), match.VerdictUnauthorized, match.ErrUnauthorized},
		{"403", terr(403), match.VerdictForbidden, match.ErrForbidden},
		{"DENIED", terr(401, transport.DeniedErrorCode), match.VerdictForbidden, match.ErrForbidden},
		{"NAME_UNKNOWN", terr(404, transport.NameUnknownErrorCode), match.VerdictNotFound, match.ErrNotFound},
		{"MANIFEST_UNKNOWN", terr(404, transport.ManifestUnknownErrorCode), match.VerdictNotFound, match.ErrNotFound},
		{"404 plain", terr(404), match.VerdictNotFound, match.ErrNotFound},
		{"TOOMANYREQUESTS", terr(429, transport.TooManyRequestsErrorCode), match.VerdictRateLimited, match.ErrRateLimited},
		{"429", terr(429), match.VerdictRateLimited, match.ErrRateLimited},
		{"503", terr(503), match.VerdictNetwork, match.ErrNetwork},
		{"500", terr(500), match.VerdictError, nil},
		{"unknown authority", urlErr(&x509.UnknownAuthorityError{}), match.VerdictTLS, match.ErrTLS},
		{"hostname", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), match.VerdictTLS, match.ErrTLS},
		{"http to https", urlErr(errors.New("http: server gave HTTP response to HTTPS client")), match.VerdictTLS, match.ErrTLS},
		{"refused", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), match.VerdictNetwork, match.ErrNetwork},
		{"dns", urlErr(&net.DNSError{Err: "no such host", Name: "r.test", IsNotFound: true}), match.VerdictNetwork, match.ErrNetwork},
		{"dns timeout", urlErr(&net.DNSError{Err: "timeout", Name: "r.test", IsTimeout: true}), match.VerdictTimeout, match.ErrTimeout},
		{"reset", urlErr(syscall.ECONNRESET), match.VerdictNetwork, match.ErrNetwork},
		{"eof", urlErr(io.EOF), match.VerdictNetwork, match.ErrNetwork},
		{"deadline", fmt.Errorf("ping: %w", context.DeadlineExceeded), match.VerdictTimeout, match.ErrTimeout},
		{"wrapped sentinel", fmt.Errorf("pull x: %w", match.ErrNoCredentials), match.VerdictNoCredentials, match.ErrNoCredentials},
		{"other", errors.New("boom"), match.VerdictError, nil},
		{"pull error", &registry.OutcomeError{Op: registry.OpPull, Image: "x", Verdict: match.VerdictForbidden}, match.VerdictForbidden, match.ErrForbidden},
		{"status text", fmt.Errorf("get: %w", errors.New(http.StatusText(401))), match.VerdictError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, s := registry.Classify(tt.err)
			if v != tt.want || s != tt.wantErr {
				t.Errorf("Classify(%v) = %q, %v; want %q, %v", tt.err, v, s, tt.want, tt.wantErr)
			}
		})
	}
}
