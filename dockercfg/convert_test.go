package dockercfg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/credhelpertest"
)

// An uninstalled credsStore and a failing credHelper with --skip-unresolved:
// entries with inline credentials fall back to them, each with a warning
// naming the registry and why; entries without are left out, one warning
// each; nothing else is lost.
func TestConvertSkipUnresolvedKeepsInline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "failing", credhelpertest.Store{
		Faults: map[string]credhelpertest.Fault{"get": {Stderr: "keyring locked", ExitCode: 1}},
	})
	cfg := mustParse(t, `{
		"auths": {
			"quay.io": {"auth": "`+b64("alice:"+helperSecret)+`"},
			"gcr.io": {"username": "bob", "password": "gcr-inline-pw"},
			"ghcr.io": {}
		},
		"credsStore": "desktop",
		"credHelpers": {"gcr.io": "failing"}
	}`)
	src := []dockercfg.Source{{Name: "config.json", Config: cfg}}
	ctx := context.Background()

	// Without SkipUnresolved a missing helper is still an error.
	if _, err := dockercfg.Convert(ctx, src, dockercfg.ConvertOptions{NewHelper: helpersIn(dir)}); !errors.Is(err, dockercfg.ErrHelperMissing) {
		t.Errorf("without SkipUnresolved: err = %v, want ErrHelperMissing", err)
	}

	res, err := dockercfg.Convert(ctx, src, dockercfg.ConvertOptions{SkipUnresolved: true, NewHelper: helpersIn(dir)})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	var got [][3]string
	for _, e := range res.Config.Entries {
		got = append(got, [3]string{e.Key, e.Username, e.Password})
	}
	want := [][3]string{{"quay.io", "alice", helperSecret}, {"gcr.io", "bob", "gcr-inline-pw"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	// One warning per registry, each naming it and the reason.
	wantWarnings := []struct{ has []string }{
		{[]string{"config.json", `credential store "desktop"`, "not installed"}},
		{[]string{"config.json", `"ghcr.io"`, `"desktop"`, "not installed", "left out"}},
		{[]string{"config.json", `"quay.io"`, `"desktop"`, "not installed", "inline credentials"}},
		{[]string{"config.json", `"gcr.io"`, `"failing"`, "failed", "keyring locked", "inline credentials"}},
	}
	if len(res.Warnings) != len(wantWarnings) {
		t.Fatalf("warnings = %q, want %d", res.Warnings, len(wantWarnings))
	}
	for i, w := range res.Warnings {
		for _, s := range wantWarnings[i].has {
			if !strings.Contains(w, s) {
				t.Errorf("warning %d %q lacks %q", i, w, s)
			}
		}
		if strings.Contains(w, helperSecret) || strings.Contains(w, "gcr-inline-pw") || strings.Contains(w, b64("alice:"+helperSecret)) || strings.ContainsAny(w, "\n\r") {
			t.Errorf("warning %q leaks a secret or is not one line", w)
		}
	}
}

// When nothing is left, the error is ErrEmptyResult and the result still
// carries a warning for every registry left out.
func TestConvertSkipUnresolvedNothingLeft(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `{"auths":{"ghcr.io":{},"registry.example.com":{}},"credsStore":"desktop"}`)
	res, err := dockercfg.Convert(context.Background(), []dockercfg.Source{{Name: "config.json", Config: cfg}},
		dockercfg.ConvertOptions{SkipUnresolved: true, NewHelper: helpersIn(t.TempDir())})
	if !errors.Is(err, dockercfg.ErrEmptyResult) {
		t.Fatalf("err = %v, want ErrEmptyResult", err)
	}
	if res == nil {
		t.Fatal("no result: the warnings naming what was left out are lost")
	}
	w := strings.Join(res.Warnings, "\n")
	for _, s := range []string{`"ghcr.io"`, `"registry.example.com"`, `credential store "desktop"`} {
		if !strings.Contains(w, s) {
			t.Errorf("warnings %q lack %s", res.Warnings, s)
		}
	}
	if !strings.Contains(err.Error(), "2 entries left out") {
		t.Errorf("error %q does not say how many entries were left out", err)
	}
}
