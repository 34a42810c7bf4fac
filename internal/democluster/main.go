// Command democluster starts the control plane the tests use (etcd and
// kube-apiserver from bin/controlplane, see internal/clustertest), writes a
// kubeconfig for the admin and one for each user without rights, prints how
// to use them, and runs until interrupted. make demo-cluster runs it:
//
//	democluster -bin bin/controlplane -dir bin/democluster
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

func main() {
	bin := flag.String("bin", "", "directory holding etcd and kube-apiserver (default: $"+clustertest.BinEnv+" or bin/controlplane)")
	dir := flag.String("dir", "bin/democluster", "directory for the kubeconfig files")
	flag.Parse()
	if err := run(*bin, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "democluster:", err)
		os.Exit(1)
	}
}

func run(bin, dir string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	env, err := clustertest.New(bin)
	if err != nil {
		return err
	}
	defer env.Stop()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	fmt.Printf("control plane ready at %s (logs in %s)\n", env.Host(), env.LogDir())
	for _, id := range append([]string{clustertest.Admin}, clustertest.Users...) {
		path := filepath.Join(abs, id+".kubeconfig")
		if err := env.WriteKubeconfig(path, id, "default"); err != nil {
			return err
		}
		rights := "every right (system:masters)"
		if id != clustertest.Admin {
			rights = "no rights until granted"
		}
		fmt.Printf("  %-6s %s  # %s\n", id, path, rights)
	}
	fmt.Printf("\nexport KUBECONFIG=%s\n\nCtrl-C stops it.\n", filepath.Join(abs, clustertest.Admin+".kubeconfig"))
	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}
