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

func TestResolveSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "store", credhelpertest.Store{
		Credentials: map[string]cred{"ok.example.com": {Username: "ok", Secret: helperSecret}},
	})
	parse := func(s string) *dockercfg.Config {
		c, err := dockercfg.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	helpers := `{"auths":{"ok.example.com":{},"missing.example.com":{}},"credsStore":"store"}`
	in := []dockercfg.Source{
		{Name: "local.json", Config: parse(helpers)},
		{Name: "secret.yaml", Secret: "ns/pull", Config: parse(helpers)},
		{Name: "inline.json", Config: parse(`{"auths":{"inline.example.com":{"auth":"` + b64("u:p") + `"}}}`)},
	}
	got, errs := dockercfg.ResolveSources(context.Background(), in, helpersIn(dir))
	if len(got) != 3 {
		t.Fatalf("got %d sources, want 3", len(got))
	}
	// The local file is resolved: inline credentials only, no helpers left.
	r := got[0]
	if r.Name != "local.json" || r.Config.CredsStore != "" || len(r.Config.CredHelpers) != 0 {
		t.Errorf("resolved source = %q store %q helpers %v", r.Name, r.Config.CredsStore, r.Config.CredHelpers)
	}
	var keys []string
	for _, e := range r.Config.Entries {
		keys = append(keys, e.Key)
	}
	if diff := cmp.Diff([]string{"ok.example.com"}, keys); diff != "" {
		t.Errorf("resolved keys (-want +got):\n%s", diff)
	}
	if e := r.Config.Entries[0]; e.Username != "ok" || e.Password != helperSecret {
		t.Errorf("resolved entry user %q, password from the helper: %v", e.Username, e.Password == helperSecret)
	}
	// A Secret and a file without helpers are returned as they are.
	if got[1].Config != in[1].Config || got[2].Config != in[2].Config {
		t.Errorf("a Secret or a helper-less config was rewritten")
	}
	if in[0].Config.CredsStore != "store" || len(in[0].Config.Entries) != 2 {
		t.Errorf("the input config was changed")
	}
	// The unresolved entry is an error naming the source and wrapping the cause.
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want 1", errs)
	}
	var re *dockercfg.ResolveError
	if !errors.As(errs[0], &re) || re.Key != "missing.example.com" || !errors.Is(errs[0], dockercfg.ErrCredentialsNotFound) {
		t.Errorf("error = %v, want a *ResolveError for missing.example.com wrapping ErrCredentialsNotFound", errs[0])
	}
	if msg := errs[0].Error(); !strings.HasPrefix(msg, "local.json: ") || strings.Contains(msg, helperSecret) {
		t.Errorf("error %q: want the source label first and no secret", msg)
	}
}
