// Package golden compares test output with golden files and rewrites them
// when tests run with -update:
//
//	go test ./secrets/ -update
//
// The -update flag is registered here, once, so that every test package that
// uses golden files shares it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite golden files under testdata/ with the current output")

// Assert compares got with the content of the golden file at path (relative
// to the test's package directory). With -update it writes got to path
// instead, creating directories as needed.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (-want +got; run with -update to accept):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
