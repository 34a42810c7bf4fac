package dockercfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// LockTimeout bounds how long EditFile waits for another process's edit of
// the same file to finish, when the context has no earlier deadline.
const LockTimeout = 30 * time.Second

// ErrLocked is returned (wrapped) by EditFile when the file's lock could not
// be taken before the context ended or LockTimeout passed.
var ErrLocked = errors.New("another process is editing the file")

// EditFile is the read-modify-write of the credential file at path, and the
// one place where pullsecret changes a credential file in place.
//
// The whole read-modify-write runs under an exclusive advisory lock
// (flock(2)) on the sidecar file path+".lock" (created 0600 next to the
// file, following a symbolic link to its target, and left in place), so
// that concurrent edits of one file by pullsecret processes, or goroutines,
// are serialised and none is lost. Waiting for the lock ends with ctx or
// after LockTimeout, with ErrLocked. Tools that do not take the lock
// (docker, podman) are not excluded.
//
// Under the lock EditFile reads the file (ReadFile: no directory, at most
// MaxFileSize), passes its content to edit and writes what edit returns
// back with WriteFileAtomic (a temporary file renamed over path, the file's
// mode, owner and group kept, a symbolic link followed). A missing file is
// edited as empty content when create is set and is an error otherwise.
// Nothing is written when edit fails.
func EditFile(ctx context.Context, path string, create bool, edit func(data []byte) ([]byte, error)) error {
	target, err := followSymlinks(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	st, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return fmt.Errorf("create directory for %s: %w", path, unwrapPathError(err))
		}
	case err != nil:
		return fmt.Errorf("read %s: %w", path, unwrapPathError(err))
	case st.IsDir():
		return fmt.Errorf("read %s: is a directory", path)
	}
	unlock, err := lockFile(ctx, target+".lock")
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer unlock()

	var data []byte
	st, err = os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
	case err != nil:
		return fmt.Errorf("read %s: %w", path, unwrapPathError(err))
	case st.IsDir():
		return fmt.Errorf("read %s: is a directory", path)
	default:
		if data, err = ReadFile(target); err != nil {
			return err
		}
	}
	out, err := edit(data)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, out)
}

// lockFile takes the exclusive lock on the lock file at path, polling
// until ctx ends or LockTimeout passes, and returns the function that
// releases it. The lock file is never removed: removing it would let a
// waiter lock a file that a newcomer no longer sees.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := openLock(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	delay := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			// Closing the descriptor releases the flock.
			return func() { f.Close() }, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("%w (waited for %s: %w)", ErrLocked, path, context.Cause(ctx))
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// EditConfig applies edit to the docker config in data, of either format,
// and returns it re-encoded in that format (Marshal), keeping every other
// entry and member, in the layout of data: its indentation (tabs, spaces or
// none), its final newline, and every byte of what the edit did not change
// (unchanged entries and members are copied as written). Empty content (or
// only white space) is a new, empty config.json in docker's layout, as for
// docker. name is used in errors (a file path).
func EditConfig(name string, data []byte, edit func(*Config) error) ([]byte, error) {
	var cfg *Config
	if len(bytes.TrimSpace(data)) == 0 {
		cfg = &Config{Format: FormatConfigJSON}
	} else {
		var err error
		if cfg, err = parse(data, name); err != nil {
			return nil, err
		}
	}
	if err := edit(cfg); err != nil {
		return nil, err
	}
	out, err := cfg.marshalLike(data)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return out, nil
}

// unwrapPathError drops the path an *fs.PathError repeats, for messages
// that name the file already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// SetLogin stores username and password for key as a login does, and
// returns a copy of the entry it replaced, or nil when it added one.
//
// A new entry holds auth (padded) and, when email is not nil, email, as
// docker login writes it. A replaced entry is changed in place, so that a
// rewrite keeps its position, its fields' order and everything else in it
// (unknown fields, serveraddress, explicit empty values): auth gets the new
// credentials; username and password, when the entry had them, get the new
// values too; email changes only when email is not nil; identitytoken and
// registrytoken are cleared, since docker would send them instead of the
// new password.
func (c *Config) SetLogin(key, username, password string, email *string) (replaced *Entry) {
	e := c.Entry(key)
	if e == nil {
		ne := &Entry{Key: key, Username: username, Password: password, Auth: EncodeAuth(username, password)}
		if email != nil {
			ne.Email = *email
		}
		c.Entries = append(c.Entries, ne)
		return nil
	}
	old := *e
	e.Username, e.Password, e.Auth, e.Unpadded = username, password, EncodeAuth(username, password), false
	if e.RawUsername != "" {
		e.RawUsername = username
	}
	if e.RawPassword != "" {
		e.RawPassword = password
	}
	if email != nil {
		e.Email = *email
	}
	e.IdentityToken, e.RegistryToken = "", ""
	return &old
}
