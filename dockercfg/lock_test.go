package dockercfg_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// Environment of a child process started by TestEditFileConcurrentProcesses:
// it adds editChildEdits entries keyed child<N>-<i>.example.com to the file
// and exits (see TestMain).
const (
	editChildFileEnv = "PULLSECRET_TEST_EDIT_FILE"
	editChildIDEnv   = "PULLSECRET_TEST_EDIT_ID"
	editChildEdits   = 5
)

// addEntry is one in-place edit: it adds key to the config in path.
func addEntry(path, key string) error {
	return dockercfg.EditFile(context.Background(), path, true, func(data []byte) ([]byte, error) {
		return dockercfg.EditConfig(path, data, func(c *dockercfg.Config) error {
			c.Set(dockercfg.NewEntry(key, "u", "p", ""))
			return nil
		})
	})
}

// editChildMain is the body of a child process: editChildEdits edits of the
// file named by the environment, each adding its own entry.
func editChildMain() {
	path, id := os.Getenv(editChildFileEnv), os.Getenv(editChildIDEnv)
	for i := range editChildEdits {
		if err := addEntry(path, fmt.Sprintf("child%s-%d.example.com", id, i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(0)
}

// checkEntries asserts that the file holds exactly the keys in want.
func checkEntries(t *testing.T, path string, want map[string]bool) {
	t.Helper()
	cfg, err := dockercfg.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range cfg.Entries {
		got[e.Key] = true
	}
	missing := 0
	for k := range want {
		if !got[k] {
			missing++
		}
	}
	if missing > 0 || len(got) != len(want) {
		t.Errorf("%d of %d entries survived (%d lost); every concurrent edit must be kept", len(want)-missing, len(want), missing)
	}
}

// TestEditFileConcurrent runs many in-place edits of one file at once in
// this process, each adding a different registry: every entry must survive
// (the read-modify-write is done under the file's lock).
func TestEditFileConcurrent(t *testing.T) {
	t.Parallel()
	const n = 50
	path := filepath.Join(t.TempDir(), "config.json")
	want := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		key := fmt.Sprintf("r%d.example.com", i)
		want[key] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- addEntry(path, key)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkEntries(t, path, want)
}

// TestEditFileConcurrentProcesses proves the lock across processes: copies
// of this test binary edit one file at the same time, each adding its own
// entries, and every entry must survive.
func TestEditFileConcurrentProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	const procs = 16
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	want := map[string]bool{}
	cmds := make([]*exec.Cmd, procs)
	for p := range procs {
		for i := range editChildEdits {
			want[fmt.Sprintf("child%d-%d.example.com", p, i)] = true
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), editChildFileEnv+"="+path, editChildIDEnv+"="+strconv.Itoa(p))
		cmds[p] = cmd
	}
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", p, err)
		}
	}
	checkEntries(t, path, want)
}

// TestEditFileLockWait: an edit that cannot take the lock before its
// context ends fails with ErrLocked and writes nothing; the lock file is
// created 0600 beside the symbolic link's target.
func TestEditFileLockWait(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "config.json")
	if err := os.WriteFile(target, []byte(`{"auths":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- dockercfg.EditFile(context.Background(), target, false, func(data []byte) ([]byte, error) {
			close(inside)
			<-release
			return data, nil
		})
	}()
	<-inside
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := dockercfg.EditFile(ctx, link, false, func([]byte) ([]byte, error) { return []byte("changed"), nil })
	if !errors.Is(err, dockercfg.ErrLocked) || !strings.Contains(err.Error(), link) {
		t.Errorf("EditFile while locked = %v, want ErrLocked naming %s", err, link)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != `{"auths":{}}` {
		t.Errorf("file = %q after a refused edit", got)
	}
	st, err := os.Lstat(target + ".lock")
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Errorf("lock file %s: %v, %v; want a regular file, mode 0600", target+".lock", st, err)
	}
	if _, err := os.Lstat(link + ".lock"); err == nil {
		t.Errorf("lock file made beside the symbolic link, not its target")
	}
}
