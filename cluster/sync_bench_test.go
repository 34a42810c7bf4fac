package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const benchSyncNamespaces = 1000

// BenchmarkSync, on a dedicated control plane with 1,000 namespaces (each
// with its default ServiceAccount), side by side:
//   - first: the first sync of a pull secret into all of them (a Secret and
//     a default ServiceAccount link each; every iteration syncs a copy of a
//     new name, so every one is a first sync);
//   - kubectl-apply: one `kubectl apply -f` of a List of the same 1,000
//     Secrets (no link), skipped without kubectl on PATH;
//   - unchanged: the second sync with nothing changed (no write).
//
// Reported: requests/ns and writes/op, counted on the client's transport.
func BenchmarkSync(b *testing.B) {
	env := clustertest.StartDedicated(b)
	ctx := context.Background()
	admin := env.AdminClient()
	benchNamespaces(b, admin, benchSyncNamespaces)
	srcNS := "sync-bench-source"
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: srcNS}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	src := pullSecret("regcred", "bench-Secret-1")
	if _, err := admin.CoreV1().Secrets(srcNS).Create(ctx, src, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	cnt := &requestCounter{}
	cfg := env.AdminConfig()
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return countingRoundTripper{cnt, rt} }
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c := &cluster.Client{Clientset: cs, Namespace: "default", Config: cfg}
	opts := cluster.SyncOptions{From: srcNS + "/regcred", Selector: "sync-bench=yes"}
	report := func(b *testing.B, n int) {
		b.ReportMetric(float64(cnt.reads.Load()+cnt.writes.Load())/float64(n)/benchSyncNamespaces, "requests/ns")
		b.ReportMetric(float64(cnt.writes.Load())/float64(n), "writes/op")
	}

	// seq names every copy (and kubectl's Secrets) afresh across
	// iterations and -count runs, so every sync is a first one.
	last, seq := "", 0
	b.Run("first", func(b *testing.B) {
		i := 0
		cnt.reads.Store(0)
		cnt.writes.Store(0)
		for b.Loop() {
			i++
			seq++
			o := opts
			o.Name = fmt.Sprintf("copy-%d", seq)
			rep, err := c.Sync(ctx, o)
			if err != nil {
				b.Fatal(err)
			}
			if got := rep.Count(cluster.SyncCreated); got != benchSyncNamespaces {
				b.Fatalf("created %d, want %d: %+v", got, benchSyncNamespaces, rep.Namespaces[0])
			}
			last = o.Name
		}
		report(b, i)
	})
	b.Run("kubectl-apply", func(b *testing.B) {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			b.Skip("kubectl not on PATH")
		}
		kc := env.Kubeconfig(b, clustertest.Admin, "default")
		dir := b.TempDir()
		for b.Loop() {
			b.StopTimer()
			seq++
			file := filepath.Join(dir, fmt.Sprintf("list-%d.json", seq))
			items := make([]corev1.Secret, 0, benchSyncNamespaces)
			for n := range benchSyncNamespaces {
				s := src.DeepCopy()
				s.APIVersion, s.Kind = "v1", "Secret"
				s.Name, s.Namespace = fmt.Sprintf("kubectl-%d", seq), benchNamespaceName(n)
				items = append(items, *s)
			}
			data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(file, data, 0o600); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if out, err := exec.Command(kubectl, "--kubeconfig", kc, "apply", "-f", file).CombinedOutput(); err != nil {
				b.Fatalf("kubectl apply: %v: %.500s", err, out)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		o := opts
		o.Name = last
		if _, err := c.Sync(ctx, o); err != nil {
			b.Fatal(err)
		}
		cnt.reads.Store(0)
		cnt.writes.Store(0)
		i := 0
		for b.Loop() {
			i++
			rep, err := c.Sync(ctx, o)
			if err != nil {
				b.Fatal(err)
			}
			if got := rep.Count(cluster.SyncUnchanged); got != benchSyncNamespaces {
				b.Fatalf("unchanged %d, want %d", got, benchSyncNamespaces)
			}
		}
		if cnt.writes.Load() != 0 {
			b.Fatalf("%d writes in a sync with nothing changed", cnt.writes.Load())
		}
		report(b, i)
	})
}

func benchNamespaceName(i int) string { return fmt.Sprintf("sync-bench-%04d", i) }

// benchNamespaces creates n namespaces labelled sync-bench=yes, each with
// a default ServiceAccount, 8 at a time.
func benchNamespaces(b *testing.B, cs kubernetes.Interface, n int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			name := benchNamespaceName(i)
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"sync-bench": "yes"}}}
			if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
				errs <- err
				return
			}
			if _, err := cs.CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
