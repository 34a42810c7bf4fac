//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package dockercfg

import (
	"errors"
	"os"
	"syscall"
)

// openLock opens (creating it 0600, never through a symbolic link) the
// lock file at path.
func openLock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
}

// tryLock takes an exclusive flock(2) on f without blocking; it reports
// false when another open file description holds it. flock, unlike fcntl
// locks, is not released when the process closes some other descriptor of
// the same file, and two opens in one process exclude each other too.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}

// fileOwner returns the owner and group of a file's FileInfo.
func fileOwner(st os.FileInfo) (uid, gid int, ok bool) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), int(s.Gid), true
	}
	return 0, 0, false
}
