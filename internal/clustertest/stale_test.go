package clustertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// removeStale removes a control plane directory whose owner is dead, and
// keeps one whose owner lives and one without an owner (kept logs).
func TestRemoveStale(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no true(1) to make a dead process ID: %v", err)
	}
	dirs := map[string]string{ // name → owner file content ("" = none)
		"dead": strconv.Itoa(dead.Process.Pid),
		"self": strconv.Itoa(os.Getpid()),
		"kept": "",
	}
	for name, owner := range dirs {
		dir := filepath.Join(tmp, dirPrefix+name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	removeStale()
	for name := range dirs {
		_, err := os.Stat(filepath.Join(tmp, dirPrefix+name))
		if gone := os.IsNotExist(err); gone != (name == "dead") {
			t.Errorf("%s: removed = %v, want %v", name, gone, name == "dead")
		}
	}
}
