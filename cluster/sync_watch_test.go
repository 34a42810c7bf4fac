package cluster_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// watchDeadline bounds every poll: generous, it only ends a stuck test.
const watchDeadline = 60 * time.Second

// waitFor polls cond until it holds or watchDeadline passes.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	end := time.Now().Add(watchDeadline)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: not reached (last error: %v)", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// synced reports whether ns has the copy of hash linked to default.
func synced(env *clustertest.Env, ns, name, hash string) (bool, error) {
	ctx := context.Background()
	s, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	if s.Annotations[cluster.SyncHashAnnotation] != hash || cluster.SyncHash(s.Type, s.Data) != hash {
		return false, errors.New("copy has another hash")
	}
	sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		return false, err
	}
	for _, r := range sa.ImagePullSecrets {
		if r.Name == name {
			return true, nil
		}
	}
	return false, errors.New("not linked")
}

// startWatch runs Watch in the background; the returned stop cancels it
// and returns its error.
func startWatch(t *testing.T, c *cluster.Client, o cluster.WatchOptions) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Watch(ctx, o) }()
	var once bool
	var err error
	stop = func() error {
		if !once {
			once = true
			cancel()
			err = <-done
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// The controller copies and links into a namespace labelled after it
// started, recreates a deleted copy, relinks a removed link, propagates a
// change of the source, and returns nil on cancel.
func TestWatchConverges(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	src := pullSecret("regcred", "watch-1")
	from := syncSource(t, env, src)
	srcNS := from[:len(from)-len("/regcred")]
	c := adminClient(env, "default")
	before := syncNamespaces(t, env, 1, "watch-converges")
	stop := startWatch(t, c, cluster.WatchOptions{SyncOptions: cluster.SyncOptions{From: from, Selector: "sync-test=watch-converges"}})
	hash := cluster.SyncHash(src.Type, src.Data)
	waitFor(t, "existing namespace synced", func() (bool, error) { return synced(env, before[0], "regcred", hash) })

	ns := env.Namespace(t)
	setNamespaceLabel(t, env, ns, "watch-converges")
	waitFor(t, "new namespace synced", func() (bool, error) { return synced(env, ns, "regcred", hash) })

	if err := env.AdminClient().CoreV1().Secrets(ns).Delete(ctx, "regcred", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "deleted copy recreated", func() (bool, error) { return synced(env, ns, "regcred", hash) })

	sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa.ImagePullSecrets = nil
	if _, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Update(ctx, sa, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "removed link restored", func() (bool, error) { return synced(env, ns, "regcred", hash) })

	cur, err := env.AdminClient().CoreV1().Secrets(srcNS).Get(ctx, "regcred", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Data = pullSecret("regcred", "watch-2").Data
	if _, err := env.AdminClient().CoreV1().Secrets(srcNS).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hash2 := cluster.SyncHash(cur.Type, cur.Data)
	for _, n := range append(before, ns) {
		waitFor(t, "source change in "+n, func() (bool, error) { return synced(env, n, "regcred", hash2) })
	}

	// A namespace outside the selection gets nothing.
	other := env.Namespace(t)
	if err := stop(); err != nil {
		t.Fatalf("Watch after cancel: %v", err)
	}
	if _, err := env.AdminClient().CoreV1().Secrets(other).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("unselected namespace %s: %v, want not found", other, err)
	}
	if got := pullSecretsOf(t, env, other); slices.Contains(got, "regcred") {
		t.Errorf("unselected namespace linked: %v", got)
	}
}

// writeCounter counts the Secret and ServiceAccount writes of one client
// (Lease writes of the election are not counted).
type writeCounter struct{ n atomic.Int64 }

func (w *writeCounter) RoundTrip(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodGet && (strings.Contains(r.URL.Path, "/secrets") || strings.Contains(r.URL.Path, "/serviceaccounts")) {
			w.n.Add(1)
		}
		return next.RoundTrip(r)
	})
}

// countedClient is an admin cluster.Client whose writes w counts.
func countedClient(t *testing.T, env *clustertest.Env, w *writeCounter) *cluster.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.AdminConfig())
	cfg.WrapTransport = w.RoundTrip
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
}

// Two controllers elect one leader: only it writes; once its context is
// cancelled (it releases the Lease) the other takes over and converges a
// new namespace.
func TestWatchLeaderElection(t *testing.T) {
	env := clustertest.Start(t)
	src := pullSecret("regcred", "watch-le")
	from := syncSource(t, env, src)
	hash := cluster.SyncHash(src.Type, src.Data)
	nss := syncNamespaces(t, env, 3, "watch-le")
	var wa, wb writeCounter
	leading := map[string]chan bool{"a": make(chan bool, 4), "b": make(chan bool, 4)}
	opts := func(id string) cluster.WatchOptions {
		return cluster.WatchOptions{
			SyncOptions: cluster.SyncOptions{From: from, Selector: "sync-test=watch-le"},
			LeaderElect: true, Identity: id,
			OnLeading: func(l bool) { leading[id] <- l },
		}
	}
	stopA := startWatch(t, countedClient(t, env, &wa), opts("a"))
	if l := <-leading["a"]; !l {
		t.Fatal("a: not leading")
	}
	startWatch(t, countedClient(t, env, &wb), opts("b"))
	for _, ns := range nss {
		waitFor(t, "synced "+ns, func() (bool, error) { return synced(env, ns, "regcred", hash) })
	}
	if wa.n.Load() == 0 || wb.n.Load() != 0 {
		t.Fatalf("writes: leader a %d, follower b %d; want only a", wa.n.Load(), wb.n.Load())
	}
	if err := stopA(); err != nil {
		t.Fatalf("a after cancel: %v", err)
	}
	aWrites := wa.n.Load()
	waitFor(t, "b leading", func() (bool, error) {
		select {
		case l := <-leading["b"]:
			return l, nil
		default:
			return false, nil
		}
	})
	ns := env.Namespace(t)
	setNamespaceLabel(t, env, ns, "watch-le")
	waitFor(t, "synced by b", func() (bool, error) { return synced(env, ns, "regcred", hash) })
	if wb.n.Load() == 0 || wa.n.Load() != aWrites {
		t.Errorf("after takeover: a %d writes (was %d), b %d; want only b", wa.n.Load(), aWrites, wb.n.Load())
	}
}

// The RBAC that --print-deploy prints suffices: its objects, decoded from
// the YAML, are applied for a ServiceAccount, and the controller, run in
// process impersonating that ServiceAccount, elects itself and converges.
func TestWatchDeployRBACSuffices(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	src := pullSecret("regcred", "watch-rbac")
	from := syncSource(t, env, src)
	srcNS := from[:len(from)-len("/regcred")]
	hash := cluster.SyncHash(src.Type, src.Data)
	nss := syncNamespaces(t, env, 2, "watch-rbac")
	name := "sync-" + srcNS
	y, err := cluster.SyncDeployYAML(cluster.DeployOptions{Namespace: srcNS, Name: name, Image: "pullsecret:test", Args: []string{"--watch"}})
	if err != nil {
		t.Fatal(err)
	}
	admin := env.AdminClient()
	kinds := map[string]bool{}
	for _, doc := range strings.Split(string(y), "---\n") {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatal(err)
		}
		kinds[tm.Kind] = true
		switch tm.Kind {
		case "ServiceAccount":
			var o corev1.ServiceAccount
			mustUnmarshal(t, doc, &o)
			_, err = admin.CoreV1().ServiceAccounts(srcNS).Create(ctx, &o, metav1.CreateOptions{})
		case "ClusterRole":
			var o rbacv1.ClusterRole
			mustUnmarshal(t, doc, &o)
			_, err = admin.RbacV1().ClusterRoles().Create(ctx, &o, metav1.CreateOptions{})
		case "ClusterRoleBinding":
			var o rbacv1.ClusterRoleBinding
			mustUnmarshal(t, doc, &o)
			_, err = admin.RbacV1().ClusterRoleBindings().Create(ctx, &o, metav1.CreateOptions{})
		case "Role":
			var o rbacv1.Role
			mustUnmarshal(t, doc, &o)
			_, err = admin.RbacV1().Roles(srcNS).Create(ctx, &o, metav1.CreateOptions{})
		case "RoleBinding":
			var o rbacv1.RoleBinding
			mustUnmarshal(t, doc, &o)
			_, err = admin.RbacV1().RoleBindings(srcNS).Create(ctx, &o, metav1.CreateOptions{})
		case "Deployment":
			err = nil // no controller-manager here: the Deployment is not run
		default:
			t.Fatalf("unexpected kind %q in --print-deploy", tm.Kind)
		}
		if err != nil {
			t.Fatalf("create %s: %v", tm.Kind, err)
		}
	}
	for _, k := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"} {
		if !kinds[k] {
			t.Errorf("--print-deploy has no %s", k)
		}
	}
	cfg := rest.CopyConfig(env.AdminConfig())
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + srcNS + ":" + name,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + srcNS, "system:authenticated"},
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The ServiceAccount can do nothing else: it cannot read pods.
	if _, err := cs.CoreV1().Pods(srcNS).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("list pods as the controller: %v, want forbidden", err)
	}
	c := &cluster.Client{Clientset: cs, Namespace: srcNS, Config: cfg}
	leading := make(chan bool, 4)
	startWatch(t, c, cluster.WatchOptions{
		SyncOptions: cluster.SyncOptions{From: from, Selector: "sync-test=watch-rbac", Prune: true},
		LeaderElect: true, Identity: "rbac", OnLeading: func(l bool) { leading <- l },
	})
	ns := env.Namespace(t)
	setNamespaceLabel(t, env, ns, "watch-rbac")
	for _, n := range append(nss, ns) {
		waitFor(t, "synced as the ServiceAccount "+n, func() (bool, error) { return synced(env, n, "regcred", hash) })
	}
	if l := <-leading; !l {
		t.Error("controller did not lead")
	}
	// --prune under the same rules: a namespace leaving the selection loses its copy.
	setNamespaceLabel(t, env, ns, "")
	waitFor(t, "pruned as the ServiceAccount", func() (bool, error) {
		_, err := admin.CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
		return apierrors.IsNotFound(err), err
	})
}

func mustUnmarshal(t *testing.T, doc string, into any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(doc), into); err != nil {
		t.Fatal(err)
	}
}

// The controller survives its connections being cut and the API server
// refusing every request for a while (as in a restart): the informers
// re-watch or relist by themselves and a namespace labelled during the
// outage converges afterwards.
func TestWatchSurvivesConnectionLoss(t *testing.T) {
	env := clustertest.Start(t)
	var down atomic.Bool
	srv, _ := faultyProxy(t, env, func(*http.Request) bool { return down.Load() })
	cfg := &rest.Config{Host: srv.URL, BearerToken: env.AdminConfig().BearerToken, QPS: -1}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
	src := pullSecret("regcred", "watch-outage")
	from := syncSource(t, env, src)
	hash := cluster.SyncHash(src.Type, src.Data)
	first := syncNamespaces(t, env, 1, "watch-outage")[0]
	startWatch(t, c, cluster.WatchOptions{SyncOptions: cluster.SyncOptions{From: from, Selector: "sync-test=watch-outage"}})
	waitFor(t, "synced before the outage", func() (bool, error) { return synced(env, first, "regcred", hash) })

	down.Store(true)
	srv.CloseClientConnections()
	ns := env.Namespace(t)
	setNamespaceLabel(t, env, ns, "watch-outage")
	time.Sleep(time.Second) // the outage: every request of the controller fails
	down.Store(false)
	waitFor(t, "synced after the outage", func() (bool, error) { return synced(env, ns, "regcred", hash) })
}
