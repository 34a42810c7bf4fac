package dockercfg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/credhelpertest"
)

type cred = credhelpertest.Credential

// helpersIn returns the newHelper function Resolve takes, finding helpers in dir.
func helpersIn(dir string) func(string) dockercfg.Helper {
	return func(name string) dockercfg.Helper {
		return dockercfg.NewHelper(name, &dockercfg.HelperOptions{Path: dir})
	}
}

// resolvedView is what a test compares of a Resolved.
type resolvedView struct {
	Key, Helper, Username, Password, Auth, Email, IdentityToken, RegistryToken string
}

func view(rs []dockercfg.Resolved) []resolvedView {
	var out []resolvedView
	for _, r := range rs {
		e := r.Entry
		out = append(out, resolvedView{e.Key, r.Helper, e.Username, e.Password, e.Auth, e.Email, e.IdentityToken, e.RegistryToken})
	}
	return out
}

func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// credHelpers["quay.io"]: quayhelper.
	addHelper(t, dir, "quayhelper", credhelpertest.Store{Credentials: map[string]cred{
		"quay.io":            {Username: "from-credhelpers", Secret: "qh-secret"},
		"quay.io/repo-main":  {Username: "from-credhelpers-ns", Secret: "qh-ns-secret"},
		"helperonly.example": {Username: "helper-only", Secret: "ho-secret"},
	}})
	// credsStore: store.
	addHelper(t, dir, "store", credhelpertest.Store{Credentials: map[string]cred{
		"quay.io":                     {Username: "from-credsstore", Secret: "must-not-be-used"},
		"https://index.docker.io/v1/": {Username: "hubuser", Secret: "hub-secret"},
		"myregistry.azurecr.io":       {Username: "<token>", Secret: "acr-refresh-token"},
		"listonly.example.com":        {Username: "listed", Secret: "listed-secret"},
		"inline.example.com:5000":     {Username: "store-beats-inline", Secret: "store-secret"},
	}})
	cfg := `{
		"auths": {
			"quay.io": {"auth": "` + b64("inline-quay:inline-secret") + `", "email": "q@example.com"},
			"quay.io/repo-main": {},
			"https://index.docker.io/v1/": {},
			"myregistry.azurecr.io": {"email": "acr@example.com"},
			"inline.example.com:5000": {"auth": "` + b64("inline:inline-pw") + `"},
			"fallback.example.com": {"username": "fb", "password": "fb-pw", "identitytoken": "fb-id", "registrytoken": "fb-rt"},
			"docker.io": {"auth": "` + b64("dup:dup-pw") + `"}
		},
		"credsStore": "store",
		"credHelpers": {"quay.io": "quayhelper", "helperonly.example": "quayhelper"}
	}`
	c, err := dockercfg.Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), helpersIn(dir))
	if len(errs) != 0 {
		t.Fatalf("Resolve errors: %v", errs)
	}
	want := []resolvedView{
		// credHelpers beats credsStore and inline; the email stays.
		{Key: "quay.io", Helper: "quayhelper", Username: "from-credhelpers", Password: "qh-secret", Auth: b64("from-credhelpers:qh-secret"), Email: "q@example.com"},
		// credHelpers serves a namespaced key of its host, asked with the key as written.
		{Key: "quay.io/repo-main", Helper: "quayhelper", Username: "from-credhelpers-ns", Password: "qh-ns-secret", Auth: b64("from-credhelpers-ns:qh-ns-secret")},
		{Key: "https://index.docker.io/v1/", Helper: "store", Username: "hubuser", Password: "hub-secret", Auth: b64("hubuser:hub-secret")},
		// "<token>" means an identity token.
		{Key: "myregistry.azurecr.io", Helper: "store", Email: "acr@example.com", IdentityToken: "acr-refresh-token"},
		// credsStore beats inline credentials.
		{Key: "inline.example.com:5000", Helper: "store", Username: "store-beats-inline", Password: "store-secret", Auth: b64("store-beats-inline:store-secret")},
		// Not in the store: the inline fields, tokens included.
		{Key: "fallback.example.com", Username: "fb", Password: "fb-pw", Auth: b64("fb:fb-pw"), IdentityToken: "fb-id", RegistryToken: "fb-rt"},
		// docker.io is Docker Hub again: resolved once, first key wins.
		// Hosts only in credHelpers, then only in the store's list.
		{Key: "helperonly.example", Helper: "quayhelper", Username: "helper-only", Password: "ho-secret", Auth: b64("helper-only:ho-secret")},
		{Key: "listonly.example.com", Helper: "store", Username: "listed", Password: "listed-secret", Auth: b64("listed:listed-secret")},
	}
	if diff := cmp.Diff(want, view(got)); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	for _, r := range got {
		if r.Entry.Unpadded || (r.Entry.Auth != "" && len(r.Entry.Auth)%4 != 0) {
			t.Errorf("%s: auth not padded", r.Entry.Key)
		}
	}
	// The resolved entries make a self-contained config.
	out := &dockercfg.Config{}
	for _, r := range got {
		out.Set(r.Entry)
	}
	data, err := out.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "must-not-be-used") || !strings.Contains(string(data), b64("from-credhelpers:qh-secret")) {
		t.Errorf("resolved config: %s", data)
	}
}

func TestResolveInlineOnly(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse(readConfig(t, "docker-linux.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), func(name string) dockercfg.Helper {
		t.Fatalf("helper %q created for a config without helpers", name)
		return nil
	})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if diff := cmp.Diff(c.Entries, entriesOf(got), entryOpts, cmpopts.IgnoreFields(dockercfg.Entry{}, "RawUsername", "RawPassword")); diff != "" {
		t.Errorf("inline resolution changed entries (-file +resolved):\n%s", diff)
	}
	for _, r := range got {
		if r.Helper != "" || r.Entry.RawUsername == "" || r.Entry.RawPassword == "" {
			t.Errorf("%s: resolved entry should carry username and password: %+v", r.Entry.Key, r)
		}
	}
}

func entriesOf(rs []dockercfg.Resolved) []*dockercfg.Entry {
	var out []*dockercfg.Entry
	for _, r := range rs {
		out = append(out, r.Entry)
	}
	return out
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "store", credhelpertest.Store{
		Credentials: map[string]cred{"ok.example.com": {Username: "ok", Secret: "ok-secret"}},
		Faults:      map[string]credhelpertest.Fault{"get crash.example.com": {Stderr: "segfault near " + leakToken, ExitCode: 139}},
	})
	cfg := `{
		"auths": {
			"ok.example.com": {},
			"notfound.example.com": {},
			"crash.example.com": {},
			"gcr.io": {},
			"inline.example.com": {"auth": "` + b64("in:"+helperSecret) + `"}
		},
		"credsStore": "store",
		"credHelpers": {"gcr.io": "gcloud-absent"}
	}`
	c, err := dockercfg.Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), helpersIn(dir))
	if diff := cmp.Diff([]string{"ok.example.com", "inline.example.com"}, keysOf(got)); diff != "" {
		t.Errorf("resolved keys (-want +got):\n%s", diff)
	}
	type errView struct {
		Key, Helper string
		Is          error
	}
	want := []errView{
		{"notfound.example.com", "store", dockercfg.ErrCredentialsNotFound},
		{"crash.example.com", "store", dockercfg.ErrHelperFailed},
		{"gcr.io", "gcloud-absent", dockercfg.ErrHelperMissing},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d", errs, len(want))
	}
	for i, err := range errs {
		var re *dockercfg.ResolveError
		if !errors.As(err, &re) || re.Key != want[i].Key || re.Helper != want[i].Helper || !errors.Is(err, want[i].Is) {
			t.Errorf("error %d = %v, want key %q helper %q wrapping %v", i, err, want[i].Key, want[i].Helper, want[i].Is)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, `"`+re.Key+`"`) || !strings.Contains(msg, `"`+re.Helper+`"`) {
			t.Errorf("error %q does not name key and helper", msg)
		}
		if strings.Contains(msg, leakToken) || strings.Contains(msg, helperSecret) || strings.ContainsAny(msg, "\n\r") {
			t.Errorf("error %q leaks a secret or is not one line", msg)
		}
	}
}

func TestResolveNoHelper(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse([]byte(`{"auths":{"empty.example.com":{},"ok.example.com":{"identitytoken":"only-token"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), helpersIn(t.TempDir()))
	if diff := cmp.Diff([]resolvedView{{Key: "ok.example.com", IdentityToken: "only-token"}}, view(got)); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	var re *dockercfg.ResolveError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.Key != "empty.example.com" || re.Helper != "" || !errors.Is(errs[0], dockercfg.ErrNoCredentials) {
		t.Errorf("errors = %v, want ErrNoCredentials for empty.example.com", errs)
	}
}

func TestResolveStoreListFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "store", credhelpertest.Store{
		Credentials: map[string]cred{"quay.io": {Username: "q", Secret: "q-secret"}},
		Faults:      map[string]credhelpertest.Fault{"list": {Stderr: "keyring locked", ExitCode: 1}},
	})
	c, err := dockercfg.Parse([]byte(`{"auths":{"quay.io":{}},"credsStore":"store"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), helpersIn(dir))
	// The entry is still resolved with get.
	if diff := cmp.Diff([]string{"quay.io"}, keysOf(got)); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
	var re *dockercfg.ResolveError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.Helper != "store" || !errors.Is(errs[0], dockercfg.ErrHelperFailed) ||
		!strings.Contains(errs[0].Error(), "list stored credentials") || !strings.Contains(errs[0].Error(), "keyring locked") {
		t.Errorf("errors = %v, want the failed list", errs)
	}
}

func TestHelperFor(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse([]byte(`{"auths":{},"credsStore":"store","credHelpers":{"quay.io":"q","https://index.docker.io/v1/":"hub","Registry.Example.com:5000":"r"}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ key, want string }{
		{"quay.io", "q"},
		{"quay.io/ns/repo", "q"},
		{"https://quay.io/v2/", "q"},
		{"docker.io", "hub"},
		{"https://index.docker.io/v1/", "hub"},
		{"registry.example.com:5000", "r"},
		{"registry.example.com", "store"},
		{"ghcr.io", "store"},
	}
	for _, tt := range tests {
		if got := c.HelperFor(tt.key); got != tt.want {
			t.Errorf("HelperFor(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := (&dockercfg.Config{}).HelperFor("quay.io"); got != "" {
		t.Errorf("HelperFor without helpers = %q", got)
	}
}

func keysOf(rs []dockercfg.Resolved) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Entry.Key)
	}
	return out
}

// TestResolveCanonicalKey: a helper that holds the canonical key
// (https://index.docker.io/v1/, as docker login stores it) serves an entry
// written as docker.io or with a scheme.
func TestResolveCanonicalKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "store", credhelpertest.Store{Credentials: map[string]cred{
		"https://index.docker.io/v1/": {Username: "hub", Secret: "hub-secret"},
		"quay.io":                     {Username: "q", Secret: "q-secret"},
	}})
	c, err := dockercfg.Parse([]byte(`{"auths":{"docker.io":{},"https://quay.io/v2/":{}},"credsStore":"store"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.Resolve(context.Background(), helpersIn(dir))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := []resolvedView{
		{Key: "docker.io", Helper: "store", Username: "hub", Password: "hub-secret", Auth: b64("hub:hub-secret")},
		{Key: "https://quay.io/v2/", Helper: "store", Username: "q", Password: "q-secret", Auth: b64("q:q-secret")},
	}
	if diff := cmp.Diff(want, view(got)); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
}

// TestResolveFiltered: keys that are not kept are neither resolved nor asked
// of a helper (the helper fails for them if asked).
func TestResolveFiltered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addHelper(t, dir, "store", credhelpertest.Store{
		Credentials: map[string]cred{"quay.io": {Username: "q", Secret: "q-secret"}, "listed.example.com": {Username: "l", Secret: "l"}},
		Faults: map[string]credhelpertest.Fault{
			"get ghcr.io":            {Stderr: "asked for a filtered key", ExitCode: 1},
			"get listed.example.com": {Stderr: "asked for a filtered key", ExitCode: 1},
		},
	})
	c, err := dockercfg.Parse([]byte(`{"auths":{"quay.io":{},"ghcr.io":{}},"credsStore":"store"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := c.ResolveFiltered(context.Background(), helpersIn(dir), func(key string) bool { return key == "quay.io" })
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if diff := cmp.Diff([]string{"quay.io"}, keysOf(got)); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
}
