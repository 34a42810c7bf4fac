package cluster_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// requestCounter counts requests by kind: writes are every method but GET
// (lists and gets are GETs; no watch is made).
type requestCounter struct{ reads, writes atomic.Int64 }

func (c *requestCounter) count(r *http.Request) {
	if r.Method == http.MethodGet {
		c.reads.Add(1)
	} else {
		c.writes.Add(1)
	}
}

// countingRoundTripper counts the requests a client sends.
type countingRoundTripper struct {
	c    *requestCounter
	next http.RoundTripper
}

func (rt countingRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.c.count(r)
	return rt.next.RoundTrip(r)
}

// countingProxy is a reverse proxy on loopback in front of the API server
// that counts every request reaching it: the server-side count. Clients
// reach it over plain HTTP with their bearer token.
func countingProxy(t *testing.T, env *clustertest.Env) (*httptest.Server, *requestCounter) {
	return faultyProxy(t, env, nil)
}

// faultyProxy is countingProxy that drops the connection of every request
// for which drop returns true, as a restarting API server would.
func faultyProxy(t *testing.T, env *clustertest.Env, drop func(*http.Request) bool) (*httptest.Server, *requestCounter) {
	t.Helper()
	target, err := url.Parse(env.Host())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(env.CAData())
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 64}
	cnt := &requestCounter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drop != nil && drop(r) {
			panic(http.ErrAbortHandler)
		}
		cnt.count(r)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, cnt
}

// syncClient is an admin cluster.Client whose requests go through the
// counting proxy and are also counted by a wrapping RoundTripper.
func syncClient(t *testing.T, env *clustertest.Env) (*cluster.Client, *requestCounter, *requestCounter) {
	t.Helper()
	srv, server := countingProxy(t, env)
	client := &requestCounter{}
	cfg := &rest.Config{Host: srv.URL, BearerToken: env.AdminConfig().BearerToken, QPS: -1}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return countingRoundTripper{client, rt} }
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}, client, server
}

// syncNamespaces makes n namespaces with a "default" ServiceAccount and
// the label sync-test=<label>, and returns them in name order.
func syncNamespaces(t *testing.T, env *clustertest.Env, n int, label string) []string {
	t.Helper()
	var out []string
	for range n {
		ns := env.Namespace(t)
		setNamespaceLabel(t, env, ns, label)
		out = append(out, ns)
	}
	slices.Sort(out)
	return out
}

func setNamespaceLabel(t *testing.T, env *clustertest.Env, ns, label string) {
	t.Helper()
	ctx := context.Background()
	o, err := env.AdminClient().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Labels == nil {
		o.Labels = map[string]string{}
	}
	if label == "" {
		delete(o.Labels, "sync-test")
	} else {
		o.Labels["sync-test"] = label
	}
	if _, err := env.AdminClient().CoreV1().Namespaces().Update(ctx, o, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// syncSource creates the source pull secret in a namespace of its own and
// returns "NS/NAME".
func syncSource(t *testing.T, env *clustertest.Env, s *corev1.Secret) string {
	t.Helper()
	ns := env.Namespace(t)
	if _, err := env.AdminClient().CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return ns + "/" + s.Name
}

func outcomes(rep *cluster.SyncReport) map[string]cluster.SyncOutcome {
	m := map[string]cluster.SyncOutcome{}
	for _, n := range rep.Namespaces {
		m[n.Namespace] = n.Outcome
	}
	return m
}

func pullSecretsOf(t *testing.T, env *clustertest.Env, ns string) []string {
	t.Helper()
	sa, err := env.AdminClient().CoreV1().ServiceAccounts(ns).Get(context.Background(), "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range sa.ImagePullSecrets {
		out = append(out, r.Name)
	}
	return out
}

// The first sync creates the copies and links them, keeping another
// writer's entry; the second, with nothing changed, sends no write at all,
// counted both by the client's RoundTripper and by a proxy in front of the
// API server; a new payload is "updated" in every namespace.
func TestSyncCreatesThenNoWrites(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 4, "first")
	other, err := env.AdminClient().CoreV1().ServiceAccounts(nss[0]).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "someone-elses"}}
	if _, err := env.AdminClient().CoreV1().ServiceAccounts(nss[0]).Update(ctx, other, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	c, client, server := syncClient(t, env)
	opts := cluster.SyncOptions{From: from, Selector: "sync-test=first"}

	rep, err := c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Namespaces) != len(nss) || rep.Count(cluster.SyncCreated) != len(nss) {
		t.Fatalf("first sync: %+v", rep.Namespaces)
	}
	// 1 create + 1 link per namespace; reads: get source, 4 lists.
	if w := server.writes.Load(); w != int64(2*len(nss)) {
		t.Errorf("first sync: %d writes at the server, want %d", w, 2*len(nss))
	}
	if total := server.reads.Load() + server.writes.Load(); total > int64(3*len(nss)+5) {
		t.Errorf("first sync: %d requests, want at most 3 per namespace plus 5", total)
	}
	for _, ns := range nss {
		s, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Labels[cluster.SyncManagedByLabel] != cluster.SyncManagedByValue || s.Annotations[cluster.SyncSourceAnnotation] != from ||
			s.Annotations[cluster.SyncHashAnnotation] != rep.Hash || s.Type != corev1.SecretTypeDockerConfigJson {
			t.Errorf("copy in %s: labels %v annotations %v type %s", ns, s.Labels, s.Annotations, s.Type)
		}
		want := []string{"regcred"}
		if ns == nss[0] {
			want = []string{"someone-elses", "regcred"}
		}
		if got := pullSecretsOf(t, env, ns); !slices.Equal(got, want) {
			t.Errorf("%s: imagePullSecrets %v, want %v", ns, got, want)
		}
	}

	server.reads.Store(0)
	server.writes.Store(0)
	client.writes.Store(0)
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(cluster.SyncUnchanged) != len(nss) {
		t.Errorf("second sync: %+v", rep.Namespaces)
	}
	if w, cw := server.writes.Load(), client.writes.Load(); w != 0 || cw != 0 {
		t.Errorf("second sync: %d writes at the server, %d sent by the client, want 0", w, cw)
	}
	if r := server.reads.Load(); r != 5 {
		t.Errorf("second sync: %d reads, want 5 (source and 4 lists)", r)
	}

	src, _ := env.AdminClient().CoreV1().Secrets(strings.Split(from, "/")[0]).Get(ctx, "regcred", metav1.GetOptions{})
	src.Data = pullSecret("regcred", "sync-Secret-2").Data
	if _, err := env.AdminClient().CoreV1().Secrets(src.Namespace).Update(ctx, src, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(cluster.SyncUpdated) != len(nss) {
		t.Errorf("after a new payload: %+v", rep.Namespaces)
	}
	s, _ := env.AdminClient().CoreV1().Secrets(nss[1]).Get(ctx, "regcred", metav1.GetOptions{})
	if !strings.Contains(string(s.Data[corev1.DockerConfigJsonKey]), "sync-Secret-2") {
		t.Error("copy not updated")
	}
	for _, n := range rep.Namespaces {
		if strings.Contains(strings.Join(n.Changes, " ")+n.Reason, "sync-Secret") {
			t.Errorf("report holds the payload: %+v", n)
		}
	}
}

// A Secret of the copy's name that sync did not make is left alone and
// reported; it is not linked either.
func TestSyncForeignSecretSkipped(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 2, "foreign")
	foreign := pullSecret("regcred", "foreign-Secret-9")
	if _, err := env.AdminClient().CoreV1().Secrets(nss[0]).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	c, _, _ := syncClient(t, env)
	rep, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=foreign"})
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(rep)
	if got[nss[0]] != cluster.SyncSkipped || got[nss[1]] != cluster.SyncCreated {
		t.Fatalf("%+v", rep.Namespaces)
	}
	if !strings.Contains(rep.Namespaces[slices.IndexFunc(rep.Namespaces, func(n cluster.SyncNamespace) bool { return n.Namespace == nss[0] })].Reason, "not made by pullsecret sync") {
		t.Errorf("reason: %+v", rep.Namespaces)
	}
	s, _ := env.AdminClient().CoreV1().Secrets(nss[0]).Get(ctx, "regcred", metav1.GetOptions{})
	if !strings.Contains(string(s.Data[corev1.DockerConfigJsonKey]), "foreign-Secret-9") || len(s.Labels) != 0 {
		t.Error("foreign secret changed")
	}
	if got := pullSecretsOf(t, env, nss[0]); len(got) != 0 {
		t.Errorf("foreign secret linked: %v", got)
	}
}

// --prune deletes and unlinks the copy in a namespace that no longer
// matches, and every copy once the source is gone.
func TestSyncPrune(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 3, "prune")
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	c, _, _ := syncClient(t, env)
	opts := cluster.SyncOptions{From: from, Selector: "sync-test=prune", Prune: true}
	if _, err := c.Sync(ctx, opts); err != nil {
		t.Fatal(err)
	}
	setNamespaceLabel(t, env, nss[2], "")
	rep, err := c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(rep)
	if got[nss[0]] != cluster.SyncUnchanged || got[nss[2]] != cluster.SyncPruned {
		t.Fatalf("%+v", rep.Namespaces)
	}
	if _, err := env.AdminClient().CoreV1().Secrets(nss[2]).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("pruned copy: %v", err)
	}
	if l := pullSecretsOf(t, env, nss[2]); len(l) != 0 {
		t.Errorf("pruned copy still linked: %v", l)
	}
	srcNS, _, _ := strings.Cut(from, "/")
	if err := env.AdminClient().CoreV1().Secrets(srcNS).Delete(ctx, "regcred", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=prune"}); err == nil {
		t.Error("source gone without --prune: no error")
	}
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(cluster.SyncPruned) != 2 {
		t.Errorf("source gone: %+v", rep.Namespaces)
	}
	for _, ns := range nss[:2] {
		if _, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s: copy of a deleted source: %v", ns, err)
		}
	}
}

// A malformed source or one of the wrong type copies nothing and the
// error names it, without its payload.
func TestSyncBadSource(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 2, "bad")
	bad := pullSecret("regcred", "bad-Secret-1")
	bad.Data[corev1.DockerConfigJsonKey] = []byte(`{"auths":{"quay.io":{"auth":"bad-Secret-1"}}}`)
	opaque := pullSecret("opaque", "bad-Secret-1")
	opaque.Type = corev1.SecretTypeOpaque
	c, _, server := syncClient(t, env)
	for _, s := range []*corev1.Secret{bad, opaque} {
		from := syncSource(t, env, s)
		_, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=bad"})
		if !errors.Is(err, cluster.ErrSyncSource) || !strings.Contains(err.Error(), from) || strings.Contains(err.Error(), "bad-Secret-1") {
			t.Errorf("%s: %v", from, err)
		}
	}
	if w := server.writes.Load(); w != 0 {
		t.Errorf("%d writes", w)
	}
	for _, ns := range nss {
		if l, _ := env.AdminClient().CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{}); len(l.Items) != 0 {
			t.Errorf("%s: %d secrets", ns, len(l.Items))
		}
	}
}

// A namespace the user may not write to fails on its own; the others are
// synced.
func TestSyncForbiddenNamespace(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 2, "forbidden")
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	env.Grant(t, "alice", "", []string{"get", "list"}, []string{"namespaces", "secrets", "serviceaccounts"})
	env.Grant(t, "alice", nss[0], []string{"create", "update"}, []string{"secrets", "serviceaccounts"})
	c := &cluster.Client{Clientset: env.Client(t, "alice"), Namespace: "default"}
	rep, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=forbidden"})
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(rep)
	if got[nss[0]] != cluster.SyncCreated || got[nss[1]] != cluster.SyncFailed || !rep.Failed() {
		t.Fatalf("%+v", rep.Namespaces)
	}
	if r := rep.Namespaces[1].Reason; !strings.Contains(r, "forbidden") {
		t.Errorf("reason %q", r)
	}
}

// --dry-run=server and --diff store nothing; --diff sends no write at all.
func TestSyncDryRunAndDiff(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 2, "dryrun")
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	c, _, server := syncClient(t, env)
	rep, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=dryrun", DryRun: true})
	if err != nil || rep.Count(cluster.SyncCreated) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	server.writes.Store(0)
	rep, err = c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=dryrun", Diff: true})
	if err != nil || rep.Count(cluster.SyncCreated) != 2 || len(rep.Namespaces[0].Changes) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	if w := server.writes.Load(); w != 0 {
		t.Errorf("diff: %d writes", w)
	}
	for _, ns := range nss {
		if _, err := env.AdminClient().CoreV1().Secrets(ns).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s: %v", ns, err)
		}
		if l := pullSecretsOf(t, env, ns); len(l) != 0 {
			t.Errorf("%s: linked %v", ns, l)
		}
	}
}

// conflictOnce changes the ServiceAccount (adds "late-writer") just
// before the first update of a ServiceAccount the client sends, so that
// update conflicts.
type conflictOnce struct {
	next http.RoundTripper
	once sync.Once
	do   func()
}

func (c *conflictOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/serviceaccounts/") {
		c.once.Do(c.do)
	}
	return c.next.RoundTrip(r)
}

// Another writer changes the ServiceAccount between sync's list and its
// update: the update conflicts, is redone from a fresh read, and both
// entries are there. A namespace being deleted is not synced.
func TestSyncConflictingWriterAndTerminatingNamespace(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 2, "conflict")
	if err := env.AdminClient().CoreV1().Namespaces().Delete(ctx, nss[1], metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	cfg := env.AdminConfig()
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return &conflictOnce{next: rt, do: func() {
			sa, err := env.AdminClient().CoreV1().ServiceAccounts(nss[0]).Get(ctx, "default", metav1.GetOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			sa.ImagePullSecrets = append(sa.ImagePullSecrets, corev1.LocalObjectReference{Name: "late-writer"})
			if _, err := env.AdminClient().CoreV1().ServiceAccounts(nss[0]).Update(ctx, sa, metav1.UpdateOptions{}); err != nil {
				t.Error(err)
			}
		}}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
	rep, err := c.Sync(ctx, cluster.SyncOptions{From: from, Selector: "sync-test=conflict"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Namespaces) != 1 || rep.Namespaces[0].Namespace != nss[0] || rep.Namespaces[0].Outcome != cluster.SyncCreated {
		t.Fatalf("%+v", rep.Namespaces)
	}
	if got := pullSecretsOf(t, env, nss[0]); !slices.Equal(got, []string{"late-writer", "regcred"}) {
		t.Errorf("imagePullSecrets %v, want the other writer's entry and regcred", got)
	}
	if _, err := env.AdminClient().CoreV1().Secrets(nss[1]).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("copy in a terminating namespace: %v", err)
	}
}

// The API server goes away for the writes into one namespace (the
// connection drops, as in a restart): that namespace is failed, the others
// are synced, nothing is half-written, and the next run converges.
func TestSyncServerGoneMidRun(t *testing.T) {
	env := clustertest.Start(t)
	ctx := context.Background()
	nss := syncNamespaces(t, env, 3, "gone")
	from := syncSource(t, env, pullSecret("regcred", "sync-Secret-1"))
	var down atomic.Bool
	down.Store(true)
	srv, _ := faultyProxy(t, env, func(r *http.Request) bool {
		return down.Load() && r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/namespaces/"+nss[1]+"/")
	})
	cfg := &rest.Config{Host: srv.URL, BearerToken: env.AdminConfig().BearerToken, QPS: -1}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
	opts := cluster.SyncOptions{From: from, Selector: "sync-test=gone"}
	rep, err := c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(rep)
	if got[nss[0]] != cluster.SyncCreated || got[nss[1]] != cluster.SyncFailed || got[nss[2]] != cluster.SyncCreated {
		t.Fatalf("%+v", rep.Namespaces)
	}
	if _, err := env.AdminClient().CoreV1().Secrets(nss[1]).Get(ctx, "regcred", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("copy in the failed namespace: %v", err)
	}
	if l := pullSecretsOf(t, env, nss[1]); len(l) != 0 {
		t.Errorf("failed namespace linked: %v", l)
	}
	down.Store(false)
	rep, err = c.Sync(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	got = outcomes(rep)
	if got[nss[0]] != cluster.SyncUnchanged || got[nss[1]] != cluster.SyncCreated || got[nss[2]] != cluster.SyncUnchanged {
		t.Errorf("next run: %+v", rep.Namespaces)
	}
	if l := pullSecretsOf(t, env, nss[1]); !slices.Equal(l, []string{"regcred"}) {
		t.Errorf("next run: linked %v", l)
	}
}
