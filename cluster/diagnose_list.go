package cluster

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/pullsecret/pullsecret/secrets"
)

// stream is a paged list of one resource (limit/continue), read one page
// at a time. The API server returns a list in key order, which is
// namespace order, so a list of all namespaces can be consumed namespace by
// namespace (take) while only one page is held.
type stream[T any] struct {
	resource string // "pods", in errors
	where    string // "in NS" or "in all namespaces"
	list     func(ctx context.Context, opts metav1.ListOptions) ([]T, string, error)
	meta     func(*T) *metav1.ObjectMeta
	limit    int64

	page    []T
	i       int
	cont    string
	started bool
	done    bool
	err     error
	last    string // namespace of the last item taken
}

// read is the request in messages: "list pods in team-a".
func (s *stream[T]) read() string { return "list " + s.resource + " " + s.where }

// fill makes s.page[s.i] the next item, fetching pages as needed; false at
// the end or on an error (s.err).
func (s *stream[T]) fill(ctx context.Context) bool {
	for s.err == nil && s.i >= len(s.page) {
		if s.started && s.cont == "" {
			s.done = true
		}
		if s.done {
			s.page = nil
			return false
		}
		s.started = true
		items, cont, err := s.list(ctx, metav1.ListOptions{Limit: s.limit, Continue: s.cont})
		if err != nil {
			s.err = err
			s.page = nil
			return false
		}
		s.page, s.i, s.cont = items, 0, cont
	}
	return s.err == nil
}

// head is the namespace of the next item; ok is false at the end or on an
// error.
func (s *stream[T]) head(ctx context.Context) (ns string, ok bool) {
	if !s.fill(ctx) {
		return "", false
	}
	return s.meta(&s.page[s.i]).Namespace, true
}

// take returns the items of namespace ns that keep accepts (nil: all),
// skipping those of earlier namespaces. An item of an earlier namespace
// after a later one is an error: the list is not in namespace order.
func (s *stream[T]) take(ctx context.Context, ns string, keep func(*T) bool) ([]*T, error) {
	var out []*T
	for s.fill(ctx) {
		item := &s.page[s.i]
		got := s.meta(item).Namespace
		if got < s.last {
			s.err = fmt.Errorf("items not in namespace order (%s after %s)", got, s.last)
			break
		}
		if got > ns {
			return out, nil
		}
		s.last = got
		s.i++
		if got == ns && (keep == nil || keep(item)) {
			out = append(out, item)
		}
	}
	return out, s.err
}

// newStream makes a paged stream of a resource in ns (all namespaces for
// ""), in pages of the diagnose options' size.
func newStream[T any, L any](d *diagnoser, resource, ns string,
	list func(ctx context.Context, opts metav1.ListOptions) (L, error),
	items func(L) ([]T, string), meta func(*T) *metav1.ObjectMeta) *stream[T] {
	return pagedStream(d.opts.PageSize, resource, ns, list, items, meta)
}

// pagedStream is a paged stream of one resource in ns (all namespaces for
// ""), limit objects a page; diagnose and audit both read through it.
func pagedStream[T any, L any](limit int64, resource, ns string,
	list func(ctx context.Context, opts metav1.ListOptions) (L, error),
	items func(L) ([]T, string), meta func(*T) *metav1.ObjectMeta) *stream[T] {
	where := "in " + ns
	if ns == "" {
		where = "in all namespaces"
	}
	return &stream[T]{
		resource: resource, where: where, meta: meta, limit: limit,
		list: func(ctx context.Context, opts metav1.ListOptions) ([]T, string, error) {
			l, err := list(ctx, opts)
			if err != nil {
				return nil, "", err
			}
			it, cont := items(l)
			return it, cont, nil
		},
	}
}

// primary is a stream of diagnosed objects (pods, workloads), type-erased.
type primary interface {
	head(ctx context.Context) (string, bool)
	takeInto(ctx context.Context, ns string, o *nsObjects) error
	failed() (read string, err error)
}

// workloadStream is a stream of one pod or workload kind.
type workloadStream[T any] struct {
	*stream[T]
	add func(o *nsObjects, item *T)
}

func (w *workloadStream[T]) takeInto(ctx context.Context, ns string, o *nsObjects) error {
	items, err := w.take(ctx, ns, nil)
	for _, it := range items {
		w.add(o, it)
	}
	return err
}

func (w *workloadStream[T]) failed() (string, error) { return w.read(), w.err }

// owned reports whether a controller owns the object (a ReplicaSet of a
// Deployment, a Job of a CronJob): its template is its owner's, diagnosed
// there.
func owned(m *metav1.ObjectMeta) bool { return metav1.GetControllerOf(m) != nil }

// primaries are the streams of pods and workloads in ns ("" all).
func (d *diagnoser) primaries(ns string) []primary {
	core, apps, batch := d.c.Clientset.CoreV1(), d.c.Clientset.AppsV1(), d.c.Clientset.BatchV1()
	return []primary{
		&workloadStream[corev1.Pod]{
			stream: newStream(d, "pods", ns, core.Pods(ns).List,
				func(l *corev1.PodList) ([]corev1.Pod, string) { return l.Items, l.Continue },
				func(p *corev1.Pod) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, p *corev1.Pod) { o.addPod(p) },
		},
		&workloadStream[appsv1.Deployment]{
			stream: newStream(d, "deployments", ns, apps.Deployments(ns).List,
				func(l *appsv1.DeploymentList) ([]appsv1.Deployment, string) { return l.Items, l.Continue },
				func(p *appsv1.Deployment) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *appsv1.Deployment) { o.addDeployment(w) },
		},
		&workloadStream[appsv1.StatefulSet]{
			stream: newStream(d, "statefulsets", ns, apps.StatefulSets(ns).List,
				func(l *appsv1.StatefulSetList) ([]appsv1.StatefulSet, string) { return l.Items, l.Continue },
				func(p *appsv1.StatefulSet) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *appsv1.StatefulSet) { o.addStatefulSet(w) },
		},
		&workloadStream[appsv1.DaemonSet]{
			stream: newStream(d, "daemonsets", ns, apps.DaemonSets(ns).List,
				func(l *appsv1.DaemonSetList) ([]appsv1.DaemonSet, string) { return l.Items, l.Continue },
				func(p *appsv1.DaemonSet) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *appsv1.DaemonSet) { o.addDaemonSet(w) },
		},
		&workloadStream[appsv1.ReplicaSet]{
			stream: newStream(d, "replicasets", ns, apps.ReplicaSets(ns).List,
				func(l *appsv1.ReplicaSetList) ([]appsv1.ReplicaSet, string) { return l.Items, l.Continue },
				func(p *appsv1.ReplicaSet) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *appsv1.ReplicaSet) {
				if !owned(&w.ObjectMeta) {
					o.addReplicaSet(w)
				}
			},
		},
		&workloadStream[batchv1.Job]{
			stream: newStream(d, "jobs", ns, batch.Jobs(ns).List,
				func(l *batchv1.JobList) ([]batchv1.Job, string) { return l.Items, l.Continue },
				func(p *batchv1.Job) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *batchv1.Job) {
				if !owned(&w.ObjectMeta) {
					o.addJob(w)
				}
			},
		},
		&workloadStream[batchv1.CronJob]{
			stream: newStream(d, "cronjobs", ns, batch.CronJobs(ns).List,
				func(l *batchv1.CronJobList) ([]batchv1.CronJob, string) { return l.Items, l.Continue },
				func(p *batchv1.CronJob) *metav1.ObjectMeta { return &p.ObjectMeta }),
			add: func(o *nsObjects, w *batchv1.CronJob) { o.addCronJob(w) },
		},
	}
}

// secondaries are the streams of the objects a namespace's diagnosis
// reads besides pods and workloads.
type secondaries struct {
	sas     *stream[corev1.ServiceAccount]
	secrets *stream[corev1.Secret]
	events  *stream[corev1.Event]
	pods    *stream[corev1.Pod] // targets only: the pods of named workloads
}

func (d *diagnoser) secondaries(ns string) *secondaries {
	core := d.c.Clientset.CoreV1()
	return &secondaries{
		sas: newStream(d, "serviceaccounts", ns, core.ServiceAccounts(ns).List,
			func(l *corev1.ServiceAccountList) ([]corev1.ServiceAccount, string) { return l.Items, l.Continue },
			func(p *corev1.ServiceAccount) *metav1.ObjectMeta { return &p.ObjectMeta }),
		secrets: newStream(d, "secrets", ns, core.Secrets(ns).List,
			func(l *corev1.SecretList) ([]corev1.Secret, string) { return l.Items, l.Continue },
			func(p *corev1.Secret) *metav1.ObjectMeta { return &p.ObjectMeta }),
		events: newStream(d, "events", ns, core.Events(ns).List,
			func(l *corev1.EventList) ([]corev1.Event, string) { return l.Items, l.Continue },
			func(p *corev1.Event) *metav1.ObjectMeta { return &p.ObjectMeta }),
		pods: newStream(d, "pods", ns, core.Pods(ns).List,
			func(l *corev1.PodList) ([]corev1.Pod, string) { return l.Items, l.Continue },
			func(p *corev1.Pod) *metav1.ObjectMeta { return &p.ObjectMeta }),
	}
}

// fill reads the ServiceAccounts, Secrets and Events of o's namespace that
// its pods and workloads need; a read the server refuses is recorded in o.
func (s *secondaries) fill(ctx context.Context, o *nsObjects) {
	wantSA := map[string]bool{}
	wantSecret := map[string]bool{}
	for _, p := range o.specs {
		if len(p.spec.ImagePullSecrets) > 0 {
			for _, r := range p.spec.ImagePullSecrets {
				wantSecret[r.Name] = true
			}
			continue
		}
		wantSA[serviceAccountOf(p.spec)] = true
	}
	if len(wantSA) > 0 {
		sas, err := s.sas.take(ctx, o.ns, func(sa *corev1.ServiceAccount) bool { return wantSA[sa.Name] })
		if err != nil {
			o.unreadable("serviceaccounts", s.sas.read(), err, "the ServiceAccounts of "+o.ns+", which give pods without imagePullSecrets of their own their pull secrets")
		}
		for _, sa := range sas {
			for _, r := range sa.ImagePullSecrets {
				wantSecret[r.Name] = true
			}
			o.sas = append(o.sas, manifest("v1", "ServiceAccount", sa, &sa.ObjectMeta))
		}
	}
	if len(wantSecret) > 0 {
		list, err := s.secrets.take(ctx, o.ns, func(sec *corev1.Secret) bool { return wantSecret[sec.Name] })
		if err != nil {
			o.unreadable("secrets", s.secrets.read(), err, "the pull secrets of "+o.ns+": pulls that need them are unknown")
		}
		for _, sec := range list {
			if o.secrets == nil {
				o.secrets = map[string]json.RawMessage{}
			}
			o.secrets[sec.Name] = manifest("v1", "Secret", sec, &sec.ObjectMeta)
		}
	}
	events, err := s.events.take(ctx, o.ns, func(e *corev1.Event) bool { return isPullEvent(e.Reason, e.Message) })
	if err != nil {
		o.unread = append(o.unread, secrets.Unreadable{Read: s.events.read(), Error: oneLine(err),
			Unknown: "what the kubelet reported about the pulls in " + o.ns + " (the predictions stand)"})
	}
	for _, e := range events {
		o.events = append(o.events, *e)
	}
}

func serviceAccountOf(spec *corev1.PodSpec) string {
	if spec.ServiceAccountName != "" {
		return spec.ServiceAccountName
	}
	if spec.DeprecatedServiceAccount != "" {
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

// namespaces diagnoses every pod and workload in ns ("" all), namespace by
// namespace.
func (d *diagnoser) namespaces(ns string, emit func(*secrets.Diagnosis) error) error {
	ctx := d.ctx
	prims := d.primaries(ns)
	sec := d.secondaries(ns)
	reported := map[primary]bool{}
	for {
		next, any := "", false
		for _, p := range prims {
			if h, ok := p.head(ctx); ok && (!any || h < next) {
				next, any = h, true
			}
		}
		// Lists that failed: recorded once, in every report after.
		failedAll := true
		for _, p := range prims {
			read, err := p.failed()
			if err == nil {
				failedAll = false
				continue
			}
			if !reported[p] {
				reported[p] = true
				d.note(secrets.Unreadable{Read: read, Error: oneLine(err), Unknown: "these objects are not diagnosed"})
			}
		}
		if failedAll {
			_, err := prims[0].failed()
			return fmt.Errorf("%s: %w", readOf(prims[0]), err)
		}
		if !any {
			return nil
		}
		o := &nsObjects{ns: next}
		for _, p := range prims {
			if err := p.takeInto(ctx, next, o); err != nil && !reported[p] {
				reported[p] = true
				d.note(secrets.Unreadable{Read: readOf(p), Error: oneLine(err), Unknown: "these objects are not diagnosed"})
			}
		}
		for _, p := range prims {
			if read, err := p.failed(); err != nil {
				o.unread = append(o.unread, secrets.Unreadable{Read: read, Error: oneLine(err), Unknown: "these objects are not diagnosed"})
			}
		}
		o.joinPods = o.pods
		sec.fill(ctx, o)
		if err := d.diagnose(o, emit); err != nil {
			return err
		}
	}
}

func readOf(p primary) string { r, _ := p.failed(); return r }

// note adds u to the summary once.
func (d *diagnoser) note(u secrets.Unreadable) {
	for _, have := range d.sum.Unreadable {
		if have.Read == u.Read {
			return
		}
	}
	d.sum.Unreadable = append(d.sum.Unreadable, u)
}

// targets diagnoses the named objects of ns.
func (d *diagnoser) targets(ns string, emit func(*secrets.Diagnosis) error) error {
	ctx := d.ctx
	core, apps, batch := d.c.Clientset.CoreV1(), d.c.Clientset.AppsV1(), d.c.Clientset.BatchV1()
	o := &nsObjects{ns: ns}
	get := metav1.GetOptions{}
	for _, t := range d.opts.Targets {
		var err error
		switch t.Kind {
		case "Pod":
			var p *corev1.Pod
			if p, err = core.Pods(ns).Get(ctx, t.Name, get); err == nil {
				o.addPod(p)
			}
		case "Deployment":
			var w *appsv1.Deployment
			if w, err = apps.Deployments(ns).Get(ctx, t.Name, get); err == nil {
				o.addDeployment(w)
			}
		case "StatefulSet":
			var w *appsv1.StatefulSet
			if w, err = apps.StatefulSets(ns).Get(ctx, t.Name, get); err == nil {
				o.addStatefulSet(w)
			}
		case "DaemonSet":
			var w *appsv1.DaemonSet
			if w, err = apps.DaemonSets(ns).Get(ctx, t.Name, get); err == nil {
				o.addDaemonSet(w)
			}
		case "ReplicaSet":
			var w *appsv1.ReplicaSet
			if w, err = apps.ReplicaSets(ns).Get(ctx, t.Name, get); err == nil {
				o.addReplicaSet(w)
			}
		case "Job":
			var w *batchv1.Job
			if w, err = batch.Jobs(ns).Get(ctx, t.Name, get); err == nil {
				o.addJob(w)
			}
		case "CronJob":
			var w *batchv1.CronJob
			if w, err = batch.CronJobs(ns).Get(ctx, t.Name, get); err == nil {
				o.addCronJob(w)
			}
		default:
			err = fmt.Errorf("%w", ErrBadTarget)
		}
		if err != nil {
			return &AccessError{Verb: "get", Resource: lowerKind(t.Kind), Namespace: ns, Name: t.Name, Err: err}
		}
	}
	sec := d.secondaries(ns)
	// The pods of named workloads, for their events and states.
	var sels []labels.Selector
	for _, p := range o.specs {
		if p.selector != nil {
			sels = append(sels, p.selector)
		}
	}
	if len(sels) > 0 {
		pods, err := sec.pods.take(ctx, ns, func(p *corev1.Pod) bool {
			for _, s := range sels {
				if s.Matches(labels.Set(p.Labels)) {
					return true
				}
			}
			return false
		})
		if err != nil {
			o.unread = append(o.unread, secrets.Unreadable{Read: sec.pods.read(), Error: oneLine(err),
				Unknown: "the pods of the workloads, and what the kubelet reported about their pulls (the predictions stand)"})
		}
		for _, p := range pods {
			o.joinPods = append(o.joinPods, podState{name: p.Name, labels: p.Labels, status: &p.Status})
		}
	}
	o.joinPods = append(o.joinPods, o.pods...)
	sec.fill(ctx, o)
	return d.diagnose(o, emit)
}

func lowerKind(kind string) string {
	b := []byte(kind)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
