package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// TestRun starts democluster as make demo-cluster does, uses the admin
// kubeconfig it prints (the default ServiceAccount it creates is there), then
// interrupts it: the kubeconfigs and the servers' directory are gone.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, "", dir, &out, ready) }()
	var admin string
	select {
	case admin = <-ready:
	case err := <-done:
		if errors.Is(err, clustertest.ErrNoBinaries) && os.Getenv(clustertest.RequireEnv) == "" {
			t.Skip(err)
		}
		t.Fatalf("run ended before the control plane was ready: %v\n%s", err, out.String())
	}
	if want := filepath.Join(dir, "admin.kubeconfig"); admin != want {
		t.Errorf("admin kubeconfig at %s, want %s", admin, want)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", admin)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoreV1().ServiceAccounts("default").Get(context.Background(), "default", metav1.GetOptions{}); err != nil {
		t.Errorf("admin reads serviceaccount default/default: %v", err)
	}
	logDir := between(out.String(), "logs in ", ")")
	if logDir == "" {
		t.Fatalf("output names no log directory:\n%s", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.kubeconfig"))
	if _, err := os.Stat(logDir); !errors.Is(err, os.ErrNotExist) || len(left) > 0 {
		t.Errorf("left behind after the interrupt: %v, servers' directory (stat: %v)", left, err)
	}
	for _, want := range []string{"export KUBECONFIG=" + admin, "alice", "bob", "Ctrl-C stops", "stopping"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// between is the text of s after the first before and up to the next after.
func between(s, before, after string) string {
	_, rest, ok := strings.Cut(s, before)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, after)
	return v
}
