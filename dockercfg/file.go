package dockercfg

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadFile reads a credential file, refusing directories and files larger
// than MaxFileSize before reading them whole.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a credential file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// Load reads and parses the credential file at path. Errors name the file.
func Load(path string) (*Config, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(data, path)
}

// ParseNamed is Parse with errors that name the source (a file path, "-" for
// stdin, or a Secret).
func ParseNamed(data []byte, name string) (*Config, error) { return parse(data, name) }

// Save marshals c and writes it to path atomically (see WriteFileAtomic).
func (c *Config) Save(path string) error {
	data, err := c.Marshal()
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic replaces path with data: it writes a temporary file in the
// same directory, syncs it and renames it over path, so an interrupted write
// leaves the old file. New files are created 0600 and missing parent
// directories 0700; an existing file keeps its mode, owner and group (as
// docker does when root rewrites a user's config.json). When the owner or
// group cannot be kept (a user who is not root and not in the file's group),
// nothing is written and the error says so. A symbolic link is followed and
// its target replaced.
func WriteFileAtomic(path string, data []byte) error {
	path, err := followSymlinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory for %s: %w", path, err)
	}
	mode := fs.FileMode(0o600)
	uid, gid, keepOwner := -1, -1, false
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", path)
		}
		mode = st.Mode().Perm()
		uid, gid, keepOwner = fileOwner(st)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	cleanup := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if keepOwner {
		// Before the rename, so that the file never has another owner.
		if st, err := tmp.Stat(); err != nil {
			return cleanup(err)
		} else if u, g, ok := fileOwner(st); ok && (u != uid || g != gid) {
			if err := tmp.Chown(uid, gid); err != nil {
				return cleanup(fmt.Errorf("keep owner %d:%d: %w", uid, gid, unwrapPathError(err)))
			}
		}
	}
	if err := tmp.Chmod(mode); err != nil {
		return cleanup(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return cleanup(err)
	}
	if err := tmp.Sync(); err != nil {
		return cleanup(err)
	}
	if err := tmp.Close(); err != nil {
		return cleanup(err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// followSymlinks resolves path while it is a symbolic link, also when the
// final target does not exist yet (docker follows a dangling link too).
func followSymlinks(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path, err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path, errors.New("too many levels of symbolic links")
}

// Env holds the environment the default credential search depends on. Library
// code never reads the process environment; callers fill this in.
type Env struct {
	Home             string // $HOME
	DockerConfig     string // $DOCKER_CONFIG
	RegistryAuthFile string // $REGISTRY_AUTH_FILE
	XDGRuntimeDir    string // $XDG_RUNTIME_DIR
	XDGConfigHome    string // $XDG_CONFIG_HOME
}

// EnvFromGetenv builds an Env from a getenv function such as os.Getenv.
func EnvFromGetenv(getenv func(string) string) Env {
	return Env{
		Home:             getenv("HOME"),
		DockerConfig:     getenv("DOCKER_CONFIG"),
		RegistryAuthFile: getenv("REGISTRY_AUTH_FILE"),
		XDGRuntimeDir:    getenv("XDG_RUNTIME_DIR"),
		XDGConfigHome:    getenv("XDG_CONFIG_HOME"),
	}
}

// CandidatePaths returns the default credential files in precedence order:
// $REGISTRY_AUTH_FILE alone if set; otherwise $DOCKER_CONFIG/config.json (or
// ~/.docker/config.json), $XDG_RUNTIME_DIR/containers/auth.json,
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json and ~/.dockercfg.
func (e Env) CandidatePaths() []string {
	if e.RegistryAuthFile != "" {
		return []string{e.RegistryAuthFile}
	}
	var out []string
	if e.DockerConfig != "" {
		out = append(out, filepath.Join(e.DockerConfig, "config.json"))
	} else if e.Home != "" {
		out = append(out, filepath.Join(e.Home, ".docker", "config.json"))
	}
	if e.XDGRuntimeDir != "" {
		out = append(out, filepath.Join(e.XDGRuntimeDir, "containers", "auth.json"))
	}
	if e.XDGConfigHome != "" {
		out = append(out, filepath.Join(e.XDGConfigHome, "containers", "auth.json"))
	} else if e.Home != "" {
		out = append(out, filepath.Join(e.Home, ".config", "containers", "auth.json"))
	}
	if e.Home != "" {
		out = append(out, filepath.Join(e.Home, ".dockercfg"))
	}
	return out
}

// DefaultPaths returns the CandidatePaths that exist. $REGISTRY_AUTH_FILE is
// returned even when missing, so that the caller reports it.
func (e Env) DefaultPaths() []string {
	c := e.CandidatePaths()
	if e.RegistryAuthFile != "" {
		return c
	}
	var out []string
	for _, p := range c {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}
