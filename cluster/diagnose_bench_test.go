package cluster_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/secrets"
)

// BenchmarkDiagnoseAllNamespaces: diagnose -A on 1,000 pods across 100
// namespaces (each with 3 pull secrets, an Opaque Secret and 2
// ServiceAccounts, one of which links a secret), on a dedicated control
// plane; then on 3,000 pods across 300 namespaces, to show that the peak
// heap does not grow with the cluster. Reported: time per run, the peak
// heap in use seen during a run (sampled after each namespace) and the heap
// live after it, besides -benchmem's allocations.
func BenchmarkDiagnoseAllNamespaces(b *testing.B) {
	env := clustertest.StartDedicated(b)
	c, err := cluster.Options{Kubeconfig: env.Kubeconfig(b, clustertest.Admin, "default")}.Client()
	if err != nil {
		b.Fatal(err)
	}
	have := 0
	for _, namespaces := range []int{100, 300} {
		populate(b, env, namespaces-have)
		have = namespaces
		b.Run(fmt.Sprintf("pods=%d", namespaces*benchPodsPer), func(b *testing.B) { benchDiagnose(b, c, namespaces*benchPodsPer) })
	}
}

const benchPodsPer = 10

// populate creates n namespaces of benchPodsPer pods each.
func populate(b *testing.B, env *clustertest.Env, namespaces int) {
	const podsPer = benchPodsPer
	admin := env.AdminClient()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, namespaces)
	sem := make(chan struct{}, 8)
	for range namespaces {
		ns := env.Namespace(b)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			core := admin.CoreV1()
			create := func(err error) bool {
				if err != nil {
					errs <- fmt.Errorf("%s: %w", ns, err)
					return false
				}
				return true
			}
			for j := range 3 {
				if _, err := core.Secrets(ns).Create(ctx, diagPullSecret(ns, fmt.Sprintf("regcred-%d", j)), metav1.CreateOptions{}); !create(err) {
					return
				}
			}
			_, err := core.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Data: map[string][]byte{"k": []byte("v")}}, metav1.CreateOptions{})
			if !create(err) {
				return
			}
			_, err = core.ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"},
				ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred-1"}}}, metav1.CreateOptions{})
			if !create(err) {
				return
			}
			for j := range podsPer {
				spec := podSpec(fmt.Sprintf("regcred-%d", j%3))
				if j%4 == 3 {
					spec = podSpec()
					spec.ServiceAccountName = "builder"
				}
				if j%5 == 4 {
					spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: "missing"})
				}
				_, err := core.Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", j)}, Spec: spec}, metav1.CreateOptions{})
				if !create(err) {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func benchDiagnose(b *testing.B, c *cluster.Client, want int) {
	ctx := context.Background()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak, live uint64
	b.ResetTimer()
	for b.Loop() {
		pods := 0
		_, err := c.Diagnose(ctx, cluster.DiagnoseOptions{AllNamespaces: true}, func(d *secrets.Diagnosis) error {
			pods += len(d.Pods)
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if pods != want {
			b.Fatalf("diagnosed %d pods, want %d", pods, want)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	live = ms.HeapInuse
	b.ReportMetric(float64(want), "pods/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-growth-MB")
	b.ReportMetric(float64(live)/(1<<20), "live-heap-after-MB")
}
