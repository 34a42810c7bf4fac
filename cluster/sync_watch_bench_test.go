package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const benchWatchNamespaces = 100

// BenchmarkWatchLatency, on a dedicated control plane with the controller
// running (one replica, leader election on): 100 namespaces are created one
// after another (with their default ServiceAccount, as the
// controller-manager would make it), and for each the time from the create
// of the namespace until its copy and the default ServiceAccount's link are
// both visible to another client (polled every 2 ms). Reported: p50-ms and
// p99-ms over every namespace of every iteration.
func BenchmarkWatchLatency(b *testing.B) {
	env := clustertest.StartDedicated(b)
	ctx := context.Background()
	admin := env.AdminClient()
	srcNS := "watch-bench-source"
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: srcNS}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	src := pullSecret("regcred", "watch-bench")
	hash := cluster.SyncHash(src.Type, src.Data)
	if _, err := admin.CoreV1().Secrets(srcNS).Create(ctx, src, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	c := &cluster.Client{Clientset: admin, Namespace: "default", Config: env.AdminConfig()}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	leading := make(chan bool, 1)
	go func() {
		done <- c.Watch(wctx, cluster.WatchOptions{
			SyncOptions: cluster.SyncOptions{From: srcNS + "/regcred", Selector: "watch-bench=yes"},
			LeaderElect: true, Identity: "bench", OnLeading: func(l bool) { leading <- l },
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	<-leading
	var lat []time.Duration
	n := 0
	for b.Loop() {
		for range benchWatchNamespaces {
			n++
			name := fmt.Sprintf("watch-bench-%d", n)
			start := time.Now()
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"watch-bench": "yes"}}}
			if _, err := admin.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			if _, err := admin.CoreV1().ServiceAccounts(name).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			for {
				if ok, _ := synced(env, name, "regcred", hash); ok {
					break
				}
				if time.Since(start) > watchDeadline {
					b.Fatalf("namespace %s not synced", name)
				}
				time.Sleep(2 * time.Millisecond)
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
