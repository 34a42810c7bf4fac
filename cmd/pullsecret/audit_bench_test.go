package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// BenchmarkAuditCLIAllNamespaces: the whole command, `pullsecret audit -A`
// (table, and -o json), in process against a dedicated control plane with
// 5,000 Secrets (4,500 pull secrets) and 1,000 Pods in 100 namespaces,
// created through the API. Reported: time per run, output bytes, and the
// peak heap in use, sampled every 2 ms by a goroutine during the runs.
func BenchmarkAuditCLIAllNamespaces(b *testing.B) {
	cp := clustertest.StartDedicated(b)
	admin := cp.AdminClient()
	ctx := context.Background()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var failed atomic.Int64
	auth := base64.StdEncoding.EncodeToString([]byte("robot:bench-pw"))
	for range 100 {
		ns := cp.Namespace(b)
		for j := range 60 {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				var err error
				switch {
				case j >= 50:
					spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "quay.io/team/app:1"}},
						ImagePullSecrets: []corev1.LocalObjectReference{{Name: fmt.Sprintf("regcred-%d", j-50)}, {Name: fmt.Sprintf("regcred-%d", j-49)}}}
					_, err = admin.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", j)}, Spec: spec}, metav1.CreateOptions{})
				case j >= 45:
					_, err = admin.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("other-%d", j)},
						Data: map[string][]byte{"tls.key": []byte("x")}}, metav1.CreateOptions{})
				default:
					payload := fmt.Sprintf(`{"auths":{"registry-%d.example.com":{"auth":%q}}}`, j%7, auth)
					_, err = admin.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("regcred-%d", j)},
						Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(payload)}}, metav1.CreateOptions{})
				}
				if err != nil {
					failed.Add(1)
				}
			})
		}
	}
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("%d creates failed", failed.Load())
	}
	kc := cp.Kubeconfig(b, clustertest.Admin, "default")
	for _, output := range []string{"text", "json"} {
		b.Run("o="+output, func(b *testing.B) {
			var peak atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				var ms runtime.MemStats
				t := time.NewTicker(2 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
					}
				}
			}()
			var out countWriter
			var stderr strings.Builder
			for b.Loop() {
				e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &stderr,
					getenv: func(k string) string { return map[string]string{"KUBECONFIG": kc}[k] }}
				if code := runCLIEnv(e, "audit", "-A", "-o", output); code != 0 {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}
			}
			close(stop)
			<-done
			b.ReportMetric(float64(out)/float64(b.N)/(1<<20), "output-MB/op")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}
