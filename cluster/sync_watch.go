package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/util/workqueue"
)

// DefaultWatchResync is how often Watch reconciles every selected
// namespace again from its caches (repairing drift it missed).
const DefaultWatchResync = 5 * time.Minute

// WatchOptions say what Watch keeps in sync: SyncOptions (DryRun and Diff
// are not supported) plus the controller's own settings.
type WatchOptions struct {
	SyncOptions
	// Resync is the period of the informers' resync; 0: DefaultWatchResync.
	Resync time.Duration
	// LeaderElect runs the controller only while this process holds the
	// Lease LeaseName in the source's namespace.
	LeaderElect bool
	LeaseName   string // "": "pullsecret-sync-" + the copies' name
	Identity    string // the holder identity; "": hostname_pid
	// Report, when set, is called (from the workers) with the outcome of
	// each reconcile that changed something, failed or skipped.
	Report func(SyncNamespace)
	// OnLeading, when set, is called with true when this process starts
	// leading and false when it stops.
	OnLeading func(bool)
}

// WatchIdentity is the default leader election identity: hostname_pid.
func WatchIdentity() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s_%d", h, os.Getpid())
}

// Watch runs the sync controller until ctx is cancelled: informers on the
// selected namespaces, the source Secret, the Secrets named as the copies
// and the ServiceAccounts of Link feed a rate-limited workqueue keyed by
// namespace; each namespace is reconciled from the caches with the logic
// of Sync (syncOne), with no list of its own. A change of the source
// re-queues every selected namespace; the informers' periodic resync
// re-queues every namespace, repairing drift; the informers relist by
// themselves when a watch expires or the API server restarts. It returns
// nil when ctx is cancelled.
func (c *Client) Watch(ctx context.Context, o WatchOptions) error {
	if o.DryRun || o.Diff {
		return errors.New("sync --watch: dry-run and diff are one-shot only")
	}
	srcNS, srcName, ok := strings.Cut(o.From, "/")
	if !ok || srcNS == "" || srcName == "" {
		return fmt.Errorf("sync: source %q: want NAMESPACE/SECRET", o.From)
	}
	if !o.All && o.Selector == "" && len(o.NameGlobs) == 0 {
		return errors.New("sync: no namespaces selected: want a selector, name globs or all")
	}
	if o.Selector != "" {
		if _, err := labels.Parse(o.Selector); err != nil {
			return fmt.Errorf("sync: namespace selector %q: %w", o.Selector, err)
		}
	}
	if !o.LeaderElect {
		return c.runWatch(ctx, o)
	}
	name := o.Name
	if name == "" {
		name = srcName
	}
	lease := o.LeaseName
	if lease == "" {
		lease = "pullsecret-sync-" + name
	}
	id := o.Identity
	if id == "" {
		id = WatchIdentity()
	}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: srcNS, Name: lease},
		Client:     c.Clientset.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: id},
	}
	// Run returns when ctx is cancelled or the lease is lost; a lost lease
	// is tried for again until ctx ends. Each term's controller runs in the
	// goroutine leaderelection starts; Run does not wait for it, so every
	// term waits for it here before the next (or the return).
	for ctx.Err() == nil {
		var (
			mu      sync.Mutex
			ended   bool
			running = make(chan struct{})
			started bool
			runErr  error
		)
		le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
			Lock:            lock,
			LeaseDuration:   15 * time.Second,
			RenewDeadline:   10 * time.Second,
			RetryPeriod:     2 * time.Second,
			ReleaseOnCancel: true,
			Name:            lease,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: func(lctx context.Context) {
					mu.Lock()
					if ended {
						mu.Unlock()
						return
					}
					started = true
					mu.Unlock()
					defer close(running)
					if o.OnLeading != nil {
						o.OnLeading(true)
					}
					err := c.runWatch(lctx, o)
					mu.Lock()
					runErr = err
					mu.Unlock()
				},
				OnStoppedLeading: func() {
					if o.OnLeading != nil {
						o.OnLeading(false)
					}
				},
			},
		})
		if err != nil {
			return fmt.Errorf("sync --watch: leader election: %w", err)
		}
		le.Run(ctx)
		mu.Lock()
		ended = true
		wait := started
		mu.Unlock()
		if wait {
			<-running
		}
		mu.Lock()
		err = runErr
		mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// watcher is one running controller.
type watcher struct {
	c        *Client
	o        WatchOptions
	srcNS    string
	srcName  string
	name     string
	link     []string
	nsL      listersv1.NamespaceLister
	srcL     listersv1.SecretLister
	copyL    listersv1.SecretLister
	saL      listersv1.ServiceAccountLister
	queue    workqueue.TypedRateLimitingInterface[string]
	reported sync.Map // namespace -> last reported outcome+reason, to report changes only
}

func (c *Client) runWatch(ctx context.Context, o WatchOptions) error {
	srcNS, srcName, _ := strings.Cut(o.From, "/")
	w := &watcher{c: c, o: o, srcNS: srcNS, srcName: srcName, name: o.Name, link: o.Link}
	if w.name == "" {
		w.name = srcName
	}
	if w.link == nil {
		w.link = []string{syncDefaultLinkTarget}
	}
	resync := o.Resync
	if resync <= 0 {
		resync = DefaultWatchResync
	}
	workers := o.Workers
	if workers <= 0 {
		workers = DefaultSyncWorkers
	}
	w.queue = workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "pullsecret-sync"})
	defer w.queue.ShutDown()

	cs := c.Clientset
	nsF := informers.NewSharedInformerFactoryWithOptions(cs, resync, informers.WithTweakListOptions(func(l *metav1.ListOptions) {
		l.LabelSelector = o.Selector
	}))
	srcF := informers.NewSharedInformerFactoryWithOptions(cs, resync, informers.WithNamespace(srcNS), informers.WithTweakListOptions(func(l *metav1.ListOptions) {
		l.FieldSelector = fields.OneTermEqualSelector("metadata.name", srcName).String()
	}))
	copyF := informers.NewSharedInformerFactoryWithOptions(cs, resync, informers.WithTweakListOptions(func(l *metav1.ListOptions) {
		l.FieldSelector = fields.OneTermEqualSelector("metadata.name", w.name).String()
	}))
	saF := informers.NewSharedInformerFactoryWithOptions(cs, resync, informers.WithTweakListOptions(func(l *metav1.ListOptions) {
		if len(w.link) == 1 {
			l.FieldSelector = fields.OneTermEqualSelector("metadata.name", w.link[0]).String()
		}
	}))
	nsI := nsF.Core().V1().Namespaces()
	srcI := srcF.Core().V1().Secrets()
	copyI := copyF.Core().V1().Secrets()
	w.nsL, w.srcL, w.copyL = nsI.Lister(), srcI.Lister(), copyI.Lister()
	var handlers []cache.ResourceEventHandlerRegistration
	add := func(inf cache.SharedIndexInformer, h cache.ResourceEventHandler) error {
		r, err := inf.AddEventHandler(h)
		handlers = append(handlers, r)
		return err
	}
	byNamespace := func(name func(obj any) string) cache.ResourceEventHandlerFuncs {
		f := func(obj any) {
			if n := name(obj); n != "" {
				w.queue.Add(n)
			}
		}
		return cache.ResourceEventHandlerFuncs{AddFunc: f, UpdateFunc: func(_, obj any) { f(obj) }, DeleteFunc: f}
	}
	objNamespace := func(obj any) string {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			return m.GetNamespace()
		}
		return ""
	}
	objName := func(obj any) string {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			return m.GetName()
		}
		return ""
	}
	all := func(any) {
		nss, _ := w.nsL.List(labels.Everything())
		for _, ns := range nss {
			w.queue.Add(ns.Name)
		}
	}
	errs := []error{
		add(nsI.Informer(), byNamespace(objName)),
		add(srcI.Informer(), cache.ResourceEventHandlerFuncs{AddFunc: all, UpdateFunc: func(_, n any) { all(n) }, DeleteFunc: all}),
		add(copyI.Informer(), byNamespace(objNamespace)),
	}
	if len(w.link) > 0 {
		saI := saF.Core().V1().ServiceAccounts()
		w.saL = saI.Lister()
		errs = append(errs, add(saI.Informer(), byNamespace(objNamespace)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sync --watch: %w", err)
	}
	for _, f := range []informers.SharedInformerFactory{nsF, srcF, copyF, saF} {
		f.Start(ctx.Done())
	}
	defer func() {
		for _, f := range []informers.SharedInformerFactory{nsF, srcF, copyF, saF} {
			f.Shutdown()
		}
	}()
	synced := make([]cache.InformerSynced, 0, len(handlers))
	for _, h := range handlers {
		synced = append(synced, h.HasSynced)
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return nil // ctx cancelled
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for w.next(ctx) {
			}
		})
	}
	<-ctx.Done()
	w.queue.ShutDown()
	wg.Wait()
	return nil
}

// next reconciles one queued namespace; false when the queue is shut down.
func (w *watcher) next(ctx context.Context) bool {
	ns, quit := w.queue.Get()
	if quit {
		return false
	}
	defer w.queue.Done(ns)
	res, ok := w.reconcile(ctx, ns)
	if res != nil && w.o.Report != nil {
		key := string(res.Outcome) + "\x00" + res.Reason
		prev, _ := w.reported.Swap(ns, key)
		if len(res.Changes) > 0 || (res.Outcome != SyncUnchanged && prev != key) {
			w.o.Report(*res)
		}
	}
	if ok {
		w.queue.Forget(ns)
	} else if ctx.Err() == nil {
		w.queue.AddRateLimited(ns)
	}
	return true
}

// reconcile brings namespace ns to the wanted state from the caches (the
// per-namespace logic of Sync). ok false asks for a retry with backoff.
func (w *watcher) reconcile(ctx context.Context, ns string) (*SyncNamespace, bool) {
	src, err := w.srcL.Secrets(w.srcNS).Get(w.srcName)
	if err != nil {
		// The source is missing: nothing to copy until it appears (its
		// informer re-queues every namespace then).
		return nil, true
	}
	if err := validateSyncSource(src); err != nil {
		res := &SyncNamespace{Namespace: ns, Outcome: SyncFailed, Reason: fmt.Sprintf("%v: secret %s: %v", ErrSyncSource, w.o.From, err)}
		return res, true // the source's next change re-queues
	}
	hash := SyncHash(src.Type, src.Data)
	st := &syncState{byName: map[string]*corev1.Secret{}, sas: map[string]*corev1.ServiceAccount{}}
	if s, err := w.copyL.Secrets(ns).Get(w.name); err == nil {
		st.byName[ns] = s
	}
	for _, sa := range w.link {
		if o, err := w.saL.ServiceAccounts(ns).Get(sa); err == nil {
			st.sas[ns+"/"+sa] = o
		}
	}
	nsObj, err := w.nsL.Get(ns)
	selected := err == nil && nsObj.Status.Phase != corev1.NamespaceTerminating && nsObj.DeletionTimestamp == nil &&
		syncNamespaceMatches(ns, w.o.SyncOptions) && (ns != w.srcNS || w.name != w.srcName)
	if !selected {
		if s := st.byName[ns]; w.o.Prune && s != nil && isManagedCopy(s, w.o.From) {
			res := w.c.syncPrune(ctx, w.o.SyncOptions, st, s, w.link)
			return &res, res.Outcome != SyncFailed
		}
		return nil, true
	}
	res := w.c.syncOne(ctx, w.o.SyncOptions, st, src, ns, w.name, w.link, hash)
	return &res, res.Outcome != SyncFailed
}
