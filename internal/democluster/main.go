// Command democluster starts the control plane the cluster tests use (a real
// etcd and kube-apiserver v1.37 on loopback, RBAC on; package
// internal/clustertest), writes a kubeconfig for its admin, prints where, and
// runs until interrupted: Ctrl-C (or SIGTERM) stops both servers and removes
// everything it wrote.
//
// make demo-cluster builds and runs it:
//
//	go run ./internal/democluster [-bin bin/controlplane] [-kubeconfig PATH]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin", "", "directory holding etcd and kube-apiserver (default: $"+clustertest.BinEnv+", else bin/controlplane)")
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "where to write the admin's kubeconfig (default: in a new temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, nil); err != nil {
		fmt.Fprintf(os.Stderr, "democluster: %v\n", err)
		os.Exit(1)
	}
}

// options are democluster's flags.
type options struct {
	binDir     string
	kubeconfig string
}

// run starts the control plane, writes the kubeconfigs, reports on out and
// waits for ctx to end; then it stops everything. ready, when not nil,
// receives the admin's kubeconfig path once it is written (for the test).
func run(ctx context.Context, o options, out io.Writer, ready chan<- string) error {
	fmt.Fprintln(out, "starting etcd and kube-apiserver (loopback, RBAC on)...")
	env, err := clustertest.New(clustertest.Options{BinDir: o.binDir})
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	defer env.Close()

	dir, err := os.MkdirTemp("", "pullsecret-democluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	admin := o.kubeconfig
	if admin == "" {
		admin = filepath.Join(dir, "kubeconfig")
	} else if admin, err = filepath.Abs(admin); err != nil {
		return err
	}
	if err := env.WriteKubeconfig(admin, clustertest.Admin, ""); err != nil {
		return err
	}
	if o.kubeconfig != "" {
		defer os.Remove(admin) // its token dies with the control plane
	}
	alice := filepath.Join(dir, "kubeconfig-"+clustertest.Alice)
	if err := env.WriteKubeconfig(alice, clustertest.Alice, ""); err != nil {
		return err
	}
	// No controller-manager runs: create the ServiceAccount it would create,
	// so that pods can be created in the default namespace.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	if _, err := env.AdminClient().CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create serviceaccount default/default: %w", err)
	}

	fmt.Fprintf(out, `control plane ready at %s (kube-apiserver v1.37, etcd; logs in %s)

kubeconfig for the admin (group system:masters):
  export KUBECONFIG=%s
kubeconfig for %q (group %q, no rights until granted), for RBAC trials:
  %s

No controller-manager, scheduler or kubelet: pods stay Pending, and a new
namespace gets no "default" ServiceAccount until you create it
(kubectl create serviceaccount default -n NS).
Ctrl-C stops both servers and removes everything written here.
`, env.Host(), env.LogDir(), admin, clustertest.Alice, clustertest.AliceGroup, alice)
	if ready != nil {
		ready <- admin
	}
	<-ctx.Done()
	fmt.Fprintln(out, "\nstopping...")
	env.Close() // the deferred calls repeat these harmlessly on the error paths
	os.RemoveAll(dir)
	if o.kubeconfig != "" {
		os.Remove(admin)
	}
	fmt.Fprintln(out, "control plane stopped, files removed")
	return nil
}
