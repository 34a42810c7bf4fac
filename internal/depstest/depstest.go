// Package depstest keeps a package's import boundary with a test: it lists
// the package's transitive dependencies with `go list -deps` and fails on
// each one a rule forbids.
package depstest

import (
	"os/exec"
	"strings"
	"testing"
)

// Deps returns the transitive dependencies of the package in the current
// directory (the package under test), skipping the test when no go
// command is on PATH.
func Deps(t testing.TB) []string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	return strings.Fields(string(out))
}

// Forbid fails t for every dependency of the package under test that
// equals one of prefixes or lies below it ("net/http" also forbids
// "net/http/httptrace").
func Forbid(t testing.TB, prefixes ...string) {
	t.Helper()
	for _, dep := range Deps(t) {
		for _, p := range prefixes {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("package depends on %s (forbidden: %s)", dep, p)
			}
		}
	}
}
