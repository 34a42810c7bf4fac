// Command democluster starts the control plane the tests use (etcd and
// kube-apiserver from bin/controlplane, see internal/clustertest), writes a
// kubeconfig for the admin and one for each user without rights, prints how
// to use them, and runs until interrupted: Ctrl-C (or SIGTERM) stops both
// servers and removes the kubeconfigs and the servers' directory. make
// demo-cluster runs it:
//
//	democluster -bin bin/controlplane -dir bin/democluster
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
	bin := flag.String("bin", "", "directory holding etcd and kube-apiserver (default: $"+clustertest.BinEnv+" or bin/controlplane)")
	dir := flag.String("dir", "bin/democluster", "directory for the kubeconfig files")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *bin, *dir, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "democluster:", err)
		os.Exit(1)
	}
}

// run starts the control plane, writes the kubeconfigs into dir, reports on
// out and waits for ctx to end; then it stops the servers and removes the
// kubeconfigs. ready, when not nil, receives the admin's kubeconfig path
// once everything is written (for the test).
func run(ctx context.Context, bin, dir string, out io.Writer, ready chan<- string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	env, err := clustertest.New(bin)
	if err != nil {
		return err
	}
	defer env.Stop()
	// No controller-manager runs: create the ServiceAccount it would create,
	// so that pods can be created in the kubeconfigs' namespace.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	if _, err := env.AdminClient().CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create serviceaccount default/default: %w", err)
	}
	fmt.Fprintf(out, "control plane ready at %s (logs in %s)\n", env.Host(), env.LogDir())
	var written []string
	defer func() {
		for _, p := range written { // their tokens die with the control plane
			os.Remove(p)
		}
	}()
	for _, id := range append([]string{clustertest.Admin}, clustertest.Users...) {
		path := filepath.Join(abs, id+".kubeconfig")
		if err := env.WriteKubeconfig(path, id, "default"); err != nil {
			return err
		}
		written = append(written, path)
		rights := "every right (system:masters)"
		if id != clustertest.Admin {
			rights = "no rights until granted"
		}
		fmt.Fprintf(out, "  %-6s %s  # %s\n", id, path, rights)
	}
	admin := written[0]
	fmt.Fprintf(out, "\nexport KUBECONFIG=%s\n\n", admin)
	fmt.Fprintln(out, `No controller-manager, scheduler or kubelet runs: pods stay Pending, and a new
namespace needs its "default" ServiceAccount (kubectl create serviceaccount
default -n NS; the one in "default" is there).
Ctrl-C stops it and removes the kubeconfigs and the servers' directory.`)
	if ready != nil {
		ready <- admin
	}
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}
