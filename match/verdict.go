package match

import "errors"

// Verdict is the outcome class of an image pull: VerdictOK or one failure
// class. The registry client measures it (a pull test, a tag resolution,
// a login check); diagnose predicts or records it. The strings are the
// stable values of the "verdict" field of every JSON output
// (docs/json-output.md).
type Verdict string

// The verdicts.
const (
	VerdictOK            Verdict = "ok"
	VerdictNoCredentials Verdict = "no-credentials"
	VerdictUnauthorized  Verdict = "unauthorized"
	VerdictForbidden     Verdict = "forbidden"
	VerdictNotFound      Verdict = "not-found"
	VerdictRateLimited   Verdict = "rate-limited"
	VerdictTLS           Verdict = "tls"
	VerdictNetwork       Verdict = "network"
	VerdictTimeout       Verdict = "timeout"
	// VerdictError is any other failure: an unexpected response, an
	// invalid realm, a digest mismatch.
	VerdictError Verdict = "error"
)

// Sentinel errors for the failure classes of a pull. Errors of the
// registry client wrap one of them where the class is known, so callers
// branch with errors.Is; [Verdict.Err] maps a verdict to its sentinel.
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

// failureVerdicts lists the verdicts that have a sentinel, in the order
// a classifier checks them.
var failureVerdicts = [...]Verdict{VerdictNoCredentials, VerdictUnauthorized, VerdictForbidden,
	VerdictNotFound, VerdictRateLimited, VerdictTLS, VerdictTimeout, VerdictNetwork}

// Err returns the sentinel error of v: nil for VerdictOK, VerdictError and
// unknown verdicts.
func (v Verdict) Err() error {
	switch v {
	case VerdictNoCredentials:
		return ErrNoCredentials
	case VerdictUnauthorized:
		return ErrUnauthorized
	case VerdictForbidden:
		return ErrForbidden
	case VerdictNotFound:
		return ErrNotFound
	case VerdictRateLimited:
		return ErrRateLimited
	case VerdictTLS:
		return ErrTLS
	case VerdictNetwork:
		return ErrNetwork
	case VerdictTimeout:
		return ErrTimeout
	}
	return nil
}

// VerdictOf returns the verdict whose sentinel err wraps, and false when
// it wraps none.
func VerdictOf(err error) (Verdict, bool) {
	for _, v := range failureVerdicts {
		if errors.Is(err, v.Err()) {
			return v, true
		}
	}
	return "", false
}

// OK reports whether v is VerdictOK.
func (v Verdict) OK() bool { return v == VerdictOK }
