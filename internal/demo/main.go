// Command demo runs pullsecret's main job end to end on the sample data in
// testdata/demo, with no manual steps: it starts the real Distribution
// registry in process with token auth delegated to a second host, installs a
// demo credential helper, then shows inspect, convert, delegated, match,
// test-pull and resolve as a user would type them. When the control plane
// of the cluster tests is built (make controlplane), a live part follows:
// the seed chapter's oc procedures with pullsecret alone against a real
// kube-apiserver (live.go). Then it stops everything.
//
// make demo builds the binaries and runs it:
//
//	go run ./internal/demo -bin bin -data testdata/demo
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/internal/registrytest"
)

const (
	demoUser     = "demo-user"
	demoPassword = "demo-password-7f3a"
	helperName   = "pullsecret-demo"
)

func main() {
	bin := flag.String("bin", "bin", "directory holding pullsecret and docker-credential-"+helperName)
	data := flag.String("data", "testdata/demo", "sample data directory")
	cp := flag.String("controlplane", "", "directory holding etcd and kube-apiserver for the live part (default: $"+clustertest.BinEnv+", else bin/controlplane)")
	flag.Parse()
	if err := run(context.Background(), *bin, *data, *cp, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

type demo struct {
	out    io.Writer
	bin    string
	dir    string
	env    []string
	netArg []string
}

// sh runs pullsecret with args, printing the command line and its output. It
// returns stdout. An exit code other than want is an error; want -1 takes any.
func (d *demo) sh(stdin string, want int, args ...string) (string, error) {
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = strings.ReplaceAll(a, d.dir+string(os.PathSeparator), "")
	}
	fmt.Fprintf(d.out, "\n$ pullsecret %s\n", strings.Join(shown, " "))
	cmd := exec.Command(filepath.Join(d.bin, "pullsecret"), args...)
	cmd.Dir = d.dir
	cmd.Env = d.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	// os/exec copies stdout and stderr in two goroutines; both reach d.out.
	shared := &lockedWriter{w: d.out}
	cmd.Stdout = io.MultiWriter(&stdout, shared)
	cmd.Stderr = io.MultiWriter(&stderr, shared)
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return "", err
	}
	if want >= 0 && code != want {
		return stdout.String(), fmt.Errorf("pullsecret %s: exit %d, want %d", args[0], code, want)
	}
	if strings.Contains(stderr.String(), demoPassword) {
		return "", fmt.Errorf("pullsecret %s: password on stderr", args[0])
	}
	return stdout.String(), nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run runs the offline part and then, when the control plane's binaries are
// in cpDir ("" for the default place), the live part (live.go).
func run(ctx context.Context, bin, data, cpDir string, out io.Writer) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()

	fmt.Fprintln(out, "== starting the CNCF Distribution registry (registry.test) with token auth delegated to sso.test")
	env, err := registrytest.Start(ctx, registrytest.Options{
		Mode:  registrytest.Token,
		Users: map[string]string{demoUser: demoPassword},
		ACL: map[string][]registrytest.Grant{
			demoUser: {{Repo: "demo/*", Actions: []string{"pull"}}},
		},
		AnonymousPull: []string{"public/*"},
	})
	if err != nil {
		return fmt.Errorf("start registry: %w", err)
	}
	defer env.Close()
	reg := env.RegistryHost
	appDigest, err := env.PushRandomImage(ctx, "demo/app", "v1")
	if err != nil {
		return err
	}
	if _, _, err := env.PushIndex(ctx, "demo/multi", "latest", "linux/amd64", "linux/arm64"); err != nil {
		return err
	}
	fmt.Fprintf(out, "   registry %s, realm %s, pushed %s/demo/app:v1 (%s)\n", reg, env.RealmURL, reg, appDigest)

	dir, err := os.MkdirTemp("", "pullsecret-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmpl, err := os.ReadFile(filepath.Join(data, "config.json"))
	if err != nil {
		return err
	}
	cfg := strings.ReplaceAll(string(tmpl), "${REGISTRY}", reg)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		return err
	}
	store, _ := json.Marshal(map[string]any{"credentials": map[string]any{
		reg: map[string]string{"username": demoUser, "secret": demoPassword},
	}})
	storeFile := filepath.Join(dir, "helper-store.json")
	if err := os.WriteFile(storeFile, store, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), env.CAPEM, 0o600); err != nil {
		return err
	}
	d := &demo{out: out, bin: bin, dir: dir,
		env: []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir,
			"PULLSECRET_DEMO_STORE=" + storeFile}}
	d.netArg = []string{"--ca-file", filepath.Join(dir, "ca.crt")}
	for _, r := range env.ResolveArgs() {
		d.netArg = append(d.netArg, "--resolve", r)
	}

	fmt.Fprintln(out, "\n== 1. what is in the docker config (the registry's entry lives in the credsStore helper)")
	if _, err := d.sh("", 0, "inspect", "--authfile", "config.json"); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== 2. a self-contained pull secret: the helper is resolved, keys are canonical")
	secret, err := d.sh("", 0, "convert", "demo-pull", "--authfile", "config.json", "-n", "team-a")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte(secret), 0o600); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== 3. the registry delegates authentication: generate the secret pair (realm discovered)")
	pair, err := d.sh(demoPassword+"\n", 0, append([]string{"delegated", "--registry", reg, "-u", demoUser, "--password-stdin", "-n", "team-a"}, d.netArg...)...)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "pair.yaml"), []byte(pair), 0o600); err != nil {
		return err
	}

	image := reg + "/demo/app:v1"
	fmt.Fprintln(out, "\n== 4. which credentials the kubelet tries for the image, in order")
	if _, err := d.sh("", 0, "match", image, "--authfile", "secret.yaml"); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== 5. test the pull with the converted secret, step by step")
	if _, err := d.sh("", 0, append([]string{"test-pull", image, "--authfile", "secret.yaml"}, d.netArg...)...); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== 6. pin tags to digests (the index digest, and the linux/arm64 manifest)")
	if _, err := d.sh("", 0, append([]string{"resolve", image, reg + "/demo/multi:latest", "--authfile", "pair.yaml"}, d.netArg...)...); err != nil {
		return err
	}
	if _, err := d.sh("", 0, append([]string{"resolve", reg + "/demo/multi:latest", "--platform", "linux/arm64", "-o", "json", "--authfile", "pair.yaml"}, d.netArg...)...); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== 7. a user without access to the repository: the failure is named")
	if _, err := d.sh("", 4, append([]string{"test-pull", reg + "/other/app:v1", "--authfile", "secret.yaml"}, d.netArg...)...); err != nil {
		return err
	}
	if err := d.live(ctx, cpDir, reg); err != nil {
		return fmt.Errorf("live part: %w", err)
	}
	if leaks := env.Leaks(); len(leaks) > 0 {
		return fmt.Errorf("credentials leaked: %v", leaks)
	}
	fmt.Fprintln(out, "\n== done: registry stopped, temporary files removed")
	return nil
}
