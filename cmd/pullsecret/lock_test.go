package main

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/secrets"
)

// asCLIEnv makes the test binary run as the pullsecret CLI (see TestMain).
const asCLIEnv = "PULLSECRET_TEST_AS_CLI"

// loginKeys reads the entry keys of a config file or pull-secret manifest.
func loginKeys(t *testing.T, p string) map[string]bool {
	t.Helper()
	srcs, err := secrets.ReadSource(p, []byte(readFile(t, p)))
	if err != nil || len(srcs) != 1 {
		t.Fatalf("ReadSource(%s): %v, %d sources", p, err, len(srcs))
	}
	keys := map[string]bool{}
	for _, e := range srcs[0].Config.Entries {
		keys[e.Key] = true
	}
	return keys
}

// checkLoginKeys asserts that every one of n logins (r0...r<n-1>) and the
// entries present before are in the file.
func checkLoginKeys(t *testing.T, p string, n int, before ...string) {
	t.Helper()
	got := loginKeys(t, p)
	lost := 0
	for i := range n {
		if !got[fmt.Sprintf("r%d.example.com", i)] {
			lost++
		}
	}
	for _, k := range before {
		if !got[k] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%s: %d of %d entries lost by concurrent logins", p, lost, n+len(before))
	}
}

// TestLoginConcurrent runs logins for different registries on one file at
// the same time, in process (goroutines) and as separate processes (this
// test binary re-executed as the CLI): no update may be lost, whether the
// file is a config.json or a Secret manifest.
func TestLoginConcurrent(t *testing.T) {
	t.Parallel()
	manifest, err := yaml.Marshal(secretManifest(t, "kubernetes.io/dockerconfigjson", `{"auths":{"quay.io":{"auth":"YTpi"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("goroutines", func(t *testing.T) {
		t.Parallel()
		const n = 30
		for _, p := range []string{writeFile(t, "config.json", `{"auths":{"quay.io":{"auth":"YTpi"}}}`), writeFile(t, "ps.yaml", string(manifest))} {
			var wg sync.WaitGroup
			codes := make([]int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := runCLI(t, "", map[string]string{"PW": loginPass}, "login", fmt.Sprintf("r%d.example.com", i), "--to", p, "-u", "bob", "--password-env", "PW")
					codes[i] = r.code
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != 0 {
					t.Errorf("login %d: exit %d", i, c)
				}
			}
			checkLoginKeys(t, p, n, "quay.io")
		}
	})
	t.Run("processes", func(t *testing.T) {
		t.Parallel()
		if testing.Short() {
			t.Skip("starts processes")
		}
		const n = 12
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{writeFile(t, "config.json", `{"auths":{"quay.io":{"auth":"YTpi"}}}`), writeFile(t, "ps.yaml", string(manifest))} {
			cmds := make([]*exec.Cmd, n)
			for i := range n {
				cmds[i] = exec.Command(exe, "login", fmt.Sprintf("r%d.example.com", i), "--to", p, "-u", "bob", "--password-env", "PW")
				cmds[i].Env = append(os.Environ(), asCLIEnv+"=1", "PW="+loginPass)
			}
			for _, c := range cmds {
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
			}
			for i, c := range cmds {
				if err := c.Wait(); err != nil {
					t.Errorf("login process %d: %v", i, err)
				}
			}
			checkLoginKeys(t, p, n, "quay.io")
		}
	})
}
