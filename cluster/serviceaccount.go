package cluster

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/pullsecret/pullsecret/secrets"
)

// LinkOptions say what LinkServiceAccount changes.
type LinkOptions struct {
	Secrets []string // secret names, in order
	Pull    bool     // imagePullSecrets
	Mount   bool     // secrets
	Unlink  bool     // remove instead of add
	DryRun  bool     // validated and admitted by the server, not stored
}

// LinkResult is the outcome of LinkServiceAccount.
type LinkResult struct {
	Result
	// Changed are the secret names added (or removed), in order.
	Changed []string
	// Conflicts counts the writes the server refused because another
	// writer changed the ServiceAccount first (each was redone).
	Conflicts int
	// Warnings are the problems found with the named secrets, one line
	// each: missing, not a pull-secret type, OpenShift-managed, or not
	// readable. None of them stops the edit (as oc secrets link).
	Warnings []string
}

// managedDockercfg matches the pull secret OpenShift generates for a
// ServiceAccount (SA-dockercfg-XXXXX), which its controllers keep linked.
var managedDockercfg = regexp.MustCompile(`-dockercfg-[a-z0-9]{5}$`)

// LinkServiceAccount adds the secrets to (or with Unlink removes them from)
// the ServiceAccount ns/name on the server: it reads it, edits it with
// secrets.LinkServiceAccount or secrets.UnlinkServiceAccount and updates
// it with the resourceVersion it read; on a conflict it reads it again and
// repeats the edit, so that entries another writer added in between stay.
// When nothing changes nothing is written (Unchanged). A missing
// ServiceAccount is an error, as for oc secrets link.
func (c *Client) LinkServiceAccount(ctx context.Context, ns, name string, o LinkOptions) (*LinkResult, error) {
	if ns == "" {
		ns = c.Namespace
	}
	res := &LinkResult{Result: Result{Kind: ResourceServiceAccount, Namespace: ns, Name: name, Action: Unchanged, DryRun: o.DryRun}}
	res.Warnings = c.checkLinkedSecrets(ctx, ns, o)
	sas := c.Clientset.CoreV1().ServiceAccounts(ns)
	verb := "link"
	if o.Unlink {
		verb = "unlink"
	}
	err := retry.OnError(conflictBackoff, apierrors.IsConflict, func() error {
		sa, err := sas.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("get serviceaccount %s: %w", objectRef(ns, name), err)
		}
		if o.Unlink {
			res.Changed = secrets.UnlinkServiceAccount(sa, o.Secrets, o.Pull, o.Mount)
		} else {
			res.Changed = secrets.LinkServiceAccount(sa, o.Secrets, o.Pull, o.Mount)
		}
		if len(res.Changed) == 0 {
			res.Action = Unchanged
			return nil
		}
		if _, err := sas.Update(ctx, sa, metav1.UpdateOptions{DryRun: dryRunOption(o.DryRun), FieldManager: FieldManager}); err != nil {
			if apierrors.IsConflict(err) {
				res.Conflicts++
			}
			return fmt.Errorf("update serviceaccount %s: %w", objectRef(ns, name), err)
		}
		res.Action = Configured
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	return res, nil
}

// checkLinkedSecrets reads each named secret and returns a warning for
// each that is missing, not a pull secret (only with Pull: a mounted secret
// may be of any type), unreadable, or, when unlinking, managed by
// OpenShift.
func (c *Client) checkLinkedSecrets(ctx context.Context, ns string, o LinkOptions) []string {
	var warnings []string
	seen := map[string]bool{}
	for _, n := range o.Secrets {
		if seen[n] {
			continue
		}
		seen[n] = true
		if o.Unlink {
			if managedDockercfg.MatchString(n) {
				warnings = append(warnings, fmt.Sprintf("secret %q looks like the pull secret OpenShift generates for a ServiceAccount: OpenShift links it again, and pods of the ServiceAccount lose access to the internal registry", n))
			}
			continue
		}
		s, err := c.Clientset.CoreV1().Secrets(ns).Get(ctx, n, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			warnings = append(warnings, fmt.Sprintf("secret %s does not exist: the kubelet skips it until it is created", objectRef(ns, n)))
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("cannot check secret %s: %v", objectRef(ns, n), err))
		case o.Pull && !slices.Contains([]corev1.SecretType{corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg}, s.Type):
			warnings = append(warnings, fmt.Sprintf("secret %s is type %s: the kubelet uses only types %s and %s as pull secrets", objectRef(ns, n), s.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg))
		}
	}
	return warnings
}
