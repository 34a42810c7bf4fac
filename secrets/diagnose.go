package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

// Prediction is what Diagnose predicts for a container's image pull: one of
// the Predict constants. Its JSON form is the string value.
type Prediction string

// Predictions of a container's image pull (Diagnosis).
const (
	// PredictOK: the kubelet has credentials for the image and will try
	// them (with verification: the pull test succeeded).
	PredictOK Prediction = "ok"
	// PredictAnonymous: no credential matches; the kubelet pulls
	// anonymously, which works only for a public image.
	PredictAnonymous Prediction = "anonymous"
	// PredictUnknown: no credential matches, but a referenced secret is
	// missing from the input and may hold one.
	PredictUnknown Prediction = "unknown"
	// PredictFail: the pull will fail: a malformed pull secret breaks every
	// pull of the pod, the image reference is invalid, or (with
	// verification) the pull test failed.
	PredictFail Prediction = "fail"
)

// Severity grades a Problem: one of the Severity constants.
type Severity string

// Severities of a Problem.
const (
	// SeverityError: the pull fails, or may fail for a reason named.
	SeverityError Severity = "error"
	// SeverityWarning: something the kubelet ignores or skips.
	SeverityWarning Severity = "warning"
	// SeverityNote: how the kubelet will pull, for information.
	SeverityNote Severity = "note"
)

// ContainerType is the kind of container of a ContainerDiagnosis: one of
// the Container constants.
type ContainerType string

// Container types of a ContainerDiagnosis.
const (
	ContainerRegular   ContainerType = "container" // spec.containers
	ContainerInit      ContainerType = "init"      // spec.initContainers
	ContainerEphemeral ContainerType = "ephemeral" // spec.ephemeralContainers
)

// PullSecretsFrom says where a pod's effective imagePullSecrets come from:
// one of the PullSecretsFrom constants.
type PullSecretsFrom string

// Origins of a pod's imagePullSecrets (PodDiagnosis.PullSecretsFrom).
const (
	// PullSecretsFromNone: the pod has no imagePullSecrets.
	PullSecretsFromNone PullSecretsFrom = ""
	// PullSecretsFromPod: the pod spec lists them.
	PullSecretsFromPod PullSecretsFrom = "pod"
	// PullSecretsFromServiceAccount: they come from the pod's
	// ServiceAccount, copied into the pod when it is created.
	PullSecretsFromServiceAccount PullSecretsFrom = "serviceaccount"
)

// Problem is one finding about a container's pull. Messages never contain
// credential values.
type Problem struct {
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Diagnosis is the report of Inventory.Diagnose; its JSON form is the stable
// diagnose output of docs/json-output.md#diagnose.
type Diagnosis struct {
	Pods []PodDiagnosis `json:"pods"`
	// Unreadable are the reads the API server refused or could not answer
	// in a live diagnosis (empty offline), each with what it leaves
	// unknown.
	Unreadable []Unreadable `json:"unreadable,omitempty"`
}

// Unreadable is one read of a live diagnosis that failed: the objects, the
// server's reason and what the diagnosis therefore does not know.
type Unreadable struct {
	// Read is the request, e.g. "list secrets in team-a", "get secret
	// openshift-config/pull-secret".
	Read string `json:"read"`
	// Error is the server's reason, one line, never a secret's data.
	Error string `json:"error"`
	// Unknown says what the diagnosis cannot know without it.
	Unknown string `json:"unknown"`
}

// PullEvent is one thing the cluster reported about a container's image
// pull: an Event (reason Failed with "Failed to pull image", ErrImagePull,
// ImagePullBackOff, BackOff "Back-off pulling image") or the container's
// waiting state (ErrImagePull, ImagePullBackOff).
type PullEvent struct {
	// From is "event" or "status" (the container's state.waiting).
	From    string `json:"from"`
	Pod     string `json:"pod,omitempty"` // the pod, when the diagnosis is of a workload
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// Class is the message's failure class where it is recognisable: a
	// verdict value such as "unauthorized", "not-found", "rate-limited".
	Class match.Verdict `json:"class,omitempty"`
	Count int32         `json:"count,omitempty"`
	// Last is when it last happened (RFC 3339), when known.
	Last string `json:"last,omitempty"`
}

// Failed reports whether any pull is predicted to fail.
func (d *Diagnosis) Failed() bool {
	for _, p := range d.Pods {
		for _, c := range p.Containers {
			if c.Prediction == PredictFail {
				return true
			}
		}
	}
	return false
}

// PodDiagnosis is the report for one Pod or workload pod template.
type PodDiagnosis struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Kind is the object's kind: Pod, Deployment, CronJob, ...
	Kind string `json:"kind"`
	// File is the input file the object came from.
	File string `json:"file"`
	// ServiceAccount is the pod's service account name.
	ServiceAccount string `json:"serviceAccount"`
	// PullSecretsFrom is PullSecretsFromPod when the pod lists
	// imagePullSecrets, PullSecretsFromServiceAccount when they come from
	// its ServiceAccount, PullSecretsFromNone ("") when there are none.
	PullSecretsFrom PullSecretsFrom       `json:"pullSecretsFrom,omitempty"`
	Containers      []*ContainerDiagnosis `json:"containers"`
}

// ContainerDiagnosis is the prediction for one container's image.
type ContainerDiagnosis struct {
	Name string `json:"name"`
	// Type is ContainerRegular, ContainerInit or ContainerEphemeral.
	Type  ContainerType `json:"type"`
	Image string        `json:"image,omitempty"`
	// PullPolicy is the explicit imagePullPolicy, else the default
	// Kubernetes derives from the image.
	PullPolicy match.PullPolicy `json:"pullPolicy"`
	// PullPolicyDefaulted reports that PullPolicy was derived.
	PullPolicyDefaulted bool `json:"pullPolicyDefaulted"`
	// PullSecrets are the effective imagePullSecrets names, in order.
	PullSecrets []string `json:"pullSecrets"`
	// Credentials are what the kubelet tries, in order: the pod's
	// secrets' keyring, then the node config's. Empty: anonymous pull.
	Credentials []match.MatchedCredential `json:"credentials"`
	// Prediction is one of the Predict constants.
	Prediction Prediction `json:"prediction"`
	Problems   []Problem  `json:"problems"`
	// Verdict is the pull test's verdict, set by verification only.
	Verdict match.Verdict `json:"verdict,omitempty"`
	// Events are what the cluster reported about this container's pulls
	// (live diagnosis only), latest first.
	Events []PullEvent `json:"events,omitempty"`
	// Observed is the class of the latest reported pull failure with a
	// recognisable class (live diagnosis only).
	Observed match.Verdict `json:"observed,omitempty"`

	// Matches carry the full credentials behind Credentials, in the same
	// order, for a pull test.
	Matches []match.Match `json:"-"`
}

// SetVerdict records a pull test's verdict (match.VerdictOK or a failure
// class, with its one-line message) and sets the prediction from it.
func (c *ContainerDiagnosis) SetVerdict(verdict match.Verdict, message string) {
	c.Verdict = verdict
	if verdict == match.VerdictOK {
		if c.Prediction != PredictFail {
			c.Prediction = PredictOK
		}
		return
	}
	c.Prediction = PredictFail
	c.Problems = append(c.Problems, Problem{SeverityError, "pull test: " + string(verdict) + ": " + message})
}

// Inventory holds the Pods, workloads, ServiceAccounts and Secrets read from
// manifests. The zero value is empty and ready to use.
type Inventory struct {
	pods    []podEntry
	sas     map[string]*corev1.ServiceAccount
	secrets map[string]secretEntry
	// bindings are the RoleBindings and ClusterRoleBindings read;
	// bindingNS the namespaces with at least one RoleBinding.
	bindings  []*rbacBinding
	bindingNS map[string]bool
	// unreadable maps "namespace/resource" (resource: secrets,
	// serviceaccounts, rolebindings) to why a live read of it failed.
	unreadable map[string]string
	// listed holds "namespace/resource" read whole from the cluster: an
	// object of it missing from the inventory does not exist.
	listed map[string]bool
}

// Listed records that every object of the resource ("secrets",
// "serviceaccounts") of namespace that the pods reference was read from the
// cluster: a referenced one missing from the inventory does not exist, so
// the kubelet skips it (an anonymous pull when nothing else matches)
// rather than it being unknown.
func (inv *Inventory) Listed(namespace, resource string) {
	if inv.listed == nil {
		inv.listed = map[string]bool{}
	}
	inv.listed[namespace+"/"+resource] = true
}

// Unreadable records that the resource ("secrets", "serviceaccounts" or
// "rolebindings") of namespace could not be read from the cluster, and why
// (one line: the read and the server's reason). An object of it missing
// from the inventory is then unknown rather than missing: a pull that
// could depend on it is predicted PredictUnknown, with a finding naming
// the read.
func (inv *Inventory) Unreadable(namespace, resource, why string) {
	if inv.unreadable == nil {
		inv.unreadable = map[string]string{}
	}
	inv.unreadable[namespace+"/"+resource] = why
}

type podEntry struct {
	kind, file string
	meta       metav1.ObjectMeta
	spec       corev1.PodSpec
}

// secretEntry is a Secret classified as the kubelet would use it.
type secretEntry struct {
	cfg     *dockercfg.Config // usable pull secret
	ignored string            // why it is not a pull secret (Opaque, type/key mismatch)
	broken  string            // why its payload is malformed: breaks the pod's keyring
}

// workload is the part of a workload object that holds a pod template.
type workload struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     struct {
		Template    *corev1.PodTemplateSpec `json:"template"`
		JobTemplate *struct {
			Spec struct {
				Template *corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
}

// Add reads the manifests of file name (used in errors only): YAML streams,
// JSON objects (one, or several one after another) and v1 Lists holding Pods, Deployments, StatefulSets,
// DaemonSets, ReplicaSets, Jobs, CronJobs, ServiceAccounts, Secrets,
// RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io).
// Other kinds are skipped. Objects without a namespace are in "default".
// A later object of the same kind, namespace and name replaces an earlier
// ServiceAccount or Secret.
func (inv *Inventory) Add(name string, data []byte) error {
	if len(data) > dockercfg.MaxFileSize {
		return fmt.Errorf("%s: %w: %d bytes, limit %d", name, dockercfg.ErrTooLarge, len(data), dockercfg.MaxFileSize)
	}
	for doc, err := range documents(data) {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := inv.object(name, doc.N, doc.JSON, 0); err != nil {
			return err
		}
	}
	return nil
}

// AddObject reads one object already in JSON, such as an object read from
// the cluster and encoded with its apiVersion and kind, as Add reads it
// from a file (name is used in errors only); it skips Add's YAML
// conversion.
func (inv *Inventory) AddObject(name string, js []byte) error {
	if len(js) > dockercfg.MaxFileSize {
		return fmt.Errorf("%s: %w: %d bytes, limit %d", name, dockercfg.ErrTooLarge, len(js), dockercfg.MaxFileSize)
	}
	return inv.object(name, 1, js, 0)
}

func (inv *Inventory) object(name string, doc int, js []byte, depth int) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: document %d: "+format, append([]any{name, doc}, args...)...)
	}
	var o object
	if err := json.Unmarshal(js, &o); err != nil {
		return fail("%w: %s", ErrNotManifest, jsonKindOf(js))
	}
	if o.Kind == "" {
		return fail("%w: no kind", ErrNotManifest)
	}
	core := o.APIVersion == "v1"
	switch {
	case core && strings.HasSuffix(o.Kind, "List"):
		if depth >= maxListDepth {
			return fail("Lists nested more than %d deep", maxListDepth)
		}
		for _, item := range o.Items {
			if err := inv.object(name, doc, item, depth+1); err != nil {
				return err
			}
		}
	case core && o.Kind == "Secret":
		var s corev1.Secret
		if err := json.Unmarshal(js, &s); err != nil {
			return fail("decode Secret: %w", cleanDecodeError(err))
		}
		r := &reader{name: name, doc: doc}
		var e secretEntry
		err := r.secret(js)
		// The report names the secret itself: keep only the cause.
		why := ""
		if se := (*SecretError)(nil); errors.As(err, &se) {
			why = se.Err.Error()
		} else if err != nil {
			why = err.Error()
		}
		switch {
		case err == nil:
			e.cfg = r.out[0].Config
		case errors.Is(err, ErrNotPullSecret):
			e.ignored = why
		default:
			e.broken = why
		}
		inv.setSecret(objectKey(s.ObjectMeta), e)
	case core && o.Kind == "ServiceAccount":
		var sa corev1.ServiceAccount
		if err := json.Unmarshal(js, &sa); err != nil {
			return fail("decode ServiceAccount: %w", cleanDecodeError(err))
		}
		if inv.sas == nil {
			inv.sas = map[string]*corev1.ServiceAccount{}
		}
		inv.sas[objectKey(sa.ObjectMeta)] = &sa
	case (o.Kind == "RoleBinding" || o.Kind == "ClusterRoleBinding") && strings.HasPrefix(o.APIVersion, rbacv1.GroupName+"/"):
		var rb rbacv1.RoleBinding // a ClusterRoleBinding has the same fields
		if err := json.Unmarshal(js, &rb); err != nil {
			return fail("decode %s: %w", o.Kind, cleanDecodeError(err))
		}
		b := &rbacBinding{kind: o.Kind, name: rb.Name, roleRef: rb.RoleRef, subjects: rb.Subjects}
		if o.Kind == "RoleBinding" {
			b.namespace = namespaceOf(rb.ObjectMeta)
			if inv.bindingNS == nil {
				inv.bindingNS = map[string]bool{}
			}
			inv.bindingNS[b.namespace] = true
		}
		inv.bindings = append(inv.bindings, b)
	case core && o.Kind == "Pod":
		var p corev1.Pod
		if err := json.Unmarshal(js, &p); err != nil {
			return fail("decode Pod: %w", cleanDecodeError(err))
		}
		inv.pods = append(inv.pods, podEntry{kind: o.Kind, file: name, meta: p.ObjectMeta, spec: p.Spec})
	case o.Kind == "Deployment", o.Kind == "StatefulSet", o.Kind == "DaemonSet",
		o.Kind == "ReplicaSet", o.Kind == "Job", o.Kind == "CronJob":
		var w workload
		if err := json.Unmarshal(js, &w); err != nil {
			return fail("decode %s: %w", o.Kind, cleanDecodeError(err))
		}
		t := w.Spec.Template
		if w.Spec.JobTemplate != nil {
			t = w.Spec.JobTemplate.Spec.Template
		}
		if t == nil {
			return fail("%s %s has no pod template", o.Kind, w.Metadata.Name)
		}
		inv.pods = append(inv.pods, podEntry{kind: o.Kind, file: name, meta: w.Metadata, spec: t.Spec})
	}
	return nil
}

func (inv *Inventory) setSecret(key string, e secretEntry) {
	if inv.secrets == nil {
		inv.secrets = map[string]secretEntry{}
	}
	inv.secrets[key] = e
}

func namespaceOf(m metav1.ObjectMeta) string {
	if m.Namespace == "" {
		return metav1.NamespaceDefault
	}
	return m.Namespace
}

func objectKey(m metav1.ObjectMeta) string { return namespaceOf(m) + "/" + m.Name }

// Diagnose predicts every container image pull of every pod read so far,
// as the kubelet would pull it (see docs/matching.md#kubelet-semantics for
// the keyring rules):
//
//   - the effective pull secrets are the pod's imagePullSecrets, else its
//     ServiceAccount's (serviceAccountName, default "default"), which the
//     admission plugin copies only when the pod is created;
//   - a referenced Secret missing from the input is skipped by the kubelet;
//     one of another type, or whose type and data key disagree, is ignored;
//     a malformed one (bad JSON, bad auth) makes the pod's whole keyring
//     fail, so every pull of the pod fails (PredictFail);
//   - the credentials are the pod keyring's matches (all usable secrets, in
//     imagePullSecrets order), then those of node, the node's config.json
//     credentials (nil for none). The kubelet tries them in order and never
//     retries anonymously; with none it pulls anonymously.
func (inv *Inventory) Diagnose(node []match.Credential) *Diagnosis {
	nodeRing := match.NewKeyring(node)
	d := &Diagnosis{Pods: []PodDiagnosis{}}
	for _, p := range inv.pods {
		d.Pods = append(d.Pods, inv.diagnosePod(p, nodeRing))
	}
	return d
}

func (inv *Inventory) diagnosePod(p podEntry, nodeRing *match.Keyring) PodDiagnosis {
	ns := namespaceOf(p.meta)
	sa := p.spec.ServiceAccountName
	if sa == "" {
		sa = p.spec.DeprecatedServiceAccount
	}
	if sa == "" {
		sa = "default"
	}
	pd := PodDiagnosis{Namespace: ns, Name: p.meta.Name, Kind: p.kind, File: p.file, ServiceAccount: sa}
	var podProblems []Problem
	add := func(sev Severity, format string, args ...any) {
		podProblems = append(podProblems, Problem{sev, fmt.Sprintf(format, args...)})
	}

	refs := p.spec.ImagePullSecrets
	saUnknown := false
	switch {
	case len(refs) > 0:
		pd.PullSecretsFrom = PullSecretsFromPod
	default:
		acct, ok := inv.sas[ns+"/"+sa]
		switch {
		case !ok && inv.unreadable[ns+"/serviceaccounts"] != "":
			saUnknown = true
			add(SeverityWarning, "ServiceAccount %s/%s could not be read (%s): the imagePullSecrets it would add at pod creation are unknown", ns, sa, inv.unreadable[ns+"/serviceaccounts"])
		case !ok && inv.listed[ns+"/serviceaccounts"]:
			add(SeverityWarning, "ServiceAccount %s/%s does not exist: it gives the pod no imagePullSecrets", ns, sa)
		case !ok:
			add(SeverityNote, "ServiceAccount %s/%s is not in the input: the imagePullSecrets it would add at pod creation are unknown", ns, sa)
		case len(acct.ImagePullSecrets) > 0:
			refs = acct.ImagePullSecrets
			pd.PullSecretsFrom = PullSecretsFromServiceAccount
			add(SeverityNote, "imagePullSecrets come from ServiceAccount %s/%s: they are copied into a pod only when it is created, so existing pods keep what they had", ns, sa)
		}
	}

	names := []string{}
	var creds []match.Credential
	missing, broken := false, false
	var gone []int // indexes of the findings of secrets that do not exist
	// unknownWhat names what may hold a credential the input lacks.
	unknownWhat := "a missing secret"
	if saUnknown {
		unknownWhat = "the ServiceAccount that could not be read"
	}
	for _, ref := range refs {
		names = append(names, ref.Name)
		e, ok := inv.secrets[ns+"/"+ref.Name]
		switch {
		case !ok && inv.unreadable[ns+"/secrets"] != "":
			missing = true
			unknownWhat = "a secret that could not be read"
			add(SeverityWarning, "secret %s/%s could not be read (%s): whether it holds a credential is unknown", ns, ref.Name, inv.unreadable[ns+"/secrets"])
		case !ok && inv.listed[ns+"/secrets"]:
			gone = append(gone, len(podProblems))
			add(SeverityWarning, "secret %s/%s does not exist: the kubelet skips it", ns, ref.Name)
		case !ok:
			missing = true
			add(SeverityWarning, "secret %s/%s is not in the input: the kubelet skips a missing secret, and the pull may fail", ns, ref.Name)
		case e.broken != "":
			broken = true
			add(SeverityError, "secret %s/%s is malformed, which breaks every pull of the pod: %s", ns, ref.Name, e.broken)
		case e.ignored != "":
			add(SeverityWarning, "secret %s/%s is ignored by the kubelet: %s", ns, ref.Name, e.ignored)
		default:
			creds = append(creds, match.CredentialsFromConfig(e.cfg, "secret "+ns+"/"+ref.Name)...)
		}
	}
	podRing := match.NewKeyring(creds)

	addContainer := func(typ ContainerType, c corev1.Container) {
		cd := &ContainerDiagnosis{
			Name: c.Name, Type: typ, Image: c.Image,
			PullPolicy:  match.PullPolicy(c.ImagePullPolicy),
			PullSecrets: names, Credentials: []match.MatchedCredential{},
			Problems: append([]Problem{}, podProblems...),
		}
		if cd.PullPolicy == "" {
			cd.PullPolicy, cd.PullPolicyDefaulted = match.DefaultPullPolicy(c.Image), true
		}
		if c.ImagePullPolicy == corev1.PullNever {
			cd.Problems = append(cd.Problems, Problem{SeverityNote, "imagePullPolicy Never: the kubelet never pulls; the image must already be on the node"})
		}
		inv.predict(cd, podRing, nodeRing, missing || saUnknown, unknownWhat, broken)
		if cd.Prediction == PredictAnonymous {
			// Nothing else matches: the secret that does not exist was
			// the pull's credential, it seems.
			for _, i := range gone {
				cd.Problems[i].Severity = SeverityError
			}
		}
		inv.checkInternalRegistry(cd, ns, sa)
		pd.Containers = append(pd.Containers, cd)
	}
	for _, c := range p.spec.InitContainers {
		addContainer(ContainerInit, c)
	}
	for _, c := range p.spec.Containers {
		addContainer(ContainerRegular, c)
	}
	for _, c := range p.spec.EphemeralContainers {
		addContainer(ContainerEphemeral, corev1.Container(c.EphemeralContainerCommon))
	}
	if pd.Containers == nil {
		pd.Containers = []*ContainerDiagnosis{}
	}
	return pd
}

func (inv *Inventory) predict(cd *ContainerDiagnosis, podRing, nodeRing *match.Keyring, missing bool, unknownWhat string, broken bool) {
	add := func(sev Severity, format string, args ...any) {
		cd.Problems = append(cd.Problems, Problem{sev, fmt.Sprintf(format, args...)})
	}
	ref, err := match.ParseReference(cd.Image)
	if err != nil {
		cd.Prediction = PredictFail
		add(SeverityError, "invalid image: %v", err)
		return
	}
	if broken {
		cd.Prediction = PredictFail
		return
	}
	podMatches := podRing.Lookup(ref, match.SemanticsKubelet)
	cd.Matches = append(podMatches, nodeRing.Lookup(ref, match.SemanticsKubelet)...)
	usable := 0
	for i, m := range cd.Matches {
		src := m.Source
		if i >= len(podMatches) {
			src = "node config " + src
		}
		sum := m.Summary()
		sum.Source = src
		cd.Credentials = append(cd.Credentials, sum)
		if m.Note != "" {
			add(SeverityNote, "%s (from %s): %s", m.Key, src, m.Note)
		}
		if m.Credential.IsEmpty() {
			add(SeverityWarning, "%s (from %s) has no username or password (an identity or registry token only, which the kubelet drops): it is tried as an empty credential and fails on a private image", m.Key, src)
		} else {
			usable++
		}
	}
	switch {
	case usable > 0:
		cd.Prediction = PredictOK
	case missing:
		cd.Prediction = PredictUnknown
		raiseMissing(cd)
		if len(cd.Matches) > 0 {
			add(SeverityWarning, "only empty credentials match %s; %s may hold a usable one", ref.RepoToPull, unknownWhat)
		} else {
			add(SeverityWarning, "no credential matches %s; %s may hold one", ref.RepoToPull, unknownWhat)
		}
	default:
		cd.Prediction = PredictAnonymous
		if len(cd.Matches) > 0 {
			add(SeverityWarning, "only empty credentials match %s: the pull works only if the image is public", ref.RepoToPull)
		} else {
			add(SeverityNote, "no credential matches %s: anonymous pull, which works only if the image is public", ref.RepoToPull)
		}
	}
}

// raiseMissing turns missing-secret warnings into errors when no other
// credential exists for the image.
func raiseMissing(cd *ContainerDiagnosis) {
	for i, p := range cd.Problems {
		if p.Severity == SeverityWarning && strings.Contains(p.Message, "is not in the input") {
			cd.Problems[i].Severity = SeverityError
		}
	}
}

// checkInternalRegistry checks a pull from OpenShift's integrated registry
// (InternalRegistryHost) against the grants in the input, after predict; see
// docs/manifests.md#diagnose. The registry authorizes the identity of the
// credential the kubelet sends: taken to be the pod's ServiceAccount when a
// usable credential (or a missing secret) is there, as OpenShift gives every
// ServiceAccount a dockercfg pull secret holding its token; anonymous when
// none is. The image's project (the first path component) must grant that
// identity the ClusterRole system:image-puller; a ServiceAccount's own
// project does (OpenShift's system:image-pullers RoleBinding), anonymous
// pulls get no such exception.
func (inv *Inventory) checkInternalRegistry(cd *ContainerDiagnosis, ns, sa string) {
	if cd.Prediction == PredictFail {
		return
	}
	ref, err := match.ParseReference(cd.Image)
	if err != nil || !InternalRegistryHost(ref.Registry) {
		return
	}
	project, _, _ := strings.Cut(ref.Repository, "/")
	add := func(sev Severity, format string, args ...any) {
		cd.Problems = append(cd.Problems, Problem{sev, fmt.Sprintf(format, args...)})
	}
	fix := fmt.Sprintf("pullsecret grant-pull -n %s %s%s:%s | kubectl apply -f -", project, serviceAccountUserPrefix, ns, sa)
	anonymous := cd.Prediction == PredictAnonymous
	id, who := serviceAccountIdentity(ns, sa), "ServiceAccount "+ns+"/"+sa
	if anonymous {
		id, who = anonymousIdentity(), "anonymous pulls (system:unauthenticated)"
		add(SeverityNote, "%s is OpenShift's internal registry, which refuses anonymous pulls unless project %s grants system:image-puller to system:unauthenticated: pods authenticate with their ServiceAccount's token, from the pull secret OpenShift generates for it (%s-dockercfg-*, added to the ServiceAccount's imagePullSecrets once provisioned)", ref.Registry, project, sa)
	} else if project == ns {
		add(SeverityNote, "internal registry, same project: ServiceAccount %s/%s may pull from %s (OpenShift's system:image-pullers RoleBinding grants system:serviceaccounts:%s in every project)", ns, sa, project, ns)
		return
	}
	outcome, why := imagePullGrant(inv.bindings, project, inv.bindingNS[project], id)
	if unread := inv.unreadable[project+"/rolebindings"]; outcome != grantAllowed && unread != "" {
		cd.Prediction = PredictUnknown
		add(SeverityWarning, "internal registry: the RoleBindings of project %s could not be read (%s), so whether it grants system:image-puller to %s is unknown; to grant it: %s", project, unread, who, fix)
		return
	}
	switch outcome {
	case grantAllowed:
		add(SeverityNote, "internal registry: project %s grants system:image-puller to %s: %s", project, who, why)
	case grantDenied:
		cd.Prediction = PredictFail
		add(SeverityError, "internal registry: project %s does not grant system:image-puller to %s (none of its RoleBindings in the input does): the pull is refused; grant it: %s", project, who, fix)
	default:
		cd.Prediction = PredictUnknown
		if why != "" {
			add(SeverityWarning, "internal registry: %s; whether that role allows pulling from project %s (get imagestreams/layers) is not checked; to grant it: %s", why, project, fix)
		} else {
			add(SeverityWarning, "internal registry: no RoleBinding of project %s in the input, so whether it grants system:image-puller to %s is unknown (add kubectl get rolebindings -n %s -o yaml to the input); to grant it: %s", project, who, project, fix)
		}
	}
}
