package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

// DefaultPageSize is the number of objects a diagnosis asks for in one
// list request (limit); the rest come with the continue token.
const DefaultPageSize = 500

// GlobalPullSecret is OpenShift's global pull secret, which the machine
// config operator copies to every node's config.json: the node keyring of
// a live diagnosis, where it can be read.
var GlobalPullSecret = struct{ Namespace, Name string }{"openshift-config", "pull-secret"}

// Target is one object named on the command line as kubectl names it:
// pod/NAME, deploy/NAME, sts/NAME...
type Target struct {
	Kind string // Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob
	Name string
}

// String is "kind/name" in kubectl's lower-case resource form.
func (t Target) String() string { return strings.ToLower(t.Kind) + "/" + t.Name }

// targetKinds maps kubectl's resource names and short names to kinds.
var targetKinds = map[string]string{
	"pod": "Pod", "pods": "Pod", "po": "Pod",
	"deployment": "Deployment", "deployments": "Deployment", "deploy": "Deployment",
	"statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
	"daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet",
	"replicaset": "ReplicaSet", "replicasets": "ReplicaSet", "rs": "ReplicaSet",
	"job": "Job", "jobs": "Job",
	"cronjob": "CronJob", "cronjobs": "CronJob", "cj": "CronJob",
}

// ErrBadTarget is returned by ParseTarget for anything but KIND/NAME of a
// pod or workload kind.
var ErrBadTarget = errors.New("want KIND/NAME with KIND pod, deployment, statefulset, daemonset, replicaset, job or cronjob")

// ParseTarget parses kubectl's TYPE/NAME of a pod or workload (short
// names and plurals too, and TYPE.GROUP such as deployment.apps).
func ParseTarget(s string) (Target, error) {
	typ, name, ok := strings.Cut(s, "/")
	typ, _, _ = strings.Cut(strings.ToLower(typ), ".")
	kind := targetKinds[typ]
	if !ok || kind == "" || name == "" {
		return Target{}, fmt.Errorf("%q: %w", s, ErrBadTarget)
	}
	if err := secrets.ValidateName(name); err != nil {
		return Target{}, fmt.Errorf("%q: name: %w", s, err)
	}
	return Target{Kind: kind, Name: name}, nil
}

// DiagnoseOptions select what a live diagnosis reads.
type DiagnoseOptions struct {
	// AllNamespaces diagnoses every namespace (kubectl's -A); else
	// Namespace, "" meaning the client's.
	AllNamespaces bool
	Namespace     string
	// Targets are the objects to diagnose, in Namespace; none: every pod
	// and workload template.
	Targets []Target
	// PageSize is the limit of each list request; 0 means DefaultPageSize.
	PageSize int64
	// Node, when not nil, is the node keyring (--node-config) and the
	// global pull secret is not read.
	Node []match.Credential
	// NodeLabel names Node in findings.
	NodeLabel string
}

// DiagnoseSummary is what a live diagnosis read, besides the per-namespace
// reports.
type DiagnoseSummary struct {
	Namespaces int // namespaces diagnosed
	Pods       int // pods and workloads diagnosed
	// Unreadable are the reads the server refused or could not answer.
	Unreadable []secrets.Unreadable
}

// Diagnose predicts the image pulls of live pods and workload templates
// the way secrets.Inventory.Diagnose predicts those of manifests, from the
// ServiceAccounts, Secrets and RoleBindings of the cluster, and joins each
// container with what the cluster reported about its pulls (Events, the
// container's waiting state), docs/cluster.md#diagnose. It works
// namespace by namespace, in name order, and calls emit with each
// namespace's report, so memory holds one namespace and one page (limit
// PageSize) of each list at a time. A read the server refuses is not an
// error: it is listed in each report it affects (Diagnosis.Unreadable)
// and in the summary, and the predictions depending on it are
// PredictUnknown. The error is emit's, a named target that does not exist
// or cannot be read, or a failure to list pods or workloads at all.
func (c *Client) Diagnose(ctx context.Context, opts DiagnoseOptions, emit func(*secrets.Diagnosis) error) (*DiagnoseSummary, error) {
	d := &diagnoser{c: c, opts: opts, ctx: ctx, rbCache: map[string]*bindingsRead{}, sum: &DiagnoseSummary{}}
	if d.opts.PageSize <= 0 {
		d.opts.PageSize = DefaultPageSize
	}
	ns := opts.Namespace
	if ns == "" {
		ns = c.Namespace
	}
	if opts.AllNamespaces {
		ns = metav1.NamespaceAll
	}
	d.node = opts.Node
	if opts.Node == nil {
		d.readGlobalPullSecret()
	}
	if len(opts.Targets) > 0 {
		return d.sum, d.targets(ns, emit)
	}
	return d.sum, d.namespaces(ns, emit)
}

// diagnoser is one run of Client.Diagnose.
type diagnoser struct {
	c       *Client
	ctx     context.Context
	opts    DiagnoseOptions
	sum     *DiagnoseSummary
	node    []match.Credential
	nodeWhy *secrets.Unreadable // the global pull secret could not be read
	// rbCache holds the RoleBindings of projects read for the internal
	// registry check, crbs the ClusterRoleBindings (read once, when
	// needed).
	rbCache map[string]*bindingsRead
	crbs    *bindingsRead
}

// bindingsRead is a list of RoleBindings or ClusterRoleBindings, or why it
// could not be read.
type bindingsRead struct {
	items []json.RawMessage
	err   *secrets.Unreadable
}

// readGlobalPullSecret reads OpenShift's global pull secret as the node
// keyring: absent (not OpenShift) is no node credentials; unreadable is
// recorded.
func (d *diagnoser) readGlobalPullSecret() {
	g := GlobalPullSecret
	s, err := d.c.Clientset.CoreV1().Secrets(g.Namespace).Get(d.ctx, g.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return
	case err != nil:
		d.nodeWhy = &secrets.Unreadable{
			Read:    "get secret " + g.Namespace + "/" + g.Name,
			Error:   oneLine(err),
			Unknown: "OpenShift's global pull secret, the nodes' credentials (tried after the pod's): a pull without pod credentials may still work",
		}
		d.sum.Unreadable = append(d.sum.Unreadable, *d.nodeWhy)
		return
	}
	srcs, err := secretSource(s, nil)
	if err != nil || len(srcs) == 0 {
		why := "not a pull secret"
		if err != nil {
			why = oneLine(err)
		}
		d.nodeWhy = &secrets.Unreadable{Read: "read secret " + g.Namespace + "/" + g.Name, Error: why,
			Unknown: "the nodes' credentials (tried after the pod's)"}
		d.sum.Unreadable = append(d.sum.Unreadable, *d.nodeWhy)
		return
	}
	d.node = match.CredentialsFromConfig(srcs[0].Config, "secret "+g.Namespace+"/"+g.Name)
}

// oneLine is an API error as one line. API errors never hold a Secret's
// data: the server's message names objects, not their contents.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// nsObjects are the objects of one namespace a diagnosis needs.
type nsObjects struct {
	ns        string
	workloads []json.RawMessage // pods and workloads, as manifests, in order
	specs     []podRef          // their pod specs, for the references
	sas       []json.RawMessage
	saRefs    map[string][]string // ServiceAccount name -> imagePullSecrets
	secrets   map[string]json.RawMessage
	events    []corev1.Event
	pods      []podState // the diagnosed pods
	joinPods  []podState // the pods whose events and states are joined
	unread    []secrets.Unreadable
	unreadRes map[string]string // resource -> why
}

// podRef is a diagnosed object's pod spec, and for a workload the
// selector of its pods.
type podRef struct {
	kind, name string
	spec       *corev1.PodSpec
	selector   labels.Selector // workloads: their pods (nil: none known)
}

// podState is what the join needs of a pod: its labels (to find its
// workload) and status.
type podState struct {
	name   string
	labels map[string]string
	status *corev1.PodStatus
}

// manifest encodes obj as a manifest with apiVersion and kind, without
// managed fields.
func manifest(apiVersion, kind string, obj any, meta *metav1.ObjectMeta) json.RawMessage {
	meta.ManagedFields = nil
	type wrapped struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil // API types always encode
	}
	h, _ := json.Marshal(wrapped{apiVersion, kind})
	// Splice apiVersion and kind in front of the object's own fields.
	out := append(h[:len(h)-1:len(h)-1], ',')
	return append(out, b[1:]...)
}

// unreadable records a read that failed for namespace ns's report.
func (o *nsObjects) unreadable(resource, read string, err error, unknown string) {
	u := secrets.Unreadable{Read: read, Error: oneLine(err), Unknown: unknown}
	o.unread = append(o.unread, u)
	if o.unreadRes == nil {
		o.unreadRes = map[string]string{}
	}
	o.unreadRes[resource] = read + ": " + reasonOf(err)
}

// reasonOf is the short reason of an API error: "forbidden", "not found",
// else the message.
func reasonOf(err error) string {
	switch {
	case apierrors.IsForbidden(err):
		return "forbidden"
	case apierrors.IsUnauthorized(err):
		return "unauthorized"
	}
	return oneLine(err)
}

// diagnose turns the namespace's objects into its report.
func (d *diagnoser) diagnose(o *nsObjects, emit func(*secrets.Diagnosis) error) error {
	var inv secrets.Inventory
	add := func(js json.RawMessage) error {
		if err := inv.AddObject(SourceName, js); err != nil {
			return fmt.Errorf("read %s: %w", o.ns, err)
		}
		return nil
	}
	for _, js := range o.workloads {
		if err := add(js); err != nil {
			return err
		}
	}
	for _, js := range o.sas {
		if err := add(js); err != nil {
			return err
		}
	}
	// Only the referenced Secrets: the others do not change a prediction.
	for _, name := range sortedKeys(o.secrets) {
		if err := add(o.secrets[name]); err != nil {
			return err
		}
	}
	for res, why := range o.unreadRes {
		inv.Unreadable(o.ns, res, why)
	}
	for _, res := range []string{"secrets", "serviceaccounts"} {
		if o.unreadRes[res] == "" {
			inv.Listed(o.ns, res)
		}
	}
	// RoleBindings of the projects of internal-registry images, and the
	// ClusterRoleBindings, only when such an image is there.
	if projects := internalProjects(o.specs); len(projects) > 0 {
		if d.crbs == nil {
			d.crbs = d.listBindings("")
		}
		if d.crbs.err != nil {
			o.unread = append(o.unread, *d.crbs.err)
		}
		for _, js := range d.crbs.items {
			if err := add(js); err != nil {
				return err
			}
		}
		for _, p := range projects {
			rb, ok := d.rbCache[p]
			if !ok {
				rb = d.listBindings(p)
				d.rbCache[p] = rb
			}
			if rb.err != nil {
				o.unread = append(o.unread, *rb.err)
				inv.Unreadable(p, "rolebindings", rb.err.Read+": "+rb.err.Error)
			}
			for _, js := range rb.items {
				if err := add(js); err != nil {
					return err
				}
			}
		}
	}
	rep := inv.Diagnose(d.node)
	if d.nodeWhy != nil {
		rep.Unreadable = append(rep.Unreadable, *d.nodeWhy)
	}
	rep.Unreadable = append(rep.Unreadable, o.unread...)
	joinEvents(rep, o)
	d.sum.Namespaces++
	d.sum.Pods += len(rep.Pods)
	for _, u := range o.unread {
		d.note(u)
	}
	return emit(rep)
}

// listBindings lists the RoleBindings of namespace ns (ClusterRoleBindings
// for ""), paged.
func (d *diagnoser) listBindings(ns string) *bindingsRead {
	out := &bindingsRead{}
	rbac := d.c.Clientset.RbacV1()
	opts := metav1.ListOptions{Limit: d.opts.PageSize}
	for {
		var err error
		var cont string
		if ns == "" {
			var l *rbacv1.ClusterRoleBindingList
			if l, err = rbac.ClusterRoleBindings().List(d.ctx, opts); err == nil {
				for i := range l.Items {
					out.items = append(out.items, manifest("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &l.Items[i], &l.Items[i].ObjectMeta))
				}
				cont = l.Continue
			}
		} else {
			var l *rbacv1.RoleBindingList
			if l, err = rbac.RoleBindings(ns).List(d.ctx, opts); err == nil {
				for i := range l.Items {
					out.items = append(out.items, manifest("rbac.authorization.k8s.io/v1", "RoleBinding", &l.Items[i], &l.Items[i].ObjectMeta))
				}
				cont = l.Continue
			}
		}
		if err != nil {
			if ns == "" {
				out.err = &secrets.Unreadable{Read: "list clusterrolebindings", Error: oneLine(err),
					Unknown: "cluster-wide grants of system:image-puller for OpenShift's internal registry"}
			} else {
				out.err = &secrets.Unreadable{Read: "list rolebindings in " + ns, Error: oneLine(err),
					Unknown: "whether project " + ns + " grants system:image-puller (internal registry pulls from it)"}
			}
			out.items = nil
			return out
		}
		if cont == "" {
			return out
		}
		opts.Continue = cont
	}
}

// internalProjects are the projects of OpenShift internal-registry images
// in specs, sorted.
func internalProjects(specs []podRef) []string {
	seen := map[string]bool{}
	for _, p := range specs {
		for _, img := range images(p.spec) {
			ref, err := match.ParseReference(img)
			if err != nil || !secrets.InternalRegistryHost(ref.Registry) {
				continue
			}
			project, _, _ := strings.Cut(ref.Repository, "/")
			seen[project] = true
		}
	}
	return sortedKeys(seen)
}

func images(spec *corev1.PodSpec) []string {
	var out []string
	for _, c := range spec.InitContainers {
		out = append(out, c.Image)
	}
	for _, c := range spec.Containers {
		out = append(out, c.Image)
	}
	for _, c := range spec.EphemeralContainers {
		out = append(out, c.Image)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
