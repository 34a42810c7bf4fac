package clustertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// readyTimeout bounds the wait for /readyz. The servers are ready in a few
// seconds on an idle machine; the bound is generous for a loaded one and is
// not a performance assertion.
const readyTimeout = 3 * time.Minute

// startAttempts is how often start picks fresh ports when a server exits
// during start-up (a port picked free was taken before the server bound it).
const startAttempts = 3

// binaries are the two server executables.
type binaries struct {
	etcd, apiserver string
}

// controlPlane is one running etcd + kube-apiserver pair.
type controlPlane struct {
	dir     string // everything: keys, tokens, etcd data, logs
	pki     *pki
	host    string            // https://127.0.0.1:PORT
	tokens  map[string]string // identity → bearer token
	etcdLog string
	apiLog  string
	procs   []*server
	apiBin  string   // kube-apiserver's path, for restartAPIServer
	apiArgs []string // its flags, for restartAPIServer
}

// server is one started process.
type server struct {
	name   string
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before exited is closed
}

// startControlPlane starts etcd and kube-apiserver from bins under a new
// temporary directory and waits until the API server is ready.
func startControlPlane(bins binaries) (*controlPlane, error) {
	removeStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("create control plane directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return nil, fmt.Errorf("write owner of %s: %w", dir, err)
	}
	cp := &controlPlane{
		dir:     dir,
		etcdLog: filepath.Join(dir, "etcd.log"),
		apiLog:  filepath.Join(dir, "kube-apiserver.log"),
		tokens:  map[string]string{},
	}
	if cp.pki, err = newPKI(dir); err != nil {
		return cp, err
	}
	if err := cp.writeTokens(); err != nil {
		return cp, err
	}
	for attempt := 1; ; attempt++ {
		err = cp.start(bins, attempt)
		if err == nil {
			return cp, nil
		}
		cp.kill()
		if attempt == startAttempts || !errors.Is(err, errExited) {
			return cp, err
		}
	}
}

// errExited marks a server that exited during start-up.
var errExited = errors.New("exited during start-up")

// writeTokens writes the --token-auth-file: the admin in system:masters and
// each of Users in its group.
func (cp *controlPlane) writeTokens() error {
	var b strings.Builder
	groups := map[string]string{Admin: "system:masters", Alice: AliceGroup, Bob: BobGroup}
	for _, id := range append([]string{Admin}, Users...) {
		tok := make([]byte, 24)
		if _, err := rand.Read(tok); err != nil {
			return fmt.Errorf("generate token: %w", err)
		}
		cp.tokens[id] = hex.EncodeToString(tok)
		fmt.Fprintf(&b, "%s,%s,uid-%s,\"%s\"\n", cp.tokens[id], id, id, groups[id])
	}
	cp.pki.tokensFile = filepath.Join(cp.dir, "tokens.csv")
	if err := os.WriteFile(cp.pki.tokensFile, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}

// start runs one start-up attempt on fresh ports.
func (cp *controlPlane) start(bins binaries, attempt int) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	dataDir := filepath.Join(cp.dir, "etcd-data")
	if err := os.RemoveAll(dataDir); err != nil {
		return fmt.Errorf("clear etcd data directory: %w", err)
	}
	etcd, err := cp.spawn("etcd", cp.etcdLog, attempt, bins.etcd,
		"--name=clustertest",
		"--data-dir="+dataDir,
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=clustertest="+peerURL,
		"--unsafe-no-fsync",
		"--log-level=warn",
	)
	if err != nil {
		return err
	}
	cp.procs = append(cp.procs, etcd)

	cp.host = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	cp.apiBin = bins.apiserver
	cp.apiArgs = []string{
		"--etcd-servers=" + clientURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--cert-dir=" + filepath.Join(cp.dir, "certs"),
		"--tls-cert-file=" + cp.pki.certFile,
		"--tls-private-key-file=" + cp.pki.keyFile,
		"--endpoint-reconciler-type=none",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + cp.pki.saPubFile,
		"--service-account-signing-key-file=" + cp.pki.saKeyFile,
		"--authorization-mode=RBAC",
		"--token-auth-file=" + cp.pki.tokensFile,
		"--service-cluster-ip-range=10.0.0.0/24",
	}
	api, err := cp.spawn("kube-apiserver", cp.apiLog, attempt, cp.apiBin, cp.apiArgs...)
	if err != nil {
		return err
	}
	cp.procs = append(cp.procs, api)
	return cp.waitReady()
}

// restartAPIServer stops kube-apiserver with SIGTERM, waits for it to exit
// (SIGKILL after stopTimeout), starts it again with the same binary and
// flags (same port, certificates, tokens and etcd) and waits for /readyz.
// etcd keeps running: every object survives.
func (cp *controlPlane) restartAPIServer(restart int) error {
	i := slices.IndexFunc(cp.procs, func(s *server) bool { return s.name == "kube-apiserver" })
	if i < 0 {
		return errors.New("restart kube-apiserver: not running")
	}
	old := cp.procs[i]
	if err := old.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("restart kube-apiserver: stop: %w", err)
	}
	select {
	case <-old.exited:
	case <-time.After(stopTimeout):
		_ = killGroup(old.cmd.Process)
		<-old.exited
	}
	// What it started in its process group (nothing, normally) goes too.
	_ = killGroup(old.cmd.Process)
	api, err := cp.spawn("kube-apiserver", cp.apiLog, 1000+restart, cp.apiBin, cp.apiArgs...)
	if err != nil {
		cp.procs = slices.Delete(cp.procs, i, i+1)
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	cp.procs[i] = api
	if err := cp.waitReady(); err != nil {
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	return nil
}

// stopTimeout bounds the wait for kube-apiserver to exit after SIGTERM (it
// drains for a few seconds); then it is killed.
const stopTimeout = time.Minute

// spawn starts one server with its output appended to logPath.
func (cp *controlPlane) spawn(name, logPath string, attempt int, bin string, args ...string) (*server, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	fmt.Fprintf(log, "=== %s attempt %d: %s %s\n", name, attempt, bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Dir = cp.dir
	cmd.SysProcAttr = sysProcAttr()
	s := &server{name: name, cmd: cmd, log: log, exited: make(chan struct{})}
	if err := startOnLockedThread(cmd); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		s.err = cmd.Wait()
		log.Close()
		close(s.exited)
	}()
	return s, nil
}

// waitReady polls GET /readyz as the admin until it answers 200, a server
// exits, or readyTimeout passes.
func (cp *controlPlane) waitReady() error {
	client := &http.Client{Transport: cp.transport(), Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		for _, s := range cp.procs {
			select {
			case <-s.exited:
				return fmt.Errorf("%s %w (%v); its log: %s", s.name, errExited, s.err, s.log.Name())
			default:
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cp.host+"/readyz", nil)
		if err != nil {
			return fmt.Errorf("build readiness request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+cp.tokens[Admin])
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s/readyz: not ready after %v (last answer: %s)", cp.host, readyTimeout, last)
		case <-tick.C:
		}
	}
}

// transport trusts the control plane's CA.
func (cp *controlPlane) transport() *http.Transport {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(cp.pki.caPEM)
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
}

// kill stops every server (the whole process group) and waits for it.
func (cp *controlPlane) kill() {
	for i := len(cp.procs) - 1; i >= 0; i-- {
		s := cp.procs[i]
		_ = killGroup(s.cmd.Process)
		<-s.exited
	}
	cp.procs = nil
}

// stop kills the servers and removes the directory, unless keep is set: the
// logs and keys are then left for the reader (not etcd's data, over 100 MB
// of preallocated log), and the directory is no longer a stale one for
// removeStale.
func (cp *controlPlane) stop(keep bool) {
	cp.kill()
	if !keep {
		os.RemoveAll(cp.dir)
		return
	}
	os.RemoveAll(filepath.Join(cp.dir, "etcd-data"))
	os.Remove(filepath.Join(cp.dir, ownerFile))
}

// dirPrefix starts the name of every control plane directory in the
// temporary directory.
const dirPrefix = "pullsecret-clustertest-"

// ownerFile, in a control plane directory, holds the process ID of the test
// binary that runs it; stop removes it.
const ownerFile = "owner.pid"

// removeStale removes the control plane directories whose owner died
// without stopping them (a test binary killed hard: the servers died with
// it, see sysProcAttr, but their etcd data stayed).
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // kept logs, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		os.RemoveAll(dir)
	}
}

// logTail is the last n lines of both servers' logs, for failure messages.
func (cp *controlPlane) logTail(n int) string {
	var b strings.Builder
	for _, p := range []string{cp.etcdLog, cp.apiLog} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		fmt.Fprintf(&b, "--- last %d lines of %s\n%s\n", len(lines), p, strings.Join(lines, "\n"))
	}
	return b.String()
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// spawnRequests carries process starts to a goroutine locked to one OS
// thread that never exits: Pdeathsig fires when the starting *thread* exits,
// so starting from this thread means the servers die exactly when the test
// binary does.
var spawnRequests = sync.OnceValue(func() chan func() {
	ch := make(chan func())
	go func() {
		runtime.LockOSThread()
		for f := range ch {
			f()
		}
	}()
	return ch
})

// startOnLockedThread runs cmd.Start on the spawning thread.
func startOnLockedThread(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	spawnRequests() <- func() { done <- cmd.Start() }
	return <-done
}
