package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestValidateBeforeInput: every flag is checked (Validate) before a
// password is read or a warning printed (Run), so a usage error is the one
// line on stderr and nothing is written.
func TestValidateBeforeInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	to := filepath.Join(dir, "config.json")
	tests := []struct {
		name string
		args []string
	}{
		{"login --check", []string{"login", "quay.io", "--to", to, "-u", "a", "-p", "b", "--check", "--timeout", "0"}},
		{"login --check with stdin", []string{"login", "quay.io", "--to", to, "-u", "a", "--password-stdin", "--check", "--skip-tls-verify", "--ca-file", "x"}},
		{"delegated", []string{"delegated", "--registry", "r.example", "-u", "a", "-p", "b", "--timeout", "0"}},
		{"delegated with a missing password file", []string{"delegated", "--registry", "r.example", "-u", "a", "--password-file", filepath.Join(dir, "absent"), "--timeout", "0"}},
	}
	// Runs once the parallel subtests are done.
	t.Cleanup(func() {
		if _, err := os.Stat(to); !os.IsNotExist(err) {
			t.Errorf("login wrote %s after a usage error (%v)", to, err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "pw\n", nil, tt.args...)
			if r.code != exitUsage || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
			}
			want := "pullsecret: --timeout 0s: must be positive\n"
			if tt.args[len(tt.args)-1] == "x" {
				want = "pullsecret: --skip-tls-verify and --ca-file conflict: certificates are either not verified or verified with the CA\n"
			}
			if r.stderr != want {
				t.Errorf("stderr = %q, want only %q", r.stderr, want)
			}
		})
	}
}
