package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// result is what one in-process run of the CLI produced.
type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs the app in process with the given stdin and environment
// (nil env means an empty environment) and returns its output and exit code.
func runCLI(t *testing.T, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), append([]string{"pullsecret"}, args...), strings.NewReader(stdin), &out, &errb, getenv)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "no-such-command")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no-such-command") {
		t.Fatalf("exit %d, want 2", r.code)
	}
}

func TestInterspersed(t *testing.T) {
	t.Parallel()
	app := newApp(&env{})
	tests := []struct {
		in, want []string
	}{
		{[]string{"p", "create", "regcred", "--docker-server=quay.io", "-n", "ns"},
			[]string{"p", "create", "--docker-server=quay.io", "-n", "ns", "--", "regcred"}},
		{[]string{"p", "create", "regcred", "-u", "alice", "--password-stdin"},
			[]string{"p", "create", "-u", "alice", "--password-stdin", "--", "regcred"}},
		{[]string{"p", "match", "nginx", "--", "--not-a-flag"},
			[]string{"p", "match", "--", "nginx", "--not-a-flag"}},
		{[]string{"p", "inspect", "--authfile", "-"},
			[]string{"p", "inspect", "--authfile", "-"}},
		{[]string{"p"}, []string{"p"}},
		{[]string{"p", "create", "regcred", "--dry-run", "-o", "json"},
			[]string{"p", "create", "--dry-run=client", "-o", "json", "--", "regcred"}},
		{[]string{"p", "create", "--dry-run=none", "regcred"},
			[]string{"p", "create", "--dry-run=none", "--", "regcred"}},
		{[]string{"p", "help", "create"}, []string{"p", "create", "--help"}},
		{[]string{"p", "help"}, []string{"p", "--help"}},
		{[]string{"p", "--version"}, []string{"p", "--version"}},
	}
	for _, tc := range tests {
		got, err := interspersed(app, tc.in)
		if err != nil || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("interspersed(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
