//go:build unix

package dockercfg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// installRecorder installs a helper script that appends a byte to
// docker-credential-<name>.ran every time it runs and answers get and list
// with credentials for quay.io.
func installRecorder(t *testing.T, name string) (dir, ran string) {
	t.Helper()
	dir = installScript(t, name, `printf . >> "$0.ran"
case "$1" in
get) read url; printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helper-pw"}' "$url" ;;
list) printf '{"quay.io":"helperuser"}' ;;
*) exit 1 ;;
esac
`)
	return dir, filepath.Join(dir, "docker-credential-"+name+".ran")
}

// Helpers named inside a Secret's payload are never run by Convert, as the
// kubelet never runs them: such entries are treated like an uninstalled
// helper's, with a message that says why. The same config read from a local
// file does run the helper (the control that the helper works).
func TestConvertNeverRunsHelpersNamedInSecret(t *testing.T) {
	t.Parallel()
	const payload = `{
		"auths": {
			"quay.io": {"username": "inline", "password": "inline-pw"},
			"ghcr.io": {}
		},
		"credsStore": "recorder",
		"credHelpers": {"gcr.io": "recorder"}
	}`
	ctx := context.Background()

	// Control: a local file runs its helpers.
	fileDir, fileRan := installRecorder(t, "recorder")
	if _, err := dockercfg.Convert(ctx, []dockercfg.Source{{Name: "config.json", Config: mustParse(t, payload)}},
		dockercfg.ConvertOptions{SkipUnresolved: true, NewHelper: helpersIn(fileDir)}); err != nil {
		t.Fatalf("Convert of a file: %v", err)
	}
	if _, err := os.Stat(fileRan); err != nil {
		t.Fatalf("the helper of a local file did not run: %v", err)
	}

	dir, ran := installRecorder(t, "recorder")
	src := []dockercfg.Source{{Name: "secret.yaml", Secret: "ns/pull", Config: mustParse(t, payload)}}

	_, err := dockercfg.Convert(ctx, src, dockercfg.ConvertOptions{NewHelper: helpersIn(dir)})
	if !errors.Is(err, dockercfg.ErrHelperMissing) || !strings.Contains(err.Error(), "helpers named in a Secret are not run") {
		t.Errorf("without SkipUnresolved: err = %v, want ErrHelperMissing saying helpers named in a Secret are not run", err)
	}

	res, err := dockercfg.Convert(ctx, src, dockercfg.ConvertOptions{SkipUnresolved: true, NewHelper: helpersIn(dir)})
	if err != nil {
		t.Fatalf("with SkipUnresolved: %v", err)
	}
	if _, err := os.Stat(ran); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a helper named in a Secret ran (marker %s: %v)", ran, err)
	}
	var got []string
	for _, e := range res.Config.Entries {
		got = append(got, e.Key+" "+e.Username+" "+e.Password)
	}
	if want := []string{"quay.io inline inline-pw"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entries = %q, want %q", got, want)
	}
	if len(res.Warnings) == 0 {
		t.Fatal("no warnings")
	}
	for _, w := range res.Warnings {
		if !strings.Contains(w, "ns/pull") && !strings.Contains(w, "secret.yaml") {
			t.Errorf("warning %q does not name the Secret", w)
		}
		if !strings.Contains(w, "helpers named in a Secret are not run") {
			t.Errorf("warning %q does not say helpers named in a Secret are not run", w)
		}
		if strings.Contains(w, "inline-pw") || strings.Contains(w, "helper-pw") {
			t.Errorf("warning %q leaks a secret", w)
		}
	}
}
