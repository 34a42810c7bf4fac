package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/pullsecret/pullsecret/secrets"
)

// The label and annotations every copy Sync makes carries: it owns a
// Secret only when it has the label.
const (
	SyncFieldManager      = "pullsecret-sync"
	SyncManagedByLabel    = "pullsecret.dev/managed-by"
	SyncManagedByValue    = "pullsecret-sync"
	SyncSourceAnnotation  = "pullsecret.dev/source"
	SyncHashAnnotation    = "pullsecret.dev/source-hash"
	DefaultSyncWorkers    = 8
	syncListPageSize      = 500
	syncDefaultLinkTarget = "default"
)

// ErrSyncSource is wrapped by the error of a source Secret that is not a
// valid pull secret (or does not exist): nothing is copied.
var ErrSyncSource = errors.New("invalid sync source")

// SyncOptions say what Sync copies where. Exactly one of Selector,
// NameGlobs and All selects the namespaces (Selector may be combined with
// NameGlobs: both must match).
type SyncOptions struct {
	From      string   // NAMESPACE/SECRET, the source
	Selector  string   // label selector of namespaces
	NameGlobs []string // path.Match patterns of namespace names
	All       bool     // every namespace
	Link      []string // ServiceAccounts whose imagePullSecrets get the copy; nil: ["default"]; empty non-nil: none
	Name      string   // name of the copies; "": the source's
	Prune     bool     // delete (and unlink) copies of From outside the selection
	DryRun    bool     // send the writes with dryRun=All
	Diff      bool     // send no write at all; report what would change
	Workers   int      // parallel namespaces; 0: DefaultSyncWorkers
}

// SyncOutcome is what Sync did in one namespace.
type SyncOutcome string

// The outcomes of one namespace.
const (
	SyncCreated   SyncOutcome = "created"
	SyncUpdated   SyncOutcome = "updated"
	SyncUnchanged SyncOutcome = "unchanged"
	SyncSkipped   SyncOutcome = "skipped"
	SyncFailed    SyncOutcome = "failed"
	SyncPruned    SyncOutcome = "pruned"
)

// SyncNamespace is the outcome in one namespace.
type SyncNamespace struct {
	Namespace string      `json:"namespace"`
	Outcome   SyncOutcome `json:"outcome"`
	// Reason says why a namespace was skipped or failed (never a value).
	Reason string `json:"reason,omitempty"`
	// Changes are what was (or, under DryRun/Diff, would be) changed:
	// "secret NAME created", "serviceaccount default: linked NAME".
	Changes []string `json:"changes,omitempty"`
	// Warnings do not fail the namespace (a ServiceAccount to link that
	// does not exist yet).
	Warnings []string `json:"warnings,omitempty"`
}

// SyncReport is the outcome of Sync, one entry per namespace in name order.
type SyncReport struct {
	Source     string          `json:"source"`
	Name       string          `json:"name"`
	Hash       string          `json:"hash,omitempty"` // "" only when the source is gone (Prune)
	DryRun     bool            `json:"dryRun"`
	Diff       bool            `json:"diff"`
	Namespaces []SyncNamespace `json:"namespaces"`
}

// Count returns how many namespaces had outcome o.
func (r *SyncReport) Count(o SyncOutcome) int {
	n := 0
	for _, ns := range r.Namespaces {
		if ns.Outcome == o {
			n++
		}
	}
	return n
}

// Failed reports whether any namespace failed.
func (r *SyncReport) Failed() bool { return r.Count(SyncFailed) > 0 }

// SyncHash is the hash a copy carries: sha256 over the type and the data
// (keys in order, each key and value length-prefixed).
func SyncHash(typ corev1.SecretType, data map[string][]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s", len(typ), typ)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(data[k]))
		h.Write(data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// syncState is what the cluster-wide lists found.
type syncState struct {
	byName  map[string]*corev1.Secret         // namespace -> Secret named Name
	managed []*corev1.Secret                  // copies of From (label and source annotation)
	sas     map[string]*corev1.ServiceAccount // "ns/name" -> ServiceAccount
}

// Sync copies the pull secret From into every selected namespace and links
// it to the ServiceAccounts of Link there (docs/cluster.md#sync).
//
// Requests: a get of the source, paged lists of namespaces, of Secrets
// named Name, of the managed copies and of ServiceAccounts (all
// cluster-wide), then per namespace at most one Secret write (create, or
// update with the resourceVersion listed) and one update per linked
// ServiceAccount. A namespace where nothing differs gets no request. Writes
// are create/update with preconditions, not server-side apply: a create
// fails when a Secret of that name appeared since the list, an update when
// the copy changed since, so a Secret another writer made is never taken
// over. The payload never appears in an error.
func (c *Client) Sync(ctx context.Context, o SyncOptions) (*SyncReport, error) {
	srcNS, srcName, ok := strings.Cut(o.From, "/")
	if !ok || srcNS == "" || srcName == "" {
		return nil, fmt.Errorf("sync: source %q: want NAMESPACE/SECRET", o.From)
	}
	name := o.Name
	if name == "" {
		name = srcName
	}
	link := o.Link
	if link == nil {
		link = []string{syncDefaultLinkTarget}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = DefaultSyncWorkers
	}
	rep := &SyncReport{Source: o.From, Name: name, DryRun: o.DryRun, Diff: o.Diff, Namespaces: []SyncNamespace{}}
	cs := c.Clientset.CoreV1()

	src, err := cs.Secrets(srcNS).Get(ctx, srcName, metav1.GetOptions{})
	sourceGone := apierrors.IsNotFound(err)
	switch {
	case sourceGone && o.Prune:
		// prune every copy of it below
	case err != nil:
		return nil, fmt.Errorf("sync: %w", &AccessError{Verb: "get", Resource: "secret", Namespace: srcNS, Name: srcName, Err: err})
	default:
		if err := validateSyncSource(src); err != nil {
			return nil, fmt.Errorf("sync: %w: secret %s: %w", ErrSyncSource, o.From, err)
		}
		rep.Hash = SyncHash(src.Type, src.Data)
	}

	selected := map[string]bool{}
	var order []string
	if !sourceGone {
		order, err = c.syncNamespaces(ctx, o)
		if err != nil {
			return nil, err
		}
		order = slices.DeleteFunc(order, func(ns string) bool { return ns == srcNS && name == srcName })
		for _, ns := range order {
			selected[ns] = true
		}
	}
	st, err := c.syncList(ctx, o.From, name, link)
	if err != nil {
		return nil, err
	}

	results := make([]SyncNamespace, len(order))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(order), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = c.syncOne(ctx, o, st, src, order[i], name, link, rep.Hash)
			}
		}()
	}
	for i := range order {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.Namespaces = append(rep.Namespaces, results...)

	if o.Prune {
		var stale []*corev1.Secret
		for _, s := range st.managed {
			if sourceGone || !selected[s.Namespace] || s.Name != name {
				stale = append(stale, s)
			}
		}
		pruned := make([]SyncNamespace, len(stale))
		jobs := make(chan int)
		for range min(workers, max(len(stale), 1)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					pruned[i] = c.syncPrune(ctx, o, st, stale[i], link)
				}
			}()
		}
		for i := range stale {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		rep.Namespaces = append(rep.Namespaces, pruned...)
	}
	sort.SliceStable(rep.Namespaces, func(i, j int) bool { return rep.Namespaces[i].Namespace < rep.Namespaces[j].Namespace })
	return rep, nil
}

// validateSyncSource checks that src is a pull secret whose payload parses,
// as a manifest of it would be read (secrets.ReadSource).
func validateSyncSource(src *corev1.Secret) error {
	if src.Type != corev1.SecretTypeDockerConfigJson && src.Type != corev1.SecretTypeDockercfg {
		return fmt.Errorf("type %s: want %s or %s", src.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
	}
	if _, err := secretSource(src, nil); err != nil {
		return err
	}
	return nil
}

// syncNamespaces lists the selected namespaces (paged), in name order.
// kube-* and openshift-* are left out unless a name glob starts with
// that prefix; Terminating namespaces are left out.
func (c *Client) syncNamespaces(ctx context.Context, o SyncOptions) ([]string, error) {
	if !o.All && o.Selector == "" && len(o.NameGlobs) == 0 {
		return nil, errors.New("sync: no namespaces selected: want a selector, name globs or all")
	}
	for _, g := range o.NameGlobs {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("sync: namespace glob %q: %w", g, err)
		}
	}
	if o.Selector != "" {
		if _, err := labels.Parse(o.Selector); err != nil {
			return nil, fmt.Errorf("sync: namespace selector %q: %w", o.Selector, err)
		}
	}
	var out []string
	opts := metav1.ListOptions{LabelSelector: o.Selector, Limit: syncListPageSize}
	for {
		l, err := c.Clientset.CoreV1().Namespaces().List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("sync: list namespaces: %w", err)
		}
		for _, ns := range l.Items {
			if ns.Status.Phase == corev1.NamespaceTerminating || ns.DeletionTimestamp != nil {
				continue
			}
			if syncNamespaceMatches(ns.Name, o) {
				out = append(out, ns.Name)
			}
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	sort.Strings(out)
	return out, nil
}

// syncNamespaceMatches applies the name globs and the kube-*/openshift-*
// exclusion to one namespace the selector matched.
func syncNamespaceMatches(ns string, o SyncOptions) bool {
	system := strings.HasPrefix(ns, "kube-") || strings.HasPrefix(ns, "openshift-") || ns == "openshift"
	if len(o.NameGlobs) == 0 {
		return !system
	}
	for _, g := range o.NameGlobs {
		if ok, _ := path.Match(g, ns); !ok {
			continue
		}
		if !system || strings.HasPrefix(g, "kube-") || strings.HasPrefix(g, "openshift") {
			return true
		}
	}
	return false
}

// syncList makes the cluster-wide lists: Secrets named name, the managed
// copies of from, and the ServiceAccounts to link (by name when there is
// one).
func (c *Client) syncList(ctx context.Context, from, name string, link []string) (*syncState, error) {
	cs := c.Clientset.CoreV1()
	st := &syncState{byName: map[string]*corev1.Secret{}, sas: map[string]*corev1.ServiceAccount{}}
	err := pagedList(ctx, func(opts metav1.ListOptions) (string, error) {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
		l, err := cs.Secrets("").List(ctx, opts)
		if err != nil {
			return "", err
		}
		for i := range l.Items {
			st.byName[l.Items[i].Namespace] = &l.Items[i]
		}
		return l.Continue, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync: list secrets named %s: %w", name, err)
	}
	err = pagedList(ctx, func(opts metav1.ListOptions) (string, error) {
		opts.LabelSelector = SyncManagedByLabel + "=" + SyncManagedByValue
		l, err := cs.Secrets("").List(ctx, opts)
		if err != nil {
			return "", err
		}
		for i := range l.Items {
			if l.Items[i].Annotations[SyncSourceAnnotation] == from {
				st.managed = append(st.managed, &l.Items[i])
			}
		}
		return l.Continue, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync: list secrets %s=%s: %w", SyncManagedByLabel, SyncManagedByValue, err)
	}
	if len(link) == 0 {
		return st, nil
	}
	err = pagedList(ctx, func(opts metav1.ListOptions) (string, error) {
		if len(link) == 1 {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", link[0]).String()
		}
		l, err := cs.ServiceAccounts("").List(ctx, opts)
		if err != nil {
			return "", err
		}
		for i := range l.Items {
			if slices.Contains(link, l.Items[i].Name) {
				st.sas[l.Items[i].Namespace+"/"+l.Items[i].Name] = &l.Items[i]
			}
		}
		return l.Continue, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync: list serviceaccounts: %w", err)
	}
	return st, nil
}

// pagedList calls list with Limit and each Continue token until the last
// page.
func pagedList(ctx context.Context, list func(metav1.ListOptions) (string, error)) error {
	opts := metav1.ListOptions{Limit: syncListPageSize}
	for {
		next, err := list(opts)
		if err != nil {
			return err
		}
		if next == "" || ctx.Err() != nil {
			return ctx.Err()
		}
		opts.Continue = next
	}
}

// isManagedCopy reports whether s is a copy Sync made of from.
func isManagedCopy(s *corev1.Secret, from string) bool {
	return s.Labels[SyncManagedByLabel] == SyncManagedByValue && s.Annotations[SyncSourceAnnotation] == from
}

// syncOne makes (or leaves) the copy in ns and links it.
func (c *Client) syncOne(ctx context.Context, o SyncOptions, st *syncState, src *corev1.Secret, ns, name string, link []string, hash string) SyncNamespace {
	out := SyncNamespace{Namespace: ns, Outcome: SyncUnchanged}
	secretsAPI := c.Clientset.CoreV1().Secrets(ns)
	existing := st.byName[ns]
	switch {
	case existing != nil && existing.Labels[SyncManagedByLabel] != SyncManagedByValue:
		out.Outcome, out.Reason = SyncSkipped, fmt.Sprintf("secret %s exists and was not made by pullsecret sync (no label %s=%s): left alone", objectRef(ns, name), SyncManagedByLabel, SyncManagedByValue)
		return out
	case existing != nil && !isManagedCopy(existing, o.From):
		out.Outcome, out.Reason = SyncSkipped, fmt.Sprintf("secret %s is a copy of %s, not of %s: left alone", objectRef(ns, name), existing.Annotations[SyncSourceAnnotation], o.From)
		return out
	case existing == nil:
		out.Outcome = SyncCreated
		out.Changes = append(out.Changes, "secret "+name+" created")
		if !o.Diff {
			cp := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{SyncManagedByLabel: SyncManagedByValue},
					Annotations: map[string]string{SyncSourceAnnotation: o.From, SyncHashAnnotation: hash}},
				Type: src.Type, Data: src.Data,
			}
			if _, err := secretsAPI.Create(ctx, cp, metav1.CreateOptions{FieldManager: SyncFieldManager, DryRun: dryRunOption(o.DryRun)}); err != nil {
				if apierrors.IsAlreadyExists(err) {
					out.Outcome, out.Reason = SyncFailed, fmt.Sprintf("create secret %s: a Secret of that name appeared during the sync: left alone (the next run decides)", objectRef(ns, name))
				} else {
					out.Outcome, out.Reason = SyncFailed, fmt.Sprintf("create secret %s: %v", objectRef(ns, name), err)
				}
				out.Changes = nil
				return out
			}
		}
	case existing.Type != src.Type:
		out.Outcome, out.Reason = SyncFailed, fmt.Sprintf("secret %s is type %s, the source %s: a type cannot change (delete the copy; the next sync makes it again)", objectRef(ns, name), existing.Type, src.Type)
		return out
	case SyncHash(existing.Type, existing.Data) != hash || existing.Annotations[SyncHashAnnotation] != hash:
		out.Outcome = SyncUpdated
		out.Changes = append(out.Changes, fmt.Sprintf("secret %s updated (payload hash %s -> %s)", name, short(SyncHash(existing.Type, existing.Data)), short(hash)))
		if !o.Diff {
			cp := existing.DeepCopy()
			cp.Data = src.Data
			cp.Annotations[SyncHashAnnotation] = hash
			if _, err := secretsAPI.Update(ctx, cp, metav1.UpdateOptions{FieldManager: SyncFieldManager, DryRun: dryRunOption(o.DryRun)}); err != nil {
				out.Outcome, out.Reason, out.Changes = SyncFailed, fmt.Sprintf("update secret %s: %v", objectRef(ns, name), err), nil
				return out
			}
		}
	}
	for _, sa := range link {
		changed, warn, err := c.syncLink(ctx, o, st, ns, sa, name, false)
		if warn != "" {
			out.Warnings = append(out.Warnings, warn)
		}
		if err != nil {
			out.Outcome, out.Reason = SyncFailed, err.Error()
			return out
		}
		if changed {
			out.Changes = append(out.Changes, fmt.Sprintf("serviceaccount %s: linked %s", sa, name))
			if out.Outcome == SyncUnchanged {
				out.Outcome = SyncUpdated
			}
		}
	}
	return out
}

// short is the first 12 hex digits of a hash, for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// syncLink adds (or with unlink removes) secret to the imagePullSecrets of
// ServiceAccount ns/sa, starting from the listed object: when it already
// is as wanted nothing is sent. The update carries the listed
// resourceVersion; on a conflict the ServiceAccount is read again and the
// edit redone, so entries another writer added stay (as
// LinkServiceAccount). A missing ServiceAccount is a warning.
func (c *Client) syncLink(ctx context.Context, o SyncOptions, st *syncState, ns, sa, secret string, unlink bool) (bool, string, error) {
	cur := st.sas[ns+"/"+sa]
	if cur == nil {
		if unlink {
			return false, "", nil
		}
		return false, fmt.Sprintf("serviceaccount %s does not exist: not linked (the next sync links it)", objectRef(ns, sa)), nil
	}
	api := c.Clientset.CoreV1().ServiceAccounts(ns)
	var changed bool
	for attempt := 0; ; attempt++ {
		edit := cur.DeepCopy()
		var ch []string
		if unlink {
			ch = secrets.UnlinkServiceAccount(edit, []string{secret}, true, false)
		} else {
			ch = secrets.LinkServiceAccount(edit, []string{secret}, true, false)
		}
		if len(ch) == 0 {
			return changed, "", nil
		}
		if o.Diff {
			return true, "", nil
		}
		_, err := api.Update(ctx, edit, metav1.UpdateOptions{FieldManager: SyncFieldManager, DryRun: dryRunOption(o.DryRun)})
		if err == nil {
			return true, "", nil
		}
		if !apierrors.IsConflict(err) || attempt >= conflictBackoff.Steps {
			return false, "", fmt.Errorf("update serviceaccount %s: %w", objectRef(ns, sa), err)
		}
		cur, err = api.Get(ctx, sa, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, "", nil
		}
		if err != nil {
			return false, "", fmt.Errorf("get serviceaccount %s: %w", objectRef(ns, sa), err)
		}
	}
}

// syncPrune unlinks and deletes one stale copy (preconditions: its UID and
// resourceVersion as listed, so a Secret changed since is left).
func (c *Client) syncPrune(ctx context.Context, o SyncOptions, st *syncState, s *corev1.Secret, link []string) SyncNamespace {
	out := SyncNamespace{Namespace: s.Namespace, Outcome: SyncPruned}
	for _, sa := range link {
		changed, _, err := c.syncLink(ctx, o, st, s.Namespace, sa, s.Name, true)
		if err != nil {
			out.Outcome, out.Reason = SyncFailed, "prune: "+err.Error()
			return out
		}
		if changed {
			out.Changes = append(out.Changes, fmt.Sprintf("serviceaccount %s: unlinked %s", sa, s.Name))
		}
	}
	out.Changes = append(out.Changes, "secret "+s.Name+" deleted")
	if o.Diff {
		return out
	}
	uid, rv := s.UID, s.ResourceVersion
	err := c.Clientset.CoreV1().Secrets(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}, DryRun: dryRunOption(o.DryRun),
	})
	if err != nil && !apierrors.IsNotFound(err) {
		out.Outcome, out.Reason = SyncFailed, fmt.Sprintf("prune: delete secret %s: %v", objectRef(s.Namespace, s.Name), err)
	}
	return out
}
