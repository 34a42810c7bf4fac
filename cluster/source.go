package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// SourceName is the Name of every credential source read from the cluster
// (dockercfg.Source.Name); its Secret is "namespace/name", so reports say
// "cluster (secret NS/NAME)".
const SourceName = "cluster"

// ParseSecretRef recognises kubectl's TYPE/NAME reference to Secrets where
// a credential file is expected: "secret/NAME" or "secrets/NAME", several
// names separated by commas ("secrets/a,b"). ok is false for anything else,
// which is a file name; "./secret/NAME" is a file. An empty name is an
// error.
func ParseSecretRef(s string) (names []string, ok bool, err error) {
	rest, found := strings.CutPrefix(s, "secret/")
	if !found {
		rest, found = strings.CutPrefix(s, "secrets/")
	}
	if !found {
		return nil, false, nil
	}
	for _, n := range strings.Split(rest, ",") {
		if n == "" {
			return nil, true, fmt.Errorf("%q: empty secret name", s)
		}
		if err := secrets.ValidateName(n); err != nil {
			return nil, true, fmt.Errorf("%q: secret name %q: %w", s, n, err)
		}
		names = append(names, n)
	}
	return names, true, nil
}

// AccessError is a read the API server refused or could not answer for one
// object: its verb, the object and the server's reason. It never holds a
// Secret's data.
type AccessError struct {
	Verb      string // "get"
	Resource  string // "secret", "pod", "serviceaccount"
	Namespace string
	Name      string
	Err       error // the API error (apierrors.IsForbidden, IsNotFound...)
}

// Error is "get secret NS/NAME: cause".
func (e *AccessError) Error() string {
	return fmt.Sprintf("%s %s %s/%s: %v", e.Verb, e.Resource, e.Namespace, e.Name, e.Err)
}

// Unwrap returns the API error.
func (e *AccessError) Unwrap() error { return e.Err }

// Forbidden reports whether the server refused the read (RBAC).
func (e *AccessError) Forbidden() bool { return apierrors.IsForbidden(e.Err) }

// SecretSources reads the named Secrets of c.Namespace from the cluster, in
// order, as credential sources: each fetched Secret is read by
// secrets.ReadSourceWith with opts (nil: as --authfile reads a manifest),
// so a Secret of another type or with a malformed payload is the same
// *secrets.SecretError a file gives, naming the Secret. A Secret the server
// does not have or does not let the caller get is an *AccessError.
func (c *Client) SecretSources(ctx context.Context, names []string, opts *secrets.ReadOptions) ([]dockercfg.Source, error) {
	cs, namespace := c.Clientset, c.Namespace
	var out []dockercfg.Source
	for _, n := range names {
		s, err := cs.CoreV1().Secrets(namespace).Get(ctx, n, metav1.GetOptions{})
		if err != nil {
			return nil, &AccessError{Verb: "get", Resource: "secret", Namespace: namespace, Name: n, Err: err}
		}
		srcs, err := secretSource(s, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	return out, nil
}

// secretSource reads one fetched Secret with secrets.ReadSourceWith.
func secretSource(s *corev1.Secret, opts *secrets.ReadOptions) ([]dockercfg.Source, error) {
	s = s.DeepCopy()
	s.APIVersion, s.Kind = "v1", "Secret"
	s.ManagedFields = nil
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("read secret %s/%s: encode: %w", s.Namespace, s.Name, err)
	}
	return secrets.ReadSourceWith(SourceName, data, opts)
}

// PodSecrets are the pull secrets of a pod as the kubelet uses them.
type PodSecrets struct {
	Namespace string
	Pod       string
	// ServiceAccount names the ServiceAccount the secret names came from
	// when the pod lists none of its own; "" when they are the pod's.
	ServiceAccount string
	Names          []string           // the secret names, in order
	Sources        []dockercfg.Source // the usable pull secrets, in order
	// Skipped are the referenced Secrets the kubelet skips: missing from the
	// namespace, or not a usable pull secret (another type, a data key that
	// does not match). Each says which and why; none holds a credential.
	Skipped []error
}

// PodPullSecrets reads exactly the pull secrets the kubelet uses for pod
// in c.Namespace: the pod's imagePullSecrets, else its ServiceAccount's
// (serviceAccountName, default "default"), in that order. As the kubelet
// does, a Secret that does not exist or is not a usable pull secret is
// skipped (PodSecrets.Skipped); a Secret whose payload is malformed is an
// error, since it fails every pull of the pod. Reads the server refuses
// are *AccessError.
func (c *Client) PodPullSecrets(ctx context.Context, pod string) (*PodSecrets, error) {
	cs, namespace := c.Clientset, c.Namespace
	p, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return nil, &AccessError{Verb: "get", Resource: "pod", Namespace: namespace, Name: pod, Err: err}
	}
	out := &PodSecrets{Namespace: namespace, Pod: pod}
	refs := p.Spec.ImagePullSecrets
	if len(refs) == 0 {
		sa := p.Spec.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		acct, err := cs.CoreV1().ServiceAccounts(namespace).Get(ctx, sa, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			// No ServiceAccount: no pull secrets, as for the kubelet.
		case err != nil:
			return nil, &AccessError{Verb: "get", Resource: "serviceaccount", Namespace: namespace, Name: sa, Err: err}
		default:
			out.ServiceAccount = sa
			refs = acct.ImagePullSecrets
		}
	}
	for _, r := range refs {
		if r.Name == "" {
			continue
		}
		out.Names = append(out.Names, r.Name)
		s, err := cs.CoreV1().Secrets(namespace).Get(ctx, r.Name, metav1.GetOptions{})
		ae := &AccessError{Verb: "get", Resource: "secret", Namespace: namespace, Name: r.Name, Err: err}
		switch {
		case apierrors.IsNotFound(err):
			out.Skipped = append(out.Skipped, ae)
			continue
		case err != nil:
			return nil, ae
		}
		srcs, err := secretSource(s, nil)
		if errors.Is(err, secrets.ErrNotPullSecret) {
			out.Skipped = append(out.Skipped, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Sources = append(out.Sources, srcs...)
	}
	return out, nil
}
