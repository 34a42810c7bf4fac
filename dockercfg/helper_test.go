package dockercfg_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/credhelpertest"
)

// TestMain turns this test binary into a credential helper when it runs
// under the name docker-credential-<name> (see installHelper): the helper
// protocol then runs over the real stdin and stdout of a child process.
func TestMain(m *testing.M) {
	if strings.HasPrefix(filepath.Base(os.Args[0]), "docker-credential-") {
		credhelpertest.Main() // exits
	}
	if os.Getenv(editChildFileEnv) != "" {
		editChildMain() // exits
	}
	// Helpers re-executed by the tests find their store next to themselves,
	// not in a store a developer's shell may point at.
	os.Unsetenv(credhelpertest.StoreEnv)
	os.Exit(m.Run())
}

// installHelper installs docker-credential-<name> serving st in a new
// directory and returns the directory, for HelperOptions.Path.
func installHelper(t testing.TB, name string, st credhelpertest.Store) string {
	t.Helper()
	dir := t.TempDir()
	addHelper(t, dir, name, st)
	return dir
}

// addHelper installs docker-credential-<name> in dir: a symbolic link to this
// test binary, with its store at the link's path plus ".json".
func addHelper(t testing.TB, dir, name string, st credhelpertest.Store) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "docker-credential-"+name)
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(bin + ".json"); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Secrets the test helpers hold; none may reach an error message.
const (
	helperSecret = "helper-S3cret-Value"
	leakToken    = "ghp_LeakedTokenABCDEFGHIJKLMNOP0123456789"
)

func TestHelperGet(t *testing.T) {
	t.Parallel()
	dir := installHelper(t, "psecrettest", credhelpertest.Store{Credentials: map[string]credhelpertest.Credential{
		"quay.io":                     {Username: "quayuser", Secret: helperSecret},
		"https://index.docker.io/v1/": {Username: "hubuser", Secret: "hub-secret"},
		"myregistry.azurecr.io":       {Username: "<token>", Secret: "identity-refresh-token"},
	}})
	h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: dir})
	ctx := context.Background()
	tests := []struct {
		server     string
		user, pass string
		wantErr    error
	}{
		{server: "quay.io", user: "quayuser", pass: helperSecret},
		{server: "https://index.docker.io/v1/", user: "hubuser", pass: "hub-secret"},
		// Identity token: the "<token>" user name convention passes through.
		{server: "myregistry.azurecr.io", user: "<token>", pass: "identity-refresh-token"},
		// The server URL is passed exactly; helpers do no normalisation.
		{server: "docker.io", wantErr: dockercfg.ErrCredentialsNotFound},
		{server: "ghcr.io", wantErr: dockercfg.ErrCredentialsNotFound},
	}
	for _, tt := range tests {
		user, pass, err := h.Get(ctx, tt.server)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Get(%q) error = %v, want %v", tt.server, err, tt.wantErr)
			}
			// Not found is not a helper failure.
			if errors.Is(err, dockercfg.ErrHelperFailed) || errors.Is(err, dockercfg.ErrHelperMissing) {
				t.Errorf("Get(%q) error %v is also a helper failure", tt.server, err)
			}
			continue
		}
		if err != nil || user != tt.user || pass != tt.pass {
			t.Errorf("Get(%q) = %q, %q, %v; want %q, %q", tt.server, user, pass, err, tt.user, tt.pass)
		}
	}
	list, err := h.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"quay.io": "quayuser", "https://index.docker.io/v1/": "hubuser", "myregistry.azurecr.io": "<token>"}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func TestHelperSearchPath(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	dir := installHelper(t, "psecrettest", credhelpertest.Store{Credentials: map[string]credhelpertest.Credential{"quay.io": {Username: "u", Secret: "s"}}})
	// The first directory holding the helper wins; others are skipped.
	h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: empty + string(os.PathListSeparator) + dir})
	if u, _, err := h.Get(context.Background(), "quay.io"); err != nil || u != "u" {
		t.Errorf("Get through a search path = %q, %v", u, err)
	}
	// A file that is not executable is not a helper.
	os.WriteFile(filepath.Join(empty, "docker-credential-noexec"), []byte("#!/bin/sh\n"), 0o644)
	_, _, err := dockercfg.NewHelper("noexec", &dockercfg.HelperOptions{Path: empty}).Get(context.Background(), "quay.io")
	if !errors.Is(err, dockercfg.ErrHelperMissing) {
		t.Errorf("non-executable helper: error = %v, want ErrHelperMissing", err)
	}
}

func TestHelperMissing(t *testing.T) {
	t.Parallel()
	for _, h := range []dockercfg.Helper{
		dockercfg.NewHelper("psecret-absent", &dockercfg.HelperOptions{Path: t.TempDir()}),
		dockercfg.NewHelper("psecret-absent-from-path-7f3a", nil),
	} {
		_, _, err := h.Get(context.Background(), "quay.io")
		var he *dockercfg.HelperError
		if !errors.Is(err, dockercfg.ErrHelperMissing) || !errors.As(err, &he) {
			t.Fatalf("Get error = %v, want a HelperError wrapping ErrHelperMissing", err)
		}
		if !strings.HasPrefix(he.Helper, "psecret-absent") || he.Action != "get" || he.Server != "quay.io" {
			t.Errorf("HelperError = %+v", he)
		}
		if !strings.Contains(err.Error(), "docker-credential-psecret-absent") {
			t.Errorf("error %q does not name the helper binary", err)
		}
		if _, err := h.List(context.Background()); !errors.Is(err, dockercfg.ErrHelperMissing) {
			t.Errorf("List error = %v, want ErrHelperMissing", err)
		}
	}
}

func TestHelperFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      credhelpertest.Fault
		action     string // get or list
		wantStderr string // phrase of the redacted stderr
		wantMsg    string
	}{
		{
			name:       "crash with a token on stderr",
			fault:      credhelpertest.Fault{Stderr: "fatal: token " + leakToken + " rejected by keyring\n  at line 2\n", ExitCode: 2},
			action:     "get",
			wantStderr: "fatal: token [redacted] rejected by keyring at line 2",
			wantMsg:    "exit status 2",
		},
		{
			name:    "secret echoed on stdout",
			fault:   credhelpertest.Fault{Stdout: `{"Username":"u","Secret":"` + leakToken + `"`, ExitCode: 1},
			action:  "get",
			wantMsg: "exit status 1",
		},
		{
			// credentials.Serve prints the error on stdout.
			name:       "error message on stdout",
			fault:      credhelpertest.Fault{Stdout: "keychain locked: token " + leakToken + "\n", ExitCode: 1},
			action:     "get",
			wantStderr: "keychain locked: token [redacted]",
			wantMsg:    "exit status 1",
		},
		{
			name:    "invalid response",
			fault:   credhelpertest.Fault{Stdout: "not json " + leakToken},
			action:  "get",
			wantMsg: "invalid response",
		},
		{
			name:       "list crashes",
			fault:      credhelpertest.Fault{Stderr: "gpg: decryption failed: No secret key " + leakToken, ExitCode: 3},
			action:     "list",
			wantStderr: "gpg: decryption failed: No secret key [redacted]",
			wantMsg:    "exit status 3",
		},
		{
			name:    "list invalid response",
			fault:   credhelpertest.Fault{Stdout: `["` + leakToken + `"]`},
			action:  "list",
			wantMsg: "invalid response",
		},
		{
			name:    "killed",
			fault:   credhelpertest.Fault{Stderr: "panic: " + leakToken, ExitCode: 137},
			action:  "get",
			wantMsg: "exit status 137",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := installHelper(t, "psecrettest", credhelpertest.Store{
				Credentials: map[string]credhelpertest.Credential{"quay.io": {Username: "u", Secret: helperSecret}},
				Faults:      map[string]credhelpertest.Fault{tt.action: tt.fault},
			})
			h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: dir})
			var err error
			if tt.action == "get" {
				_, _, err = h.Get(context.Background(), "quay.io")
			} else {
				_, err = h.List(context.Background())
			}
			var he *dockercfg.HelperError
			if !errors.Is(err, dockercfg.ErrHelperFailed) || !errors.As(err, &he) {
				t.Fatalf("error = %v, want a HelperError wrapping ErrHelperFailed", err)
			}
			if errors.Is(err, dockercfg.ErrCredentialsNotFound) || errors.Is(err, dockercfg.ErrHelperMissing) {
				t.Errorf("error %v is also not-found or missing", err)
			}
			if he.Helper != "psecrettest" || he.Action != tt.action {
				t.Errorf("HelperError = %+v", he)
			}
			if tt.wantStderr != "" && he.Stderr != tt.wantStderr {
				t.Errorf("Stderr = %q, want %q", he.Stderr, tt.wantStderr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) || !strings.Contains(msg, "docker-credential-psecrettest "+tt.action) {
				t.Errorf("error %q does not contain %q and the command", msg, tt.wantMsg)
			}
			for _, s := range []string{leakToken, helperSecret} {
				if strings.Contains(msg, s) || strings.Contains(he.Stderr, s) {
					t.Errorf("error %q leaks %q", msg, s)
				}
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
}

func TestHelperFaultForOneServer(t *testing.T) {
	t.Parallel()
	dir := installHelper(t, "psecrettest", credhelpertest.Store{
		Credentials: map[string]credhelpertest.Credential{"quay.io": {Username: "u", Secret: "s"}, "ghcr.io": {Username: "g", Secret: "s"}},
		Faults:      map[string]credhelpertest.Fault{"get ghcr.io": {Stderr: "boom", ExitCode: 1}},
	})
	h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: dir})
	if u, _, err := h.Get(context.Background(), "quay.io"); err != nil || u != "u" {
		t.Errorf("Get(quay.io) = %q, %v", u, err)
	}
	var he *dockercfg.HelperError
	if _, _, err := h.Get(context.Background(), "ghcr.io"); !errors.As(err, &he) || he.Server != "ghcr.io" || he.Stderr != "boom" {
		t.Errorf("Get(ghcr.io) error = %v", err)
	}
}

func TestHelperTimeout(t *testing.T) {
	t.Parallel()
	t.Run("slow helper", func(t *testing.T) {
		t.Parallel()
		dir := installHelper(t, "psecrettest", credhelpertest.Store{
			Faults: map[string]credhelpertest.Fault{"get": {Stderr: "waiting for " + leakToken, Sleep: "20s"}},
		})
		h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: dir, Timeout: 300 * time.Millisecond})
		start := time.Now()
		_, _, err := h.Get(context.Background(), "quay.io")
		elapsed := time.Since(start)
		var he *dockercfg.HelperError
		if !errors.Is(err, dockercfg.ErrHelperFailed) || !errors.As(err, &he) {
			t.Fatalf("error = %v, want ErrHelperFailed", err)
		}
		if !strings.Contains(err.Error(), "timed out after 300ms") {
			t.Errorf("error %q does not say it timed out", err)
		}
		if strings.Contains(err.Error(), leakToken) {
			t.Errorf("error %q leaks the token", err)
		}
		if elapsed > 15*time.Second { // the helper sleeps 20 s
			t.Errorf("Get took %v with a 300ms timeout", elapsed)
		}
	})
	t.Run("child keeps stdout open", func(t *testing.T) {
		t.Parallel()
		if _, err := exec.LookPath("sh"); err != nil {
			t.Skip("no sh")
		}
		// A shell-script helper whose sleep outlives the killed shell and
		// keeps the stdout pipe open: the call still ends near the timeout.
		dir := t.TempDir()
		script := "#!/bin/sh\nsleep 40\necho done\n"
		if err := os.WriteFile(filepath.Join(dir, "docker-credential-sleepy"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		h := dockercfg.NewHelper("sleepy", &dockercfg.HelperOptions{Path: dir, Timeout: 200 * time.Millisecond})
		start := time.Now()
		_, _, err := h.Get(context.Background(), "quay.io")
		if elapsed := time.Since(start); elapsed > 30*time.Second { // the child sleeps 40 s
			t.Errorf("Get took %v; the orphaned child held it", elapsed)
		}
		if !errors.Is(err, dockercfg.ErrHelperFailed) || !strings.Contains(err.Error(), "timed out") {
			t.Errorf("error = %v, want a timeout", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		dir := installHelper(t, "psecrettest", credhelpertest.Store{
			Faults: map[string]credhelpertest.Fault{"list": {Sleep: "20s"}},
		})
		h := dockercfg.NewHelper("psecrettest", &dockercfg.HelperOptions{Path: dir})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		_, err := h.List(ctx)
		if !errors.Is(err, dockercfg.ErrHelperFailed) || !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want ErrHelperFailed and context.Canceled", err)
		}
	})
}

func TestRedactHelperOutput(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"short error", "short error"},
		{"line one\nline two\t\tand  three\n", "line one line two and three"},
		{"token=" + leakToken, "[redacted]"},
		{"bad token " + leakToken + " here", "bad token [redacted] here"},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2ln", "jwt [redacted]"},
		{"base64 dXNlcjpwYXNzd29yZDEyMzQ1Ng==", "base64 [redacted]"},
		{"15charsecretxyz ok", "15charsecretxyz ok"},
		{strings.Repeat("word ", 100), strings.Repeat("word ", 40) + "…"},
	}
	for _, tt := range tests {
		if got := dockercfg.RedactHelperOutput(tt.in); got != tt.want {
			t.Errorf("RedactHelperOutput(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDemoHelper builds internal/demohelper, the helper `make demo` uses, and
// runs it through the protocol: store with the docker-credential-helpers
// client, then get and list through NewHelper, with the store at
// $PULLSECRET_DEMO_STORE.
func TestDemoHelper(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "docker-credential-demo")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/pullsecret/pullsecret/internal/demohelper")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build internal/demohelper: %v\n%s", err, out)
	}
	store := filepath.Join(t.TempDir(), "store.json")
	t.Setenv(credhelpertest.StoreEnv, store)
	creds := &credentials.Credentials{ServerURL: "localhost:5000", Username: "demo", Secret: "demo-secret"}
	if err := client.Store(client.NewShellProgramFunc(bin), creds); err != nil {
		t.Fatalf("store: %v", err)
	}
	if st, err := os.Stat(store); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v, %v", st, err)
	}
	h := dockercfg.NewHelper("demo", &dockercfg.HelperOptions{Path: dir})
	if u, p, err := h.Get(context.Background(), "localhost:5000"); err != nil || u != "demo" || p != "demo-secret" {
		t.Errorf("Get = %q, %q, %v", u, p, err)
	}
	if l, err := h.List(context.Background()); err != nil || !cmp.Equal(l, map[string]string{"localhost:5000": "demo"}) {
		t.Errorf("List = %v, %v", l, err)
	}
	if err := client.Erase(client.NewShellProgramFunc(bin), "localhost:5000"); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if _, _, err := h.Get(context.Background(), "localhost:5000"); !errors.Is(err, dockercfg.ErrCredentialsNotFound) {
		t.Errorf("Get after erase error = %v, want ErrCredentialsNotFound", err)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || len(out) == 0 {
		t.Errorf("version: %q, %v", out, err)
	}
}

// TestHelperRelativePathEntry: a relative (or empty) PATH entry is never
// searched, as exec.LookPath refuses them since Go 1.19 (exec.ErrDot):
// PATH=bin:... would otherwise run whatever bin/docker-credential-X the
// current directory holds (issue 8, item 19).
func TestHelperRelativePathEntry(t *testing.T) {
	t.Parallel()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relDir := installHelper(t, "psecretrel", credhelpertest.Store{Credentials: map[string]credhelpertest.Credential{"quay.io": {Username: "relative", Secret: "s"}}})
	rel, err := filepath.Rel(cwd, relDir)
	if err != nil || filepath.IsAbs(rel) {
		t.Skipf("no relative path from %s to %s", cwd, relDir)
	}
	absDir := installHelper(t, "psecretrel", credhelpertest.Store{Credentials: map[string]credhelpertest.Credential{"quay.io": {Username: "absolute", Secret: "s"}}})
	sep := string(os.PathListSeparator)

	t.Run("only in a relative entry", func(t *testing.T) {
		t.Parallel()
		h := dockercfg.NewHelper("psecretrel", &dockercfg.HelperOptions{Path: rel + sep + t.TempDir()})
		u, _, err := h.Get(context.Background(), "quay.io")
		if err == nil {
			t.Fatalf("Get ran the helper found through the relative PATH entry %q (user %q)", rel, u)
		}
		if !errors.Is(err, dockercfg.ErrHelperMissing) || !errors.Is(err, exec.ErrDot) {
			t.Errorf("error = %v, want ErrHelperMissing and exec.ErrDot", err)
		}
		if msg := err.Error(); !strings.Contains(msg, strconv.Quote(rel)) || !strings.Contains(msg, "relative") {
			t.Errorf("error %q does not name the relative entry %q and why", msg, rel)
		}
	})
	t.Run("relative and empty entries skipped", func(t *testing.T) {
		t.Parallel()
		h := dockercfg.NewHelper("psecretrel", &dockercfg.HelperOptions{Path: rel + sep + sep + absDir})
		if u, _, err := h.Get(context.Background(), "quay.io"); err != nil || u != "absolute" {
			t.Errorf("Get = %q, %v; want the helper of the absolute entry", u, err)
		}
	})
}

// TestHelperDeadlineEachReported: three hung helpers under one deadline
// for all helper calls: the first is stopped at the deadline, the others are
// not run, and each of the three is reported (issue 8, item 17: they took
// 3 × 30 s one after another and only the first was reported).
func TestHelperDeadlineEachReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hung := credhelpertest.Store{Faults: map[string]credhelpertest.Fault{"get": {Sleep: "300s"}}}
	for _, name := range []string{"hung1", "hung2", "hung3"} {
		addHelper(t, dir, name, hung)
	}
	cfg, err := dockercfg.Parse([]byte(`{"credHelpers":{"a.example":"hung1","b.example":"hung2","c.example":"hung3"}}`))
	if err != nil {
		t.Fatal(err)
	}
	newHelper := func(n string) dockercfg.Helper { return dockercfg.NewHelper(n, &dockercfg.HelperOptions{Path: dir}) }
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = dockercfg.Convert(ctx, []dockercfg.Source{{Name: "config.json", Config: cfg}}, dockercfg.ConvertOptions{NewHelper: newHelper})
	if !errors.Is(err, dockercfg.ErrHelperFailed) {
		t.Fatalf("Convert error = %v, want ErrHelperFailed", err)
	}
	for _, name := range []string{"hung1", "hung2", "hung3"} {
		if !strings.Contains(err.Error(), "docker-credential-"+name+" get") {
			t.Errorf("Convert error %q does not report docker-credential-%s", err, name)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("Convert error has %d lines, want one per helper:\n%s", n, err)
	}
	if strings.Contains(err.Error(), "timed out after 30s") {
		t.Errorf("Convert error %q blames the per-call timeout for the caller's deadline", err)
	}

	// The same through ResolveSources (test-pull, resolve) under
	// WithHelperDeadline: one error per helper, each saying why.
	ctx, cancel = dockercfg.WithHelperDeadline(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, errs := dockercfg.ResolveSources(ctx, []dockercfg.Source{{Name: "config.json", Config: cfg}}, newHelper)
	if len(errs) != 3 {
		t.Fatalf("ResolveSources: %d errors, want 3: %v", len(errs), errs)
	}
	for i, err := range errs {
		if !errors.Is(err, dockercfg.ErrHelperFailed) || !errors.Is(err, dockercfg.ErrHelperDeadline) {
			t.Errorf("error %d = %v, want ErrHelperFailed and ErrHelperDeadline", i, err)
		}
	}
	t.Logf("errors:\n%v", errors.Join(errs...))
}
