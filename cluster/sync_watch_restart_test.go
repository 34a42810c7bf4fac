package cluster_test

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// The controller, with leader election, survives a restart of the real
// kube-apiserver (same etcd): after the restart its informers relist (or,
// when the outage outlasts the renew deadline and the Lease is lost, the
// next term starts them afresh), so a namespace labelled into the selection
// gets its copy and link and a deleted copy is recreated; cancelled, Watch
// returns nil. Convergence is polled within watchDeadline; no duration is
// asserted.
func TestWatchSurvivesAPIServerRestart(t *testing.T) {
	env := clustertest.StartDedicated(t)
	ctx := context.Background()
	src := pullSecret("regcred", "watch-restart")
	from := syncSource(t, env, src)
	hash := cluster.SyncHash(src.Type, src.Data)
	first := syncNamespaces(t, env, 1, "watch-restart")[0]
	leading := make(chan bool, 16)
	stop := startWatch(t, adminClient(env, "default"), cluster.WatchOptions{
		SyncOptions: cluster.SyncOptions{From: from, Selector: "sync-test=watch-restart"},
		LeaderElect: true, Identity: "restart", OnLeading: func(l bool) { leading <- l },
	})
	waitFor(t, "synced before the restart", func() (bool, error) { return synced(env, first, "regcred", hash) })
	if l := <-leading; !l {
		t.Fatal("controller did not lead")
	}

	env.RestartAPIServer(t)

	ns := env.Namespace(t)
	setNamespaceLabel(t, env, ns, "watch-restart")
	if err := env.AdminClient().CoreV1().Secrets(first).Delete(ctx, "regcred", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "new namespace synced after the restart", func() (bool, error) { return synced(env, ns, "regcred", hash) })
	waitFor(t, "deleted copy recreated after the restart", func() (bool, error) { return synced(env, first, "regcred", hash) })

	if err := stop(); err != nil {
		t.Fatalf("Watch after cancel: %v", err)
	}
}
