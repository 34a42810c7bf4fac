package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	demoHelperOnce sync.Once
	demoHelperBin  string
	demoHelperErr  error
)

// demoHelperBinary builds internal/demohelper once per test binary: a real
// docker-credential-helpers executable (credentials.Serve) whose store file
// is $PULLSECRET_DEMO_STORE.
func demoHelperBinary(t *testing.T) string {
	t.Helper()
	demoHelperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pullsecret-helper-")
		if err != nil {
			demoHelperErr = err
			return
		}
		demoHelperBin = filepath.Join(dir, "demohelper")
		out, err := exec.Command("go", "build", "-o", demoHelperBin, "github.com/pullsecret/pullsecret/internal/demohelper").CombinedOutput()
		if err != nil {
			demoHelperErr = &buildError{out: string(out), err: err}
		}
	})
	if demoHelperErr != nil {
		t.Fatalf("build demo helper: %v", demoHelperErr)
	}
	return demoHelperBin
}

type buildError struct {
	out string
	err error
}

func (b *buildError) Error() string { return b.err.Error() + ": " + b.out }

// installHelper installs the demo helper as docker-credential-<name> in a new
// directory with a store holding creds (server URL -> [user, secret]) and
// returns the env map for runCLI (PATH and an empty HOME).
func installHelper(t *testing.T, name string, creds map[string][2]string) map[string]string {
	t.Helper()
	bin := demoHelperBinary(t)
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "docker-credential-"+name)); err != nil {
		t.Fatal(err)
	}
	store := map[string]any{}
	for k, v := range creds {
		store[k] = map[string]string{"username": v[0], "secret": v[1]}
	}
	b, _ := json.Marshal(map[string]any{"credentials": store})
	// The helper finds its store next to itself (argv[0] + ".json"), so no
	// environment has to reach the child process.
	storeFile := filepath.Join(dir, "docker-credential-"+name+".json")
	if err := os.WriteFile(storeFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"PATH": dir, "HOME": t.TempDir()}
}

// writeFile writes content to name in a new temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
