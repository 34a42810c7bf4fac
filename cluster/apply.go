package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
)

// FieldManager is the field manager of every server-side apply pullsecret
// makes.
const FieldManager = "pullsecret"

// Action is what a write did to an object, in kubectl's words.
type Action string

// The actions kubectl prints after "KIND/NAME".
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
)

// Result is the outcome of one write.
type Result struct {
	Kind      string // lower-case singular resource, as kubectl prints it: "secret"
	Namespace string
	Name      string
	Action    Action
	DryRun    bool // the server validated the change and stored nothing
}

// String is kubectl's one-line result: "secret/NAME created", with
// " (server dry run)" for a server-side dry run.
func (r Result) String() string {
	s := r.Kind + "/" + r.Name + " " + string(r.Action)
	if r.DryRun {
		s += " (server dry run)"
	}
	return s
}

// ApplyOptions configures ApplySecret. The zero value applies for real and
// gives up on a conflict.
type ApplyOptions struct {
	// DryRun asks the server to validate and admit the change without
	// storing it (kubectl's --dry-run=server).
	DryRun bool
	// Force takes over the fields another field manager owns
	// (kubectl's --force-conflicts).
	Force bool
}

// FieldConflict is one field another field manager owns.
type FieldConflict struct {
	Manager string // the other field manager, e.g. "kubectl-client-side-apply"
	Field   string // the field path, e.g. ".data..dockerconfigjson"
}

// ConflictError is a server-side apply refused because other field
// managers own fields pullsecret would change. It is errors.Is
// ErrConflict.
type ConflictError struct {
	Kind, Namespace, Name string
	Conflicts             []FieldConflict
}

// ErrConflict is wrapped by a *ConflictError.
var ErrConflict = errors.New("conflict with another field manager")

// Error names the object, every other manager and field, and the way to
// take the fields over.
func (e *ConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = fmt.Sprintf("field %s is owned by field manager %q", c.Field, c.Manager)
	}
	if len(parts) == 0 {
		parts = []string{"another field manager owns fields it would change"}
	}
	return fmt.Sprintf("apply %s/%s: %s (--force-conflicts takes them over)", e.Kind, e.Name, strings.Join(parts, "; "))
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ApplySecret writes s with server-side apply, field manager "pullsecret",
// in s.Namespace (c.Namespace when empty): the fields s sets (type, data, immutable, labels,
// annotations) become pullsecret's, others' fields stay. The Result says
// whether the Secret was created, configured or left unchanged (the
// server's object kept its resourceVersion); under DryRun, whether it
// would have been. A field another manager owns is a *ConflictError unless
// Force. Errors name the Secret, never its data.
func (c *Client) ApplySecret(ctx context.Context, s *corev1.Secret, opts ApplyOptions) (Result, error) {
	if s.Namespace == "" {
		s = s.DeepCopy()
		s.Namespace = c.Namespace
	}
	res := Result{Kind: ResourceSecret, Namespace: s.Namespace, Name: s.Name, DryRun: opts.DryRun}
	if s.Name == "" {
		return res, errors.New("apply secret: the name is required")
	}
	cs := c.Clientset
	body, err := applyBody(s)
	if err != nil {
		return res, fmt.Errorf("apply secret/%s: encode: %w", s.Name, err)
	}
	// The object before, to tell "unchanged" from "configured". Without
	// the right to get it the answer comes from the status code alone.
	before, err := cs.CoreV1().Secrets(s.Namespace).Get(ctx, s.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		before = nil
	case apierrors.IsForbidden(err):
		before = nil
	case err != nil:
		return res, fmt.Errorf("apply secret/%s: get: %w", s.Name, apiError(err))
	}
	po := &metav1.PatchOptions{FieldManager: FieldManager}
	if opts.Force {
		po.Force = &opts.Force
	}
	if opts.DryRun {
		po.DryRun = []string{metav1.DryRunAll}
	}
	var after corev1.Secret
	var code int
	err = cs.CoreV1().RESTClient().Patch(types.ApplyPatchType).
		Namespace(s.Namespace).Resource("secrets").Name(s.Name).
		VersionedParams(po, scheme.ParameterCodec).
		Body(body).Do(ctx).StatusCode(&code).Into(&after)
	if err != nil {
		if ce := conflictError(res, err); ce != nil {
			return res, ce
		}
		return res, fmt.Errorf("apply secret/%s: %w", s.Name, apiError(err))
	}
	switch {
	case code == http.StatusCreated:
		res.Action = Created
	case before == nil:
		res.Action = Configured
	case !opts.DryRun && after.ResourceVersion == before.ResourceVersion:
		res.Action = Unchanged
	case opts.DryRun && sameSecret(before, &after):
		res.Action = Unchanged
	default:
		res.Action = Configured
	}
	return res, nil
}

// applyBody is the apply configuration of s: only the fields pullsecret
// sets, so that it owns no others (no creationTimestamp, no status).
func applyBody(s *corev1.Secret) ([]byte, error) {
	meta := map[string]any{"name": s.Name, "namespace": s.Namespace}
	if len(s.Labels) > 0 {
		meta["labels"] = s.Labels
	}
	if len(s.Annotations) > 0 {
		meta["annotations"] = s.Annotations
	}
	obj := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta}
	if s.Type != "" {
		obj["type"] = s.Type
	}
	if len(s.Data) > 0 {
		obj["data"] = s.Data // []byte values encode as base64
	}
	if len(s.StringData) > 0 {
		obj["stringData"] = s.StringData
	}
	if s.Immutable != nil {
		obj["immutable"] = *s.Immutable
	}
	return json.Marshal(obj)
}

// sameSecret reports whether a dry run's result a leaves the stored b's
// content as it is (managed fields aside).
func sameSecret(b, a *corev1.Secret) bool {
	x, y := b.DeepCopy(), a.DeepCopy()
	x.ManagedFields, y.ManagedFields = nil, nil
	jx, err1 := json.Marshal(x)
	jy, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && string(jx) == string(jy)
}

// conflictError turns the server's 409 for an apply into a *ConflictError,
// or returns nil for any other error.
func conflictError(res Result, err error) error {
	var se apierrors.APIStatus
	if !errors.As(err, &se) || !apierrors.IsConflict(err) {
		return nil
	}
	ce := &ConflictError{Kind: res.Kind, Namespace: res.Namespace, Name: res.Name}
	if d := se.Status().Details; d != nil {
		for _, c := range d.Causes {
			if c.Type != metav1.CauseTypeFieldManagerConflict {
				continue
			}
			ce.Conflicts = append(ce.Conflicts, FieldConflict{Manager: managerOf(c.Message), Field: c.Field})
		}
	}
	if len(ce.Conflicts) == 0 {
		return nil
	}
	return ce
}

// managerOf extracts the manager from the apiserver's cause message,
// `conflict with "NAME" using v1` (or `... with subresource "status"`).
func managerOf(msg string) string {
	rest, ok := strings.CutPrefix(msg, "conflict with ")
	if !ok {
		return msg
	}
	if q, err := strconv.QuotedPrefix(rest); err == nil {
		if m, err := strconv.Unquote(q); err == nil {
			return m
		}
	}
	return rest
}

// apiError keeps the API error as it is; it exists so that one place
// decides what of a server's reply reaches the user. A Status message
// names the object and the rule, never a Secret's data.
func apiError(err error) error { return err }
