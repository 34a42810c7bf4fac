//go:build unix

package dockercfg_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// installScript installs a shell script as docker-credential-<name> in a new
// directory and returns the directory.
func installScript(t *testing.T, name, script string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-"+name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHelperStdoutCapped: a helper printing more than the cap on stdout is
// stopped and fails naming the cap; what it managed to write (counted by the
// helper itself, 1 KiB at a time) stays near the cap instead of its whole
// output (issue 8, item 17: a 400 MB answer took 5.2 GB).
func TestHelperStdoutCapped(t *testing.T) {
	t.Parallel()
	const chunks = 4096 // 4 MiB, four times the cap
	dir := installScript(t, "chatty", `
chunk=$(printf '%1024s' '')
i=0
while [ $i -lt `+strconv.Itoa(chunks)+` ]; do
	printf '%s' "$chunk" || exit 1
	i=$((i+1))
	printf . >> "$0.count"
done
`)
	h := dockercfg.NewHelper("chatty", &dockercfg.HelperOptions{Path: dir})
	_, _, err := h.Get(context.Background(), "quay.io")
	if !errors.Is(err, dockercfg.ErrHelperFailed) || !strings.Contains(err.Error(), "stdout larger than 1048576 bytes") ||
		!strings.Contains(err.Error(), "docker-credential-chatty get") {
		t.Errorf("error = %v, want the helper named and the cap of 1048576 bytes", err)
	}
	// One byte in the count file per KiB written.
	st, err := os.Stat(filepath.Join(dir, "docker-credential-chatty.count"))
	if err != nil {
		t.Fatal(err)
	}
	// The cap, plus what the pipe holds when the helper is stopped.
	if written := st.Size() << 10; written > 2<<20 {
		t.Errorf("the helper wrote %d bytes before it was stopped; want about the cap (1048576)", written)
	}
}

// TestHelperProcessGroupKilled: a helper stopped at its deadline takes the
// children it started with it (issue 8, item 17).
func TestHelperProcessGroupKilled(t *testing.T) {
	t.Parallel()
	dir := installScript(t, "forks", `
sleep 300 &
echo $! > "$0.pid.tmp"
mv "$0.pid.tmp" "$0.pid"
wait
`)
	pidFile := filepath.Join(dir, "docker-credential-forks.pid")
	h := dockercfg.NewHelper("forks", &dockercfg.HelperOptions{Path: dir})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := h.Get(ctx, "quay.io")
		done <- err
	}()
	// Stop the call once the child is running: no timeout to race.
	var pid int
	for pid == 0 {
		select {
		case err := <-done:
			t.Fatalf("Get returned before the helper wrote its child's pid: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err = strconv.Atoi(string(bytes.TrimSpace(b))); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	// SIGKILL is delivered by the time kill(2) returns, but the child may
	// need a moment to become a zombie; 20 s is far below its 300 s sleep.
	for start := time.Now(); !processGone(pid); {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the helper's child %d still runs after the call was stopped", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processGone reports whether pid no longer runs: it does not exist, or it
// is a zombie waiting to be reaped.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}
