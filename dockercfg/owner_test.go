//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package dockercfg_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// TestWriteFileAtomicKeepsOwner: rewriting a file as root keeps its owner
// and group, as docker does, instead of handing it to root.
func TestWriteFileAtomicKeepsOwner(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	const uid, gid = 4321, 8765
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"auths":{}}`), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	err := dockercfg.EditFile(context.Background(), path, false, func(data []byte) ([]byte, error) {
		return dockercfg.EditConfig(path, data, func(c *dockercfg.Config) error {
			c.Set(dockercfg.NewEntry("quay.io", "u", "p", ""))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Sys().(*syscall.Stat_t)
	if s.Uid != uid || s.Gid != gid || st.Mode().Perm() != 0o640 {
		t.Errorf("after the rewrite: owner %d:%d mode %v, want %d:%d 0640 kept", s.Uid, s.Gid, st.Mode().Perm(), uid, gid)
	}
	// A new file belongs to whoever writes it.
	fresh := filepath.Join(t.TempDir(), "new.json")
	if err := dockercfg.WriteFileAtomic(fresh, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Errorf("new file: %v, want owned by root", err)
	}
}
