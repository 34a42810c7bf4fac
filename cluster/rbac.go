package cluster

import (
	"context"
	"errors"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/pullsecret/pullsecret/secrets"
)

// ErrRoleRefMismatch: the RoleBinding named for GrantImagePull binds
// another role (roleRef cannot be changed).
var ErrRoleRefMismatch = secrets.ErrRoleRefMismatch

// GrantOptions say what GrantImagePull changes.
type GrantOptions struct {
	// Name is the RoleBinding to use (oc's --rolebinding-name); empty
	// means any binding to system:image-puller in the namespace, and
	// system:image-puller for a new one.
	Name     string
	Subjects []rbacv1.Subject
	Remove   bool // remove the subjects (oc policy remove-role-from-*)
	DryRun   bool
}

// GrantResult is one RoleBinding GrantImagePull wrote or left alone.
type GrantResult struct {
	Result
	Added   []rbacv1.Subject // subjects added (or with Remove, removed)
	Present int              // subjects the binding already held (Remove: subjects it did not hold)
}

// GrantImagePull lets the subjects pull images from namespace ns, as oc
// policy add-role-to-user/-group system:image-puller does on the server:
// among the RoleBindings of ns whose roleRef is the ClusterRole
// system:image-puller (or the one named o.Name), the first holding every
// subject is left alone (Unchanged); else the first gets the missing
// subjects after its own (secrets.AddSubjects); with none, a binding
// (secrets.ImagePullerBinding) is created. Each write carries the
// resourceVersion read and is retried from a fresh read on a conflict (or
// when another writer created the binding first), so concurrent grants
// keep each other's subjects.
//
// With Remove, the subjects are removed from every such binding, and a
// binding left without subjects is deleted, as oc policy
// remove-role-from-* does. A binding named o.Name that binds another role
// is ErrRoleRefMismatch.
func (c *Client) GrantImagePull(ctx context.Context, ns string, o GrantOptions) ([]GrantResult, error) {
	if ns == "" {
		ns = c.Namespace
	}
	var results []GrantResult
	verb := "grant image pull"
	if o.Remove {
		verb = "remove image pull"
	}
	retriable := func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) }
	err := retry.OnError(conflictBackoff, retriable, func() error {
		var err error
		if o.Remove {
			results, err = c.removeImagePullers(ctx, ns, o)
		} else {
			results, err = c.addImagePullers(ctx, ns, o)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s in namespace %s: %w", verb, ns, err)
	}
	return results, nil
}

// imagePullerBindings returns the RoleBindings of ns to system:image-puller,
// or the one named name (which must bind it); a missing named binding is
// none.
func (c *Client) imagePullerBindings(ctx context.Context, ns, name string) ([]rbacv1.RoleBinding, error) {
	rbs := c.Clientset.RbacV1().RoleBindings(ns)
	if name != "" {
		rb, err := rbs.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get rolebinding %s: %w", objectRef(ns, name), err)
		}
		if !isImagePuller(rb.RoleRef) {
			return nil, fmt.Errorf("rolebinding %s: %w: it binds %s %s (roleRef cannot change; use another name)", objectRef(ns, name), ErrRoleRefMismatch, rb.RoleRef.Kind, rb.RoleRef.Name)
		}
		return []rbacv1.RoleBinding{*rb}, nil
	}
	list, err := rbs.List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list rolebindings in %s: %w", ns, err)
	}
	var out []rbacv1.RoleBinding
	for _, rb := range list.Items {
		if isImagePuller(rb.RoleRef) {
			out = append(out, rb)
		}
	}
	return out, nil
}

func isImagePuller(ref rbacv1.RoleRef) bool {
	return ref.Kind == "ClusterRole" && ref.Name == secrets.ImagePullerRole && (ref.APIGroup == rbacv1.GroupName || ref.APIGroup == "")
}

func (c *Client) addImagePullers(ctx context.Context, ns string, o GrantOptions) ([]GrantResult, error) {
	bindings, err := c.imagePullerBindings(ctx, ns, o.Name)
	if err != nil {
		return nil, err
	}
	res := GrantResult{Result: Result{Kind: ResourceRoleBinding, Namespace: ns, DryRun: o.DryRun}}
	for _, rb := range bindings {
		if _, n := secrets.AddSubjects(rb.Subjects, o.Subjects); n == 0 {
			res.Name, res.Action, res.Present = rb.Name, Unchanged, len(uniqueSubjects(o.Subjects))
			return []GrantResult{res}, nil
		}
	}
	rbs := c.Clientset.RbacV1().RoleBindings(ns)
	opts := func() metav1.UpdateOptions {
		return metav1.UpdateOptions{DryRun: dryRunOption(o.DryRun), FieldManager: FieldManager}
	}
	if len(bindings) == 0 {
		rb := secrets.ImagePullerBinding(ns, o.Name, o.Subjects)
		if _, err := rbs.Create(ctx, rb, metav1.CreateOptions{DryRun: dryRunOption(o.DryRun), FieldManager: FieldManager}); err != nil {
			return nil, fmt.Errorf("create rolebinding %s: %w", objectRef(ns, rb.Name), err)
		}
		res.Name, res.Action, res.Added = rb.Name, Created, rb.Subjects
		return []GrantResult{res}, nil
	}
	rb := bindings[0]
	before := rb.Subjects
	var n int
	rb.Subjects, n = secrets.AddSubjects(before, o.Subjects)
	if _, err := rbs.Update(ctx, &rb, opts()); err != nil {
		return nil, fmt.Errorf("update rolebinding %s: %w", objectRef(ns, rb.Name), err)
	}
	res.Name, res.Action = rb.Name, Configured
	res.Added = rb.Subjects[len(rb.Subjects)-n:]
	res.Present = len(uniqueSubjects(o.Subjects)) - n
	return []GrantResult{res}, nil
}

func (c *Client) removeImagePullers(ctx context.Context, ns string, o GrantOptions) ([]GrantResult, error) {
	bindings, err := c.imagePullerBindings(ctx, ns, o.Name)
	if err != nil {
		return nil, err
	}
	if len(bindings) == 0 {
		return nil, fmt.Errorf("%w to %s", ErrNoBinding, secrets.ImagePullerRole)
	}
	rbs := c.Clientset.RbacV1().RoleBindings(ns)
	remove := map[subjectID]bool{}
	for _, s := range o.Subjects {
		remove[idOf(s)] = true
	}
	var results []GrantResult
	for _, rb := range bindings {
		res := GrantResult{Result: Result{Kind: ResourceRoleBinding, Namespace: ns, Name: rb.Name, Action: Unchanged, DryRun: o.DryRun}}
		var keep []rbacv1.Subject
		for _, s := range rb.Subjects {
			if remove[idOf(s)] {
				res.Added = append(res.Added, s)
			} else {
				keep = append(keep, s)
			}
		}
		res.Present = len(remove) - len(res.Added)
		switch {
		case len(res.Added) == 0:
		case len(keep) == 0:
			pre := metav1.Preconditions{ResourceVersion: &rb.ResourceVersion}
			if err := rbs.Delete(ctx, rb.Name, metav1.DeleteOptions{Preconditions: &pre, DryRun: dryRunOption(o.DryRun)}); err != nil {
				return nil, fmt.Errorf("delete rolebinding %s: %w", objectRef(ns, rb.Name), err)
			}
			res.Action = Deleted
		default:
			rb.Subjects = keep
			if _, err := rbs.Update(ctx, &rb, metav1.UpdateOptions{DryRun: dryRunOption(o.DryRun), FieldManager: FieldManager}); err != nil {
				return nil, fmt.Errorf("update rolebinding %s: %w", objectRef(ns, rb.Name), err)
			}
			res.Action = Configured
		}
		results = append(results, res)
	}
	return results, nil
}

// ErrNoBinding: grant-pull --remove found no RoleBinding to change.
var ErrNoBinding = errors.New("no rolebinding")

// subjectID is how oc compares subjects: kind, name and namespace.
type subjectID struct{ kind, name, namespace string }

func idOf(s rbacv1.Subject) subjectID { return subjectID{s.Kind, s.Name, s.Namespace} }

func uniqueSubjects(ss []rbacv1.Subject) []subjectID {
	seen := map[subjectID]bool{}
	var out []subjectID
	for _, s := range ss {
		if !seen[idOf(s)] {
			seen[idOf(s)] = true
			out = append(out, idOf(s))
		}
	}
	return out
}
