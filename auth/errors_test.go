package auth_test

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

	"github.com/pullsecret/pullsecret/auth"
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
		want    string
		wantErr error
	}{
		{"nil", nil, auth.VerdictOK, nil},
		{"401", terr(401), auth.VerdictUnauthorized, auth.ErrUnauthorized},
		{"401 UNAUTHORIZED", terr(401, transport.UnauthorizedErrorCode), auth.VerdictUnauthorized, auth.ErrUnauthorized},
		{"403", terr(403), auth.VerdictForbidden, auth.ErrForbidden},
		{"DENIED", terr(401, transport.DeniedErrorCode), auth.VerdictForbidden, auth.ErrForbidden},
		{"NAME_UNKNOWN", terr(404, transport.NameUnknownErrorCode), auth.VerdictNotFound, auth.ErrNotFound},
		{"MANIFEST_UNKNOWN", terr(404, transport.ManifestUnknownErrorCode), auth.VerdictNotFound, auth.ErrNotFound},
		{"404 plain", terr(404), auth.VerdictNotFound, auth.ErrNotFound},
		{"TOOMANYREQUESTS", terr(429, transport.TooManyRequestsErrorCode), auth.VerdictRateLimited, auth.ErrRateLimited},
		{"429", terr(429), auth.VerdictRateLimited, auth.ErrRateLimited},
		{"503", terr(503), auth.VerdictNetwork, auth.ErrNetwork},
		{"500", terr(500), auth.VerdictError, nil},
		{"unknown authority", urlErr(&x509.UnknownAuthorityError{}), auth.VerdictTLS, auth.ErrTLS},
		{"hostname", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), auth.VerdictTLS, auth.ErrTLS},
		{"http to https", urlErr(errors.New("http: server gave HTTP response to HTTPS client")), auth.VerdictTLS, auth.ErrTLS},
		{"refused", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), auth.VerdictNetwork, auth.ErrNetwork},
		{"dns", urlErr(&net.DNSError{Err: "no such host", Name: "r.test", IsNotFound: true}), auth.VerdictNetwork, auth.ErrNetwork},
		{"dns timeout", urlErr(&net.DNSError{Err: "timeout", Name: "r.test", IsTimeout: true}), auth.VerdictTimeout, auth.ErrTimeout},
		{"reset", urlErr(syscall.ECONNRESET), auth.VerdictNetwork, auth.ErrNetwork},
		{"eof", urlErr(io.EOF), auth.VerdictNetwork, auth.ErrNetwork},
		{"deadline", fmt.Errorf("ping: %w", context.DeadlineExceeded), auth.VerdictTimeout, auth.ErrTimeout},
		{"wrapped sentinel", fmt.Errorf("pull x: %w", auth.ErrNoCredentials), auth.VerdictNoCredentials, auth.ErrNoCredentials},
		{"other", errors.New("boom"), auth.VerdictError, nil},
		{"pull error", &auth.PullError{Image: "x", Verdict: auth.VerdictForbidden}, auth.VerdictForbidden, auth.ErrForbidden},
		{"status text", fmt.Errorf("get: %w", errors.New(http.StatusText(401))), auth.VerdictError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, s := auth.Classify(tt.err)
			if v != tt.want || s != tt.wantErr {
				t.Errorf("Classify(%v) = %q, %v; want %q, %v", tt.err, v, s, tt.want, tt.wantErr)
			}
		})
	}
}
