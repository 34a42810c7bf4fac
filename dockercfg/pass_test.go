package dockercfg_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// TestPassEndToEnd runs the real docker-credential-pass, built from the
// module version in go.mod, over Debian's pass and a throwaway GPG key made in
// a temporary GNUPGHOME: credentials stored with the helper's store action are
// resolved from a config with credsStore "pass".
//
// It skips when pass or gpg is not installed, unless PULLSECRET_REQUIRE_PASS
// is set (CI sets it), in which case it fails.
func TestPassEndToEnd(t *testing.T) {
	// Not parallel: the helper runs with this process's environment, so
	// GNUPGHOME and PASSWORD_STORE_DIR are set with t.Setenv.
	for _, tool := range []string{"pass", "gpg", "gpgconf", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("PULLSECRET_REQUIRE_PASS") != "" {
				t.Fatalf("%s is not installed and PULLSECRET_REQUIRE_PASS is set: %v", tool, err)
			}
			t.Skipf("%s is not installed (apt-get install pass gnupg); set PULLSECRET_REQUIRE_PASS to make this a failure", tool)
		}
	}
	bin := t.TempDir()
	helper := filepath.Join(bin, "docker-credential-pass")
	run(t, nil, "go", "build", "-o", helper, "github.com/docker/docker-credential-helpers/pass/cmd")

	// GnuPG sockets must fit in sun_path (108 bytes): use a short home.
	gnupgHome, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(gnupgHome, 0o700)
	t.Cleanup(func() { os.RemoveAll(gnupgHome) })
	store := filepath.Join(t.TempDir(), "password-store")
	t.Setenv("GNUPGHOME", gnupgHome)
	t.Setenv("PASSWORD_STORE_DIR", store)
	t.Cleanup(func() {
		// Stop the gpg-agent this test started (it is keyed by GNUPGHOME).
		exec.Command("gpgconf", "--kill", "gpg-agent").Run()
		exec.Command("gpgconf", "--remove-socketdir").Run()
	})
	const uid = "pullsecret test <pullsecret-test@example.invalid>"
	run(t, nil, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "future-default", "default", "never")
	var fpr string
	for _, line := range strings.Split(run(t, nil, "gpg", "--batch", "--with-colons", "--list-secret-keys", uid), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			fpr = f[9]
			break
		}
	}
	if fpr == "" {
		t.Fatal("no fingerprint for the generated key")
	}
	run(t, nil, "pass", "init", fpr)

	// Store with the helper's own store action, as `docker login` does.
	const hubSecret, quaySecret = "pass-Hub-S3cret:with:colons", "pass-quay-token-0123456789"
	pf := client.NewShellProgramFunc(helper)
	for _, c := range []*credentials.Credentials{
		{ServerURL: "https://index.docker.io/v1/", Username: "passhub", Secret: hubSecret},
		{ServerURL: "quay.io", Username: "passquay", Secret: quaySecret},
		{ServerURL: "myregistry.azurecr.io", Username: "<token>", Secret: "pass-identity-token"},
		{ServerURL: "listonly.example.com:5000", Username: "listed", Secret: "listed-secret"},
	} {
		if err := client.Store(pf, c); err != nil {
			t.Fatalf("store %s: %v", c.ServerURL, err)
		}
	}
	// The secret is encrypted at rest.
	encrypted, _ := filepath.Glob(filepath.Join(store, "docker-credential-helpers", "*", "*.gpg"))
	if len(encrypted) != 4 {
		t.Fatalf("pass store holds %d files, want 4", len(encrypted))
	}
	for _, f := range encrypted {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(hubSecret)) || bytes.Contains(b, []byte(quaySecret)) {
			t.Errorf("%s holds a clear-text secret", f)
		}
	}

	cfg, err := dockercfg.Parse([]byte(`{
	"auths": {
		"https://index.docker.io/v1/": {},
		"quay.io": {"email": "q@example.com"},
		"myregistry.azurecr.io": {},
		"inline.example.com": {"auth": "` + b64("inline:inline-pw") + `"},
		"missing.example.com": {}
	},
	"credsStore": "pass"
}`))
	if err != nil {
		t.Fatal(err)
	}
	newHelper := func(name string) dockercfg.Helper {
		return dockercfg.NewHelper(name, &dockercfg.HelperOptions{Path: bin})
	}
	got, errs := cfg.Resolve(context.Background(), newHelper)
	want := []resolvedView{
		{Key: "https://index.docker.io/v1/", Helper: "pass", Username: "passhub", Password: hubSecret, Auth: b64("passhub:" + hubSecret)},
		{Key: "quay.io", Helper: "pass", Username: "passquay", Password: quaySecret, Auth: b64("passquay:" + quaySecret), Email: "q@example.com"},
		{Key: "myregistry.azurecr.io", Helper: "pass", IdentityToken: "pass-identity-token"},
		// pass says not found: the inline credentials.
		{Key: "inline.example.com", Username: "inline", Password: "inline-pw", Auth: b64("inline:inline-pw")},
		// Only in pass: found with list.
		{Key: "listonly.example.com:5000", Helper: "pass", Username: "listed", Password: "listed-secret", Auth: b64("listed:listed-secret")},
	}
	if diff := cmp.Diff(want, view(got)); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	var re *dockercfg.ResolveError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.Key != "missing.example.com" || re.Helper != "pass" || !errors.Is(errs[0], dockercfg.ErrCredentialsNotFound) {
		t.Errorf("errors = %v, want credentials not found for missing.example.com from pass", errs)
	}

	// A pass store that cannot decrypt (the key is gone) is a helper failure,
	// not "not found", and reports pass's stderr without secrets.
	run(t, nil, "gpg", "--batch", "--yes", "--delete-secret-and-public-key", fpr)
	_, _, err = newHelper("pass").Get(context.Background(), "quay.io")
	var he *dockercfg.HelperError
	if !errors.Is(err, dockercfg.ErrHelperFailed) || !errors.As(err, &he) {
		t.Fatalf("Get with the key deleted: error = %v, want ErrHelperFailed", err)
	}
	if !strings.Contains(he.Stderr, "gpg") {
		t.Errorf("HelperError.Stderr = %q, want pass's gpg error", he.Stderr)
	}
	if strings.Contains(err.Error(), quaySecret) {
		t.Errorf("error %q leaks the secret", err)
	}
	t.Logf("helper failure as reported: %v", err)
}

// run runs a command and returns its stdout; it fails the test on error.
func run(t *testing.T, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
