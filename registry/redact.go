package registry

import (
	"encoding/base64"
	"strings"
	"sync"

	"github.com/pullsecret/pullsecret/match"
)

// redactedText replaces a secret in every text the package returns.
const redactedText = "<redacted>"

// maxRedactedTokens bounds the issued tokens a redactor remembers.
const maxRedactedTokens = 64

// redactor removes known secrets (passwords, identity and registry
// tokens, the base64 user:password of a Basic header, issued Bearer
// tokens) from the texts a hostile server could have echoed. It is the
// one redaction of every output of the package: test-pull results,
// resolve results and login-check errors. It is safe for concurrent use.
type redactor struct {
	mu      sync.Mutex
	secrets []string // credentials: kept for good
	tokens  []string // issued tokens: the latest maxRedactedTokens
}

// addCredential adds the secrets of c.
func (r *redactor) addCredential(c match.Credential) {
	for _, s := range []string{c.Password, c.IdentityToken, c.RegistryToken} {
		r.add(s)
	}
	if c.Username != "" || c.Password != "" {
		r.add(base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password)))
	}
}

// add adds one secret; strings shorter than 3 bytes are ignored (they
// would redact ordinary text).
func (r *redactor) add(s string) {
	if len(s) < 3 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// addToken adds an issued token, forgetting the oldest beyond
// maxRedactedTokens.
func (r *redactor) addToken(tok string) {
	if len(tok) < 3 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.tokens {
		if have == tok {
			return
		}
	}
	if len(r.tokens) >= maxRedactedTokens {
		r.tokens = append(r.tokens[:0], r.tokens[1:]...)
	}
	r.tokens = append(r.tokens, tok)
}

// redact returns s with every known secret replaced, longest first so
// that a secret containing another is replaced whole.
func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, secret := range longestFirst(r.secrets, r.tokens) {
		s = strings.ReplaceAll(s, secret, redactedText)
	}
	return s
}

// longestFirst returns the strings of a and b sorted by decreasing length.
func longestFirst(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// redactErr returns err itself when its text holds no known secret, else
// an error with the redacted text that keeps err's verdict (errors.Is
// with the verdict's sentinel works) but not err, whose text holds the
// secret.
func (r *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := r.redact(msg)
	if red == msg {
		return err
	}
	v, _ := Classify(err)
	return &redactedError{verdict: v, msg: red}
}

// redactedError is an error whose text had secrets removed.
type redactedError struct {
	verdict match.Verdict
	msg     string
}

func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the verdict's sentinel (nil for VerdictError).
func (e *redactedError) Unwrap() error { return e.verdict.Err() }
