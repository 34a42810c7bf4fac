package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// writeHook is a RoundTripper that calls before(n, r) ahead of the n-th
// write request (every method but GET; n from 1), from the goroutine that
// sends it: a fault is triggered by the count of writes, not by the clock.
type writeHook struct {
	next   http.RoundTripper
	writes *atomic.Int64
	before func(n int64, r *http.Request)
}

func (h writeHook) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		h.before(h.writes.Add(1), r)
	}
	return h.next.RoundTrip(r)
}

// hookedClient is an admin cluster.Client straight to the API server whose
// writes go through before.
func hookedClient(t *testing.T, env *clustertest.Env, before func(int64, *http.Request)) *cluster.Client {
	t.Helper()
	cfg := rest.CopyConfig(env.AdminConfig())
	var writes atomic.Int64
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return writeHook{rt, &writes, before} }
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
}

// noCredential fails t when the report, as JSON, holds the password, its
// auth or the client's bearer token, or breaks the JSON conventions.
func noCredential(t *testing.T, rep *cluster.SyncReport, env *clustertest.Env, password string) {
	t.Helper()
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{password, b64("robot:" + password), env.AdminConfig().BearerToken} {
		if strings.Contains(string(out), bad) {
			t.Errorf("report holds a credential (%d chars)", len(bad))
		}
	}
	// The report conventions (docs/json-output.md): no empty string, no
	// null, booleans always present.
	if strings.Contains(string(out), `""`) || strings.Contains(string(out), "null") ||
		!strings.Contains(string(out), `"dryRun":false`) || !strings.Contains(string(out), `"diff":false`) {
		t.Errorf("report breaks the JSON conventions: %s", out)
	}
}

// The API server restarts in the middle of a sync over 50 namespaces: the
// 30th write restarts it (SIGTERM, wait, start again against the same
// etcd) before it is sent, and the other workers' writes meanwhile find no
// server. The run reports per namespace, some created and some failed, and
// nothing is half-written: a namespace has the complete copy (label,
// annotations, type and payload of the source: a Secret is written in one
// request) linked to default, or no copy and no link, or (its link failed
// after its copy was made) the complete copy unlinked, reported failed with
// the serviceaccount in its reason, which the next run links. The next run
// converges (every namespace created, updated or unchanged; none failed),
// and a third finds nothing to do. No copy reaches an unselected namespace;
// no credential is in the report.
func TestSyncAPIServerRestartMidRun(t *testing.T) {
	env := clustertest.StartDedicated(t)
	ctx := context.Background()
	const n, restartAt = 50, 30
	nss := syncNamespaces(t, env, n, "restart")
	other := env.Namespace(t) // not selected
	const password = "sync-Restart-Secret-9"
	from := syncSource(t, env, pullSecret("regcred", password))
	src, err := env.AdminClient().CoreV1().Secrets(strings.Split(from, "/")[0]).Get(ctx, "regcred", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hash := cluster.SyncHash(src.Type, src.Data)

	var restarts atomic.Int32
	var restartErr error
	var mu sync.Mutex
	c := hookedClient(t, env, func(n int64, _ *http.Request) {
		if n == restartAt {
			err := env.RestartAPIServerErr()
			mu.Lock()
			restartErr = err
			mu.Unlock()
			restarts.Add(1)
		}
	})
	opts := cluster.SyncOptions{From: from, Selector: "sync-test=restart"}
	rep, err := c.Sync(ctx, opts)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if restarts.Load() != 1 || restartErr != nil {
		t.Fatalf("restarts %d, error %v", restarts.Load(), restartErr)
	}
	noCredential(t, rep, env, password)
	if len(rep.Namespaces) != n {
		t.Fatalf("report has %d namespaces, want %d", len(rep.Namespaces), n)
	}
	created, failed := rep.Count(cluster.SyncCreated), rep.Count(cluster.SyncFailed)
	t.Logf("first run: %d created, %d failed", created, failed)
	if created == 0 || failed == 0 || created+failed != n {
		t.Errorf("first run: %d created, %d failed, want some of each and nothing else: %+v", created, failed, rep.Namespaces)
	}
	var copyNoLink, nothing int
	for _, r := range rep.Namespaces {
		copyOf, linked := syncStateOf(t, env, r.Namespace, hash, from)
		switch {
		case r.Outcome == cluster.SyncCreated && (!copyOf || !linked):
			t.Errorf("%s created but copy %v linked %v", r.Namespace, copyOf, linked)
		case r.Outcome != cluster.SyncFailed:
		case r.Reason == "":
			t.Errorf("%s failed without a reason", r.Namespace)
		case copyOf && !linked:
			copyNoLink++
			if !strings.Contains(r.Reason, "serviceaccount") {
				t.Errorf("%s: copy made, link failed, reason %q does not name the serviceaccount", r.Namespace, r.Reason)
			}
		case copyOf:
			t.Errorf("%s failed but has its copy linked", r.Namespace)
		case linked:
			t.Errorf("%s linked without a copy", r.Namespace)
		default:
			nothing++
		}
	}
	t.Logf("failed namespaces: %d with nothing, %d with the copy but no link", nothing, copyNoLink)

	// The next run converges.
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatalf("next sync: %v", err)
	}
	noCredential(t, rep, env, password)
	if f := rep.Count(cluster.SyncFailed); f != 0 || len(rep.Namespaces) != n ||
		rep.Count(cluster.SyncCreated)+rep.Count(cluster.SyncUpdated)+rep.Count(cluster.SyncUnchanged) != n {
		t.Errorf("next run: %+v", rep.Namespaces)
	}
	if rep.Count(cluster.SyncCreated) != nothing || rep.Count(cluster.SyncUpdated) != copyNoLink {
		t.Errorf("next run: %d created (want %d), %d updated (want %d)", rep.Count(cluster.SyncCreated), nothing, rep.Count(cluster.SyncUpdated), copyNoLink)
	}
	for _, ns := range nss {
		if copyOf, linked := syncStateOf(t, env, ns, hash, from); !copyOf || !linked {
			t.Errorf("after next run %s: copy %v linked %v", ns, copyOf, linked)
		}
	}
	rep, err = c.Sync(ctx, opts)
	if err != nil || rep.Count(cluster.SyncUnchanged) != n {
		t.Errorf("third run: %v %+v", err, rep)
	}
	// No copy outside the selection (the source's own namespace holds the source).
	l, err := env.AdminClient().CoreV1().Secrets("").List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=regcred"})
	if err != nil {
		t.Fatal(err)
	}
	selected := map[string]bool{strings.Split(from, "/")[0]: true}
	for _, ns := range nss {
		selected[ns] = true
	}
	for _, s := range l.Items {
		if !selected[s.Namespace] {
			t.Errorf("copy in unselected namespace %s", s.Namespace)
		}
	}
	if _, err := env.AdminClient().CoreV1().Secrets(other).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("copy in unselected %s: %v", other, err)
	}
}

// syncStateOf says whether ns holds a complete copy of from (label,
// annotations, type and payload hash) named regcred, and whether its
// default ServiceAccount links regcred. A regcred that is not a complete
// copy fails t: that would be half-written.
func syncStateOf(t *testing.T, env *clustertest.Env, ns, hash, from string) (copyOf, linked bool) {
	t.Helper()
	s, err := env.AdminClient().CoreV1().Secrets(ns).Get(context.Background(), "regcred", metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		t.Fatal(err)
	case s.Labels[cluster.SyncManagedByLabel] != cluster.SyncManagedByValue || s.Annotations[cluster.SyncSourceAnnotation] != from ||
		s.Annotations[cluster.SyncHashAnnotation] != hash || cluster.SyncHash(s.Type, s.Data) != hash:
		t.Errorf("%s: half-written copy: labels %v annotations %v type %s", ns, s.Labels, s.Annotations, s.Type)
	default:
		copyOf = true
	}
	for _, name := range pullSecretsOf(t, env, ns) {
		if name == "regcred" {
			linked = true
		}
	}
	return copyOf, linked
}

// deletedRuns numbers the runs of TestSyncNamespaceDeletedMidRun.
var deletedRuns atomic.Int64

// A namespace deleted between the sync's list and its write (the hook
// deletes it just before the copy's create is sent): that namespace alone
// is failed, with a reason naming it, and holds nothing; the others are
// created. The next run leaves the terminating namespace out (here,
// without a namespace controller, it stays Terminating) and converges.
func TestSyncNamespaceDeletedMidRun(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	// A label of its own: the shared control plane keeps the namespaces of
	// earlier runs (-count), and a deleted one stays Terminating.
	label := fmt.Sprintf("deleted-mid-run-%d", deletedRuns.Add(1))
	nss := syncNamespaces(t, env, 4, label)
	const password = "sync-Deleted-Secret-3"
	from := syncSource(t, env, pullSecret("regcred", password))
	victim := nss[2]
	var deleted atomic.Bool
	c := hookedClient(t, env, func(_ int64, r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/namespaces/"+victim+"/secrets") && !deleted.Swap(true) {
			if err := env.AdminClient().CoreV1().Namespaces().Delete(context.Background(), victim, metav1.DeleteOptions{}); err != nil {
				t.Errorf("delete namespace %s: %v", victim, err)
			}
		}
	})
	opts := cluster.SyncOptions{From: from, Selector: "sync-test=" + label, Workers: 2}
	rep, err := c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	noCredential(t, rep, env, password)
	if !deleted.Load() {
		t.Fatal("the hook never saw the create in the victim namespace")
	}
	got := outcomes(rep)
	for _, ns := range nss {
		want := cluster.SyncCreated
		if ns == victim {
			want = cluster.SyncFailed
		}
		if got[ns] != want {
			t.Errorf("%s: %s, want %s", ns, got[ns], want)
		}
	}
	for _, r := range rep.Namespaces {
		if r.Namespace == victim && (!strings.Contains(r.Reason, victim) || !strings.Contains(r.Reason, "terminat")) {
			t.Errorf("reason %q: want the namespace and that it is terminating", r.Reason)
		}
	}
	if _, err := env.AdminClient().CoreV1().Secrets(victim).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("copy in the deleted namespace: %v", err)
	}
	if l := pullSecretsOf(t, env, victim); len(l) != 0 {
		t.Errorf("deleted namespace linked: %v", l)
	}
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Namespaces) != 3 || rep.Count(cluster.SyncUnchanged) != 3 {
		t.Errorf("next run: %+v", rep.Namespaces)
	}
}
