package dockercfg_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// noTempFiles fails if WriteFileAtomic left a temporary file in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	t.Run("new file 0600 in new 0700 directories", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		path := filepath.Join(root, "a", "b", "config.json")
		if err := dockercfg.WriteFileAtomic(path, []byte("{}\n")); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, path); m != 0o600 {
			t.Errorf("file mode %v, want 0600", m)
		}
		for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
			if m := mode(t, d); m != 0o700 {
				t.Errorf("directory %s mode %v, want 0700", d, m)
			}
		}
		noTempFiles(t, filepath.Dir(path))
	})
	t.Run("existing mode kept", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "config.json")
		for _, m := range []fs.FileMode{0o644, 0o640, 0o400} {
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, m); err != nil {
				t.Fatal(err)
			}
			if err := dockercfg.WriteFileAtomic(path, []byte("new")); err != nil {
				t.Fatal(err)
			}
			if got := mode(t, path); got != m {
				t.Errorf("mode after rewrite = %v, want %v", got, m)
			}
			if b, _ := os.ReadFile(path); string(b) != "new" {
				t.Errorf("content = %q", b)
			}
			os.Chmod(path, 0o600)
		}
		// An existing directory keeps its mode too.
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := dockercfg.WriteFileAtomic(path, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, dir); m != 0o755 {
			t.Errorf("existing directory mode changed to %v", m)
		}
	})
	t.Run("symlink target replaced", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		target := filepath.Join(dir, "real", "config.json")
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "config.json")
		if err := os.Symlink(filepath.Join("real", "config.json"), link); err != nil {
			t.Fatal(err)
		}
		link2 := filepath.Join(dir, "link2.json")
		if err := os.Symlink(link, link2); err != nil {
			t.Fatal(err)
		}
		if err := dockercfg.WriteFileAtomic(link2, []byte("new")); err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{link, link2} {
			if st, err := os.Lstat(l); err != nil || st.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s is no longer a symlink: %v", l, err)
			}
		}
		if b, _ := os.ReadFile(target); string(b) != "new" {
			t.Errorf("target content = %q, want new", b)
		}
		if m := mode(t, target); m != 0o640 {
			t.Errorf("target mode = %v, want 0640", m)
		}
		noTempFiles(t, dir)
		noTempFiles(t, filepath.Dir(target))
	})
	t.Run("dangling symlink followed", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		link := filepath.Join(dir, "config.json")
		target := filepath.Join(dir, "store", "config.json")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if err := dockercfg.WriteFileAtomic(link, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("link replaced by a file: %v", err)
		}
		if b, _ := os.ReadFile(target); string(b) != "new" {
			t.Errorf("target content = %q, want new", b)
		}
		if m := mode(t, target); m != 0o600 {
			t.Errorf("new target mode = %v, want 0600", m)
		}
	})
	t.Run("symlink loop", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		os.Symlink(b, a)
		os.Symlink(a, b)
		if err := dockercfg.WriteFileAtomic(a, []byte("x")); err == nil {
			t.Error("write through a symlink loop succeeded")
		}
	})
	t.Run("failed write leaves the old file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// The file name is legal, the temporary name next to it is too long
		// (ENAMETOOLONG): CreateTemp fails after the old file was found. This
		// works for root too, unlike a read-only directory.
		path := filepath.Join(dir, strings.Repeat("c", 250))
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := dockercfg.WriteFileAtomic(path, []byte("new"))
		if err == nil {
			t.Fatal("WriteFileAtomic succeeded, want an error")
		}
		if !strings.Contains(err.Error(), "write "+path) {
			t.Errorf("error %q does not name the file", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("old file content = %q, want old", b)
		}
		noTempFiles(t, dir)
	})
	t.Run("read-only directory leaves the old file", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories; covered by the ENAMETOOLONG case")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "config.json")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		if err := dockercfg.WriteFileAtomic(path, []byte("new")); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("error = %v, want permission denied", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("old file content = %q", b)
		}
	})
	t.Run("parent is a file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		parent := filepath.Join(dir, "notadir")
		os.WriteFile(parent, []byte("x"), 0o600)
		err := dockercfg.WriteFileAtomic(filepath.Join(parent, "config.json"), []byte("new"))
		if !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("error = %v, want ENOTDIR", err)
		}
		if b, _ := os.ReadFile(parent); string(b) != "x" {
			t.Errorf("parent file changed: %q", b)
		}
	})
	t.Run("path is a directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		err := dockercfg.WriteFileAtomic(dir, []byte("new"))
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("error = %v, want not a regular file", err)
		}
	})
}

func TestLoadSave(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, readConfig(t, "docker-linux.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := dockercfg.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Set(dockercfg.NewEntry("ghcr.io", "gh", "gh-pw", ""))
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o644 {
		t.Errorf("mode after Save = %v, want 0644 kept", m)
	}
	again, err := dockercfg.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Entries, again.Entries, entryOpts); diff != "" {
		t.Errorf("Load(Save(c)) entries (-saved +loaded):\n%s", diff)
	}
	want, _ := c.Marshal()
	if got, _ := os.ReadFile(path); string(got) != string(want) {
		t.Errorf("saved file is not Marshal output")
	}

	// Errors name the file.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}}`), 0o600)
	_, err = dockercfg.Load(bad)
	var pe *dockercfg.ParseError
	if !errors.As(err, &pe) || pe.File != bad || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("Load(bad) error = %v, want a ParseError naming %s", err, bad)
	}
	if _, err := dockercfg.Load(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want ErrNotExist", err)
	}
	if _, err := dockercfg.Load(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Load(dir) error = %v, want is a directory", err)
	}
}

func TestReadFileTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: no disk needed.
	if err := f.Truncate(dockercfg.MaxFileSize + 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data, err := dockercfg.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != dockercfg.MaxFileSize+1 {
		t.Errorf("ReadFile read %d bytes, want MaxFileSize+1", len(data))
	}
	if _, err := dockercfg.Load(path); !errors.Is(err, dockercfg.ErrTooLarge) {
		t.Errorf("Load(big) error = %v, want ErrTooLarge", err)
	}
}

func TestCandidatePaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  dockercfg.Env
		want []string
	}{
		{
			name: "REGISTRY_AUTH_FILE alone",
			env:  dockercfg.Env{Home: "/h", DockerConfig: "/d", RegistryAuthFile: "/r/auth.json", XDGRuntimeDir: "/run/user/1"},
			want: []string{"/r/auth.json"},
		},
		{
			name: "home only",
			env:  dockercfg.Env{Home: "/h"},
			want: []string{"/h/.docker/config.json", "/h/.config/containers/auth.json", "/h/.dockercfg"},
		},
		{
			name: "everything",
			env:  dockercfg.Env{Home: "/h", DockerConfig: "/d", XDGRuntimeDir: "/run/user/1", XDGConfigHome: "/x"},
			want: []string{"/d/config.json", "/run/user/1/containers/auth.json", "/x/containers/auth.json", "/h/.dockercfg"},
		},
		{name: "nothing", env: dockercfg.Env{}, want: nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.env.CandidatePaths()); diff != "" {
			t.Errorf("%s: CandidatePaths (-want +got):\n%s", tt.name, diff)
		}
	}
	env := dockercfg.EnvFromGetenv(func(k string) string { return "<" + k + ">" })
	want := dockercfg.Env{Home: "<HOME>", DockerConfig: "<DOCKER_CONFIG>", RegistryAuthFile: "<REGISTRY_AUTH_FILE>", XDGRuntimeDir: "<XDG_RUNTIME_DIR>", XDGConfigHome: "<XDG_CONFIG_HOME>"}
	if env != want {
		t.Errorf("EnvFromGetenv = %+v", env)
	}
}

func TestDefaultPaths(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	run := t.TempDir()
	write := func(p string) {
		os.MkdirAll(filepath.Dir(p), 0o700)
		os.WriteFile(p, []byte("{}"), 0o600)
	}
	write(filepath.Join(home, ".docker", "config.json"))
	write(filepath.Join(home, ".dockercfg"))
	os.MkdirAll(filepath.Join(run, "containers", "auth.json"), 0o700) // a directory: skipped
	env := dockercfg.Env{Home: home, XDGRuntimeDir: run}
	want := []string{filepath.Join(home, ".docker", "config.json"), filepath.Join(home, ".dockercfg")}
	if diff := cmp.Diff(want, env.DefaultPaths()); diff != "" {
		t.Errorf("DefaultPaths (-want +got):\n%s", diff)
	}
	// REGISTRY_AUTH_FILE is returned even when missing, for the caller to report.
	env.RegistryAuthFile = filepath.Join(home, "missing.json")
	if diff := cmp.Diff([]string{env.RegistryAuthFile}, env.DefaultPaths()); diff != "" {
		t.Errorf("DefaultPaths with REGISTRY_AUTH_FILE (-want +got):\n%s", diff)
	}
}
