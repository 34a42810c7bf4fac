package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestFlagErrors: a flag missing its value, an unknown flag and an unknown
// command are usage errors (exit 2), one line on stderr naming the flag as
// typed, with the nearest name when it is close (issue 8, item 10).
func TestFlagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"namespace last", []string{"create", "x", "-u", "a", "-p", "b", "-n"}, "pullsecret: flag needs an argument: -n\n"},
		{"namespace before --", []string{"create", "-u", "a", "-p", "b", "-n", "--", "x"}, "pullsecret: flag needs an argument: -n\n"},
		{"long flag last", []string{"test-pull", "nginx", "--timeout"}, "pullsecret: flag needs an argument: --timeout\n"},
		{"typo echoed with two dashes", []string{"create", "x", "--docker-sever=quay.io"}, "pullsecret: unknown flag: --docker-sever; did you mean --docker-server?\n"},
		{"typo with a separate value", []string{"create", "x", "--docker-sever", "quay.io"}, "pullsecret: unknown flag: --docker-sever; did you mean --docker-server?\n"},
		{"no close flag", []string{"inspect", "--zzzzzzzz"}, "pullsecret: unknown flag: --zzzzzzzz\n"},
		{"value never echoed", []string{"create", "x", "--docker-pasword=hunter2"}, "pullsecret: unknown flag: --docker-pasword; did you mean --docker-password?\n"},
		{"global flag typo", []string{"--verison"}, "pullsecret: unknown flag: --verison; did you mean --version?\n"},
		{"unknown command", []string{"tset-pull", "nginx"}, "pullsecret: unknown command \"tset-pull\"; did you mean \"test-pull\"?\n"},
		{"unknown command, nothing close", []string{"frobnicate"}, "pullsecret: unknown command \"frobnicate\" (see pullsecret --help)\n"},
		{"help of an unknown command", []string{"help", "lgoin"}, "pullsecret: unknown command \"lgoin\"; did you mean \"login\"?\n"},
		{"bad bool value", []string{"match", "nginx", "--authfile", "x", "--verify=x"}, "pullsecret: unknown flag: --verify\n"},
		{"bad bool", []string{"inspect", "--strict=maybe"}, "pullsecret: flag --strict: want true or false\n"},
		{"bad duration", []string{"test-pull", "nginx", "--timeout", "soon"}, "pullsecret: invalid value \"soon\" for flag --timeout: parse error\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, tt.args...)
			if r.code != exitUsage || r.stdout != "" || r.stderr != tt.want {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2, nothing, %q", tt.args, r.code, r.stdout, r.stderr, tt.want)
			}
		})
	}
}

// TestBareDryRun: kubectl takes a bare --dry-run as --dry-run=client and the
// next argument as the next argument (issue 8, item 10).
func TestBareDryRun(t *testing.T) {
	t.Parallel()
	want := runCLI(t, "", nil, "create", "regcred", "--docker-server=quay.io", "-u", "a", "-p", "b", "--dry-run=client", "-o", "json")
	if want.code != 0 {
		t.Fatalf("--dry-run=client: exit %d: %s", want.code, want.stderr)
	}
	for _, args := range [][]string{
		{"create", "regcred", "--docker-server=quay.io", "-u", "a", "-p", "b", "--dry-run", "-o", "json"},
		{"create", "--dry-run", "regcred", "--docker-server=quay.io", "-u", "a", "-p", "b", "-o", "json"},
		{"create", "regcred", "--docker-server=quay.io", "-u", "a", "-p", "b", "-o", "json", "--dry-run"},
	} {
		r := runCLI(t, "", nil, args...)
		if r.code != 0 || r.stdout != want.stdout {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want the --dry-run=client output", args, r.code, r.stderr, r.stdout)
		}
	}
}

// TestHelpCommand: "help COMMAND" is "COMMAND --help"; "help" alone is
// "--help".
func TestHelpCommand(t *testing.T) {
	t.Parallel()
	a, b := runCLI(t, "", nil, "help", "create"), runCLI(t, "", nil, "create", "--help")
	if a.code != 0 || a.stdout != b.stdout || !strings.Contains(a.stdout, "pullsecret create") {
		t.Errorf("help create: exit %d, stderr %q, stdout %q; want the output of create --help %q", a.code, a.stderr, a.stdout, b.stdout)
	}
	a, b = runCLI(t, "", nil, "help"), runCLI(t, "", nil, "--help")
	if a.code != 0 || a.stdout != b.stdout || !strings.Contains(a.stdout, "test-pull") {
		t.Errorf("help: exit %d, stdout %q; want the output of --help", a.code, a.stdout)
	}
}

// TestVersion: "version" and "--version" print the module version, the VCS
// commit and the Go version (issue 8, item 11).
func TestVersion(t *testing.T) {
	t.Parallel()
	a, b := runCLI(t, "", nil, "version"), runCLI(t, "", nil, "--version")
	if a.code != 0 || a.stdout != b.stdout || !strings.HasPrefix(a.stdout, "pullsecret version ") {
		t.Fatalf("version: exit %d, stderr %q, stdout %q; --version: %q", a.code, a.stderr, a.stdout, b.stdout)
	}
	j := runCLI(t, "", nil, "version", "-o", "json")
	var v versionInfo
	if err := json.Unmarshal([]byte(j.stdout), &v); err != nil || v.GoVersion == "" || v.Version == "" {
		t.Errorf("version -o json: %q (%v)", j.stdout, err)
	}
	// The header every JSON report opens with, first.
	if want := "{\n  \"apiVersion\": \"pullsecret.dev/v1\",\n  \"kind\": \"VersionReport\",\n  \"version\": "; !strings.HasPrefix(j.stdout, want) {
		t.Errorf("version -o json starts %q, want %q", j.stdout[:min(len(j.stdout), len(want))], want)
	}

	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/pullsecret/pullsecret", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}}}
	got := newVersionInfo(bi, true)
	want := versionInfo{Version: "v1.2.3", Commit: "0123456789abcdef", Modified: true, CommitTime: "2026-12-01T10:00:00Z", GoVersion: "go1.26.0", Platform: "linux/arm64"}
	if got != want {
		t.Errorf("newVersionInfo = %+v, want %+v", got, want)
	}
	if got := newVersionInfo(nil, false); got.Version != "(devel)" || got.Commit != "" {
		t.Errorf("without build info: %+v, want version (devel), no commit", got)
	}
	if got := newVersionInfo(&debug.BuildInfo{Main: debug.Module{Version: ""}}, true); got.Version != "(devel)" {
		t.Errorf("empty main version: %+v, want (devel)", got)
	}
}

// TestFilenameFlag: every command reading a file of objects or images takes
// -f/--filename (issue 8, item 11); resolve keeps --file, hidden.
func TestFilenameFlag(t *testing.T) {
	t.Parallel()
	list := writeFile(t, "images", "NOT_VALID!!\n")
	authfile := writeFile(t, "config.json", `{"auths":{}}`)
	for _, flag := range []string{"-f", "--filename", "--file"} {
		// The file is read: its one image is refused (exit 1) without any
		// request.
		r := runCLI(t, "", nil, "resolve", flag, list, "--authfile", authfile)
		if r.code != exitError || !strings.Contains(r.stderr, "NOT_VALID!!") {
			t.Errorf("resolve %s FILE: exit %d, stderr %q; want 1 naming the image read", flag, r.code, r.stderr)
		}
	}
	help := runCLI(t, "", nil, "resolve", "--help")
	if !strings.Contains(help.stdout, "--filename") || strings.Contains(help.stdout, "--file ") {
		t.Errorf("resolve --help shows %q; want --filename and no --file", help.stdout)
	}
}

// TestAuthfileAlias: login and logout take podman's --authfile for the file
// they edit (issue 8, item 11).
func TestAuthfileAlias(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "auth.json")
	r := runCLI(t, "pw\n", nil, "login", "quay.io", "--authfile", file, "-u", "alice", "--password-stdin")
	if r.code != 0 {
		t.Fatalf("login --authfile: exit %d, stderr %q", r.code, r.stderr)
	}
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), "quay.io") {
		t.Fatalf("login --authfile wrote %q (%v)", data, err)
	}
	r = runCLI(t, "", nil, "logout", "quay.io", "--authfile", file)
	if r.code != 0 {
		t.Fatalf("logout --authfile: exit %d, stderr %q", r.code, r.stderr)
	}
	if data, err := os.ReadFile(file); err != nil || strings.Contains(string(data), "quay.io") {
		t.Errorf("logout --authfile left %q (%v)", data, err)
	}
}

// TestKubectlPluginName: run as kubectl-pullsecret, help and usage lines say
// "kubectl pullsecret" (issue 8, item 11).
func TestKubectlPluginName(t *testing.T) {
	t.Parallel()
	for _, argv0 := range []string{"kubectl-pullsecret", "/usr/local/bin/kubectl-pullsecret"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{argv0, "create", "--help"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		if code != 0 || !strings.Contains(out.String(), "kubectl pullsecret create") || strings.Contains(out.String(), "kubectl-pullsecret") {
			t.Errorf("%s create --help: exit %d, stdout %q", argv0, code, out.String())
		}
		out.Reset()
		errb.Reset()
		code = run(context.Background(), []string{argv0, "frobnicate"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		if code != exitUsage || !strings.Contains(errb.String(), "see kubectl pullsecret --help") {
			t.Errorf("%s frobnicate: exit %d, stderr %q", argv0, code, errb.String())
		}
	}
	var out bytes.Buffer
	run(context.Background(), []string{"kubectl-pullsecret", "--help"}, strings.NewReader(""), &out, &out, func(string) string { return "" })
	if !strings.Contains(out.String(), "kubectl pullsecret") {
		t.Errorf("kubectl-pullsecret --help: %q", out.String())
	}
}

// TestCompletion: the completion scripts are printed for bash, zsh and fish;
// bash parses its script; the entry point the scripts call lists the
// commands, a command's flags and the values of -o (issue 8, item 11).
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, sh := range []string{"bash", "zsh", "fish", "sh"} {
		name := sh
		if sh == "sh" {
			name = "kubectl" // kubectl_complete-pullsecret is a POSIX sh script
		}
		r := runCLI(t, "", nil, "completion", name)
		if r.code != 0 || !strings.Contains(r.stdout, "--generate-bash-completion") || !strings.Contains(r.stdout, "pullsecret") {
			t.Errorf("completion %s: exit %d, stderr %q, stdout %q", sh, r.code, r.stderr, r.stdout)
			continue
		}
		if path, err := exec.LookPath(sh); err == nil {
			script := filepath.Join(t.TempDir(), "completion."+sh)
			if err := os.WriteFile(script, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(path, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v: %s", sh, err, out)
			}
		}
	}
	if r := runCLI(t, "", nil, "completion", "powershell"); r.code != exitUsage || r.stderr != "pullsecret: completion: shell \"powershell\": want bash, zsh, fish or kubectl\n" {
		t.Errorf("completion powershell: exit %d, stderr %q", r.code, r.stderr)
	}

	// The scripts pass the words typed so far, the last one being the word
	// completed (possibly empty).
	complete := func(words ...string) []string {
		r := runCLI(t, "", nil, append(words, "--generate-bash-completion")...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("complete %q: exit %d, stderr %q", words, r.code, r.stderr)
		}
		return strings.Fields(r.stdout)
	}
	has := func(list []string, want ...string) bool {
		for _, w := range want {
			found := false
			for _, l := range list {
				found = found || l == w
			}
			if !found {
				return false
			}
		}
		return true
	}
	if got := complete(""); !has(got, "create", "test-pull", "version", "completion", "help") || has(got, "--help") {
		t.Errorf("commands: %q", got)
	}
	if got := complete("-"); !has(got, "--help", "--version") {
		t.Errorf("global flags: %q", got)
	}
	if got := complete("create", "--d"); !has(got, "--docker-server", "--dry-run") || has(got, "create") {
		t.Errorf("create flags: %q", got)
	}
	if got := complete("create", "regcred", "-o", ""); !has(got, "yaml", "json", "name", "dockerconfigjson", "dockercfg") {
		t.Errorf("create -o values: %q", got)
	}
	if got := complete("completion", ""); !has(got, "bash", "zsh", "fish", "kubectl") {
		t.Errorf("completion shells: %q", got)
	}
	if got := complete("help", ""); !has(got, "create", "test-pull") {
		t.Errorf("help commands: %q", got)
	}
}

// TestCompletionScripts runs the completion functions the way bash and fish
// call them on TAB, against the built binary (zsh is checked for syntax
// only, in TestCompletion: completing needs a terminal).
func TestCompletionScripts(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pullsecret")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	env := append(os.Environ(), "BIN="+bin, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	script := `source <("$BIN" completion bash)
COMP_WORDS=(pullsecret tes); COMP_CWORD=1; _pullsecret_complete; echo "${COMPREPLY[@]}"
COMP_WORDS=(pullsecret create --docker-se); COMP_CWORD=2; _pullsecret_complete; echo "${COMPREPLY[@]}"
COMP_WORDS=(pullsecret inspect -o ''); COMP_CWORD=3; _pullsecret_complete; echo "${COMPREPLY[@]}"`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v: %s", err, out)
	}
	if want := "test-pull\n--docker-server\ntext json\n"; string(out) != want {
		t.Errorf("bash completions:\n%s\nwant:\n%s", out, want)
	}

	// kubectl's plugin completion: kubectl runs kubectl_complete-pullsecret
	// with the words after "kubectl pullsecret".
	if err := os.Symlink(bin, filepath.Join(dir, "kubectl-pullsecret")); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bash, "--norc", "--noprofile", "-c", `"$BIN" completion kubectl > "$BIN.kc" && sh "$BIN.kc" create --docker-se && sh "$BIN.kc" ''`)
	cmd.Env = env
	if out, err = cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl_complete-pullsecret: %v: %s", err, out)
	}
	if !strings.HasPrefix(string(out), "--docker-server\n:0\ncreate\n") || !strings.HasSuffix(string(out), "help\n:0\n") {
		t.Errorf("kubectl_complete-pullsecret completions:\n%s", out)
	}

	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Log("no fish: fish completion not run")
		return
	}
	script = `source ("$BIN" completion fish | psub)
complete -C "pullsecret tes"; complete -C "pullsecret create --docker-se"; complete -C "pullsecret inspect -o "`
	cmd = exec.Command(fish, "--no-config", "-c", script)
	cmd.Env = env
	if out, err = cmd.CombinedOutput(); err != nil {
		t.Fatalf("fish: %v: %s", err, out)
	}
	if want := "test-pull\n--docker-server\njson\ntext\n"; string(out) != want {
		t.Errorf("fish completions:\n%s\nwant:\n%s", out, want)
	}
}

// TestOutputValues: every command with -o lists its values in
// outputValues, names each in its help, and refuses a bad value with the
// same message naming them (issue 8, item 11).
func TestOutputValues(t *testing.T) {
	t.Parallel()
	app := newApp(&env{})
	for _, cmd := range app.Commands {
		var usage string
		hasOutput := false
		for _, f := range cmd.Flags {
			if slices.Contains(f.Names(), "output") {
				hasOutput = true
				usage = f.String()
			}
		}
		values := outputValues(cmd.Name)
		if hasOutput != (values != nil) {
			t.Errorf("%s: has -o %v, outputValues %q", cmd.Name, hasOutput, values)
			continue
		}
		if !hasOutput {
			continue
		}
		for _, v := range values {
			if !strings.Contains(usage, v) {
				t.Errorf("%s: -o help %q does not name %q", cmd.Name, usage, v)
			}
		}
		args := []string{cmd.Name, "-o", "bogus"}
		if cmd.Name == "merge" {
			args = append(args, "--authfile", "x.json") // sources are flags
		}
		if cmd.Name != "version" {
			args = append(args, "x")
		}
		r := runCLI(t, "", nil, args...)
		want := "pullsecret: " + checkOutput(cmd.Name, "bogus").Error() + "\n"
		if r.code != exitUsage || r.stderr != want {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", args, r.code, r.stderr, want)
		}
	}
}

// FuzzInterspersed: any command line is either a usage error or a
// reordering that is stable (reordering it again changes nothing).
// Arguments are separated by NUL; seeds in testdata/fuzz/FuzzInterspersed.
func FuzzInterspersed(f *testing.F) {
	app := newApp(&env{})
	f.Fuzz(func(t *testing.T, line string) {
		args := append([]string{"pullsecret"}, strings.Split(line, "\x00")...)
		out, err := interspersed(app, args)
		if err != nil {
			if exitCode(err) != exitUsage {
				t.Fatalf("%q: error %v is not a usage error", args, err)
			}
			return
		}
		again, err := interspersed(app, out)
		if err != nil || !slices.Equal(again, out) {
			t.Fatalf("%q -> %q -> %q, %v: not stable", args, out, again, err)
		}
	})
}
