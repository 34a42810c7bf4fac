package cluster_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const (
	auditBenchNamespaces = 100
	auditBenchSecrets    = 50 // per namespace: 45 pull secrets, 5 other Secrets
	auditBenchPods       = 10 // per namespace
)

// BenchmarkAuditAllNamespaces: audit -A over 5,000 Secrets (4,500 pull
// secrets, some with JWT tokens, 500 of other types) and 1,000 Pods across
// 100 namespaces on a dedicated control plane, all created through the API
// (8 in parallel). Reported: time per run, the peak heap in use (sampled
// after each namespace) and its growth over the heap before the run.
// Targets (issue 10): under 5 s and 200 MB.
func BenchmarkAuditAllNamespaces(b *testing.B) {
	env := clustertest.StartDedicated(b)
	populateAudit(b, env)
	c, err := cluster.Options{Kubeconfig: env.Kubeconfig(b, clustertest.Admin, "default")}.Client()
	if err != nil {
		b.Fatal(err)
	}
	// Count the requests the audit sends.
	var requests atomic.Int64
	cfg := rest.CopyConfig(c.Config)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			requests.Add(1)
			return rt.RoundTrip(r)
		})
	}
	if c.Clientset, err = kubernetes.NewForConfig(cfg); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	wantSecrets := auditBenchNamespaces * (auditBenchSecrets - 5)
	b.ResetTimer()
	requests.Store(0)
	runs := 0
	for b.Loop() {
		runs++
		rows := 0
		sum, err := c.Audit(ctx, cluster.AuditOptions{All: true, Progress: func(int) {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}}, func(n *cluster.AuditNamespace) error {
			rows += len(n.Secrets)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		// Every pull secret, plus one missing reference per namespace.
		if rows != wantSecrets+auditBenchNamespaces || sum.Pods != auditBenchNamespaces*auditBenchPods {
			b.Fatalf("audited %d rows and %d pods, want %d and %d", rows, sum.Pods, wantSecrets+auditBenchNamespaces, auditBenchNamespaces*auditBenchPods)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(requests.Load())/float64(runs), "requests/op")
	b.ReportMetric(float64(auditBenchNamespaces*auditBenchSecrets), "secrets/op")
	b.ReportMetric(float64(auditBenchNamespaces*auditBenchPods), "pods/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-growth-MB")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// populateAudit creates the benchmark's namespaces, Secrets and Pods.
func populateAudit(b *testing.B, env *clustertest.Env) {
	admin := env.AdminClient()
	ctx := context.Background()
	exp := time.Now().Add(3 * 24 * time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, auditBenchNamespaces*(auditBenchSecrets+auditBenchPods))
	sem := make(chan struct{}, 8)
	for range auditBenchNamespaces {
		ns := env.Namespace(b)
		for j := range auditBenchSecrets {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				var s *corev1.Secret
				switch {
				case j >= auditBenchSecrets-5:
					s = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("other-%d", j)},
						Data: map[string][]byte{"tls.key": []byte("not a credential")}}
				case j%3 == 0:
					s = livePullSecret(ns, fmt.Sprintf("regcred-%d", j), authPayload("myacr.azurecr.io", "00000000-0000-0000-0000-000000000000", jwt(exp)))
				default:
					s = livePullSecret(ns, fmt.Sprintf("regcred-%d", j), authPayload(fmt.Sprintf("registry-%d.example.com", j%7), "robot", auditPassword))
				}
				if _, err := admin.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
					errs <- err
				}
			})
		}
		for j := range auditBenchPods {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				spec := podSpec(fmt.Sprintf("regcred-%d", j), fmt.Sprintf("regcred-%d", j+1))
				if j == 0 {
					spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: "missing"})
				}
				_, err := admin.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", j)}, Spec: spec}, metav1.CreateOptions{})
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
