package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Errors wrapped by ReadServiceAccount and ParseSecretName.
var (
	// ErrNotServiceAccount: the manifest is not exactly one v1 ServiceAccount.
	ErrNotServiceAccount = errors.New("not a ServiceAccount")
	// ErrWrongServiceAccount: the ServiceAccount has another name than asked.
	ErrWrongServiceAccount = errors.New("ServiceAccount name differs")
	// ErrInvalidName: a Kubernetes object name or namespace is not valid.
	ErrInvalidName = errors.New("invalid name")
)

// NewServiceAccount returns a v1 ServiceAccount named name, with the
// namespace set only when one is given (as kubectl create serviceaccount
// prints it with --dry-run=client).
func NewServiceAccount(name, namespace string) *corev1.ServiceAccount {
	sa := &corev1.ServiceAccount{}
	sa.APIVersion, sa.Kind = "v1", "ServiceAccount"
	sa.Name, sa.Namespace = name, namespace
	return sa
}

// ReadServiceAccount decodes the content of the file name (used in errors
// only; "-" for standard input): exactly one v1 ServiceAccount, YAML or JSON.
// When want is not empty the ServiceAccount must be named want
// (ErrWrongServiceAccount). Fields unknown to core/v1 ServiceAccount are an
// error rather than silently dropped, so that writing the object back loses
// nothing. Anything else (another kind, a List, several documents) is
// ErrNotServiceAccount.
func ReadServiceAccount(name string, data []byte, want string) (*corev1.ServiceAccount, error) {
	var docs [][]byte
	for doc, err := range documents(data) {
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, errors.Unwrap(err))
		}
		docs = append(docs, doc.JSON)
	}
	switch len(docs) {
	case 0:
		return nil, fmt.Errorf("read %s: %w: the file is empty", name, ErrNotServiceAccount)
	case 1:
	default:
		return nil, fmt.Errorf("read %s: %w: found %d documents, want one ServiceAccount", name, ErrNotServiceAccount, len(docs))
	}
	var probe object
	if err := json.Unmarshal(docs[0], &probe); err != nil {
		return nil, fmt.Errorf("read %s: %w: the document is not an object", name, ErrNotServiceAccount)
	}
	if probe.Kind != "ServiceAccount" {
		found := "an object without kind"
		if probe.Kind != "" {
			found = "kind " + probe.Kind
		}
		return nil, fmt.Errorf("read %s: %w: found %s", name, ErrNotServiceAccount, found)
	}
	sa := &corev1.ServiceAccount{}
	if err := yaml.UnmarshalStrict(docs[0], sa); err != nil {
		return nil, fmt.Errorf("read %s: decode ServiceAccount: %w", name, cleanDecodeError(err))
	}
	if sa.APIVersion != "v1" {
		return nil, fmt.Errorf("read %s: %w: apiVersion %q, want v1", name, ErrNotServiceAccount, sa.APIVersion)
	}
	if want != "" && sa.Name != want {
		return nil, fmt.Errorf("read %s: %w: the file holds ServiceAccount %q, not %q", name, ErrWrongServiceAccount, sa.Name, want)
	}
	return sa, nil
}

// ParseSecretName returns the secret name in arg, which may be written NAME,
// secret/NAME or secrets/NAME as oc secrets link accepts it. Other resource
// prefixes and names that are not DNS-1123 subdomains are errors
// (ErrInvalidName for the latter).
func ParseSecretName(arg string) (string, error) {
	name := arg
	if res, n, ok := strings.Cut(arg, "/"); ok {
		if res != "secret" && res != "secrets" {
			return "", fmt.Errorf("expected resource of type secret, got %q", arg)
		}
		name = n
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return "", fmt.Errorf("secret %q: %w: %s", arg, ErrInvalidName, strings.Join(msgs, "; "))
	}
	return name, nil
}

// LinkServiceAccount appends the secret names to sa.imagePullSecrets (when
// forPull) and sa.secrets (when forMount), as oc secrets link does but
// keeping argument order: existing entries stay first and in place, a name
// already in a list is not added again, and nothing is removed. It returns
// the names added to at least one list, in argument order, without
// duplicates.
func LinkServiceAccount(sa *corev1.ServiceAccount, names []string, forPull, forMount bool) (added []string) {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		did := false
		if forPull && !hasPullSecret(sa, n) {
			sa.ImagePullSecrets = append(sa.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
			did = true
		}
		if forMount && !hasMountSecret(sa, n) {
			sa.Secrets = append(sa.Secrets, corev1.ObjectReference{Name: n})
			did = true
		}
		if did {
			added = append(added, n)
		}
	}
	return added
}

// UnlinkServiceAccount removes every entry naming one of the secrets from
// sa.imagePullSecrets (when forPull) and sa.secrets (when forMount), keeping
// the order of the others. It returns the names removed from at least one
// list, in argument order, without duplicates; a name that was not linked is
// not an error. A list left empty is set to nil, so that it is not printed.
func UnlinkServiceAccount(sa *corev1.ServiceAccount, names []string, forPull, forMount bool) (removed []string) {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	gone := map[string]bool{}
	if forPull {
		var keep []corev1.LocalObjectReference
		for _, r := range sa.ImagePullSecrets {
			if drop[r.Name] {
				gone[r.Name] = true
				continue
			}
			keep = append(keep, r)
		}
		sa.ImagePullSecrets = keep
	}
	if forMount {
		var keep []corev1.ObjectReference
		for _, r := range sa.Secrets {
			if drop[r.Name] {
				gone[r.Name] = true
				continue
			}
			keep = append(keep, r)
		}
		sa.Secrets = keep
	}
	for _, n := range names {
		if gone[n] {
			removed = append(removed, n)
			delete(gone, n)
		}
	}
	return removed
}

func hasPullSecret(sa *corev1.ServiceAccount, name string) bool {
	for _, r := range sa.ImagePullSecrets {
		if r.Name == name {
			return true
		}
	}
	return false
}

func hasMountSecret(sa *corev1.ServiceAccount, name string) bool {
	for _, r := range sa.Secrets {
		if r.Name == name {
			return true
		}
	}
	return false
}
