package secrets

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ValidateName checks an object name (a Secret, a ServiceAccount) as the
// API server does: a DNS-1123 subdomain, at most 253 characters. The error
// wraps ErrInvalidName; its message is the API server's reasons joined by
// "; ", for the caller to prefix with the flag or argument it came from.
func ValidateName(name string) error {
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return invalidNameError(msgs)
	}
	return nil
}

// ValidateNamespace checks a namespace name: a DNS-1123 label, at most 63
// characters. Its error is shaped as ValidateName's.
func ValidateNamespace(namespace string) error {
	if msgs := validation.IsDNS1123Label(namespace); len(msgs) > 0 {
		return invalidNameError(msgs)
	}
	return nil
}

// invalidNameError is the reasons a name is invalid; it wraps ErrInvalidName.
type invalidNameError []string

func (e invalidNameError) Error() string { return strings.Join(e, "; ") }
func (e invalidNameError) Unwrap() error { return ErrInvalidName }
