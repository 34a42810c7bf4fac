package cluster

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// ErrNotPullSecret: the Secret EditSecret was given is not a pull secret
// (secrets.ErrNotPullSecret).
var ErrNotPullSecret = secrets.ErrNotPullSecret

// EditResult is the outcome of EditSecret.
type EditResult struct {
	Result
	// Conflicts counts the updates the server refused because another
	// writer changed the Secret first (each was redone from a fresh read).
	Conflicts int
}

// EditSecretOptions configure EditSecret.
type EditSecretOptions struct {
	DryRun bool // validated and admitted by the server, not stored
}

// EditSecret applies edit to the credentials of the live pull secret
// ns/name (the read-modify-write of pullsecret login/logout --to
// secret/NAME): it reads the Secret, edits its payload with
// secrets.EditManifest (every other entry, member, label and annotation is
// kept; the result is validated) and updates it with the resourceVersion
// it read. On a conflict it reads the Secret again and calls edit again on
// the fresh payload, so an entry another writer changed in between is not
// lost; edit must therefore start from the config it is given each time.
//
// A Secret of another type is an error wrapping ErrNotPullSecret, before
// edit is called. When the edit leaves the payload as it was, nothing is
// written (Unchanged). Errors never contain credentials.
func (c *Client) EditSecret(ctx context.Context, ns, name string, edit func(*dockercfg.Config) error, o EditSecretOptions) (EditResult, error) {
	if ns == "" {
		ns = c.Namespace
	}
	res := EditResult{Result: Result{Kind: ResourceSecret, Namespace: ns, Name: name, Action: Unchanged, DryRun: o.DryRun}}
	ref := "secret " + objectRef(ns, name)
	api := c.Clientset.CoreV1().Secrets(ns)
	err := retry.OnError(conflictBackoff, apierrors.IsConflict, func() error {
		s, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("get %s: %w", ref, err)
		}
		if _, ok := secrets.FormatOf(s.Type); !ok {
			return fmt.Errorf("%s: %w: type %s (want %s or %s)", ref, ErrNotPullSecret, s.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
		}
		s.APIVersion, s.Kind = "v1", "Secret"
		in, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("encode %s: %w", ref, err)
		}
		out, err := secrets.EditManifest(ref, in, edit)
		if err != nil {
			return err
		}
		var edited corev1.Secret
		if err := json.Unmarshal(out, &edited); err != nil {
			return fmt.Errorf("decode edited %s: %w", ref, err)
		}
		if samePayload(s, &edited) {
			res.Action = Unchanged
			return nil
		}
		if _, err := api.Update(ctx, &edited, metav1.UpdateOptions{DryRun: dryRunOption(o.DryRun), FieldManager: FieldManager}); err != nil {
			if apierrors.IsConflict(err) {
				res.Conflicts++
			}
			return fmt.Errorf("update %s: %w", ref, err)
		}
		res.Action = Configured
		return nil
	})
	if err != nil {
		return res, err
	}
	return res, nil
}

// samePayload reports whether the data and stringData of a and b are equal.
func samePayload(a, b *corev1.Secret) bool {
	if len(a.Data) != len(b.Data) || len(a.StringData) != len(b.StringData) {
		return false
	}
	for k, v := range a.Data {
		if w, ok := b.Data[k]; !ok || string(v) != string(w) {
			return false
		}
	}
	for k, v := range a.StringData {
		if w, ok := b.StringData[k]; !ok || v != w {
			return false
		}
	}
	return true
}
