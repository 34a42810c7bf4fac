package dockercfg_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func mustParse(t *testing.T, data string) *dockercfg.Config {
	t.Helper()
	c, err := dockercfg.Parse([]byte(data))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

// jwt returns an unsigned JWT-shaped token whose exp claim is exp.
func jwt(exp time.Time) string {
	enc := base64.RawURLEncoding
	return "eyJhbGciOiJub25lIn0." + enc.EncodeToString([]byte(`{"exp":`+strconv.FormatInt(exp.Unix(), 10)+`}`)) + ".sig"
}

func TestInspectWarnings(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	auth := func(u, p string) string { return dockercfg.EncodeAuth(u, p) }
	tests := []struct {
		name     string
		config   string
		secret   string
		wantKind string
		want     []string // substrings, each in some warning of the first entry
	}{
		{"canonical entry has no warnings", `{"auths":{"quay.io":{"auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, nil},
		{"scheme and v1 path", `{"auths":{"https://quay.io/v1/":{"auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, []string{"scheme", "API version path"}},
		{"upper-case host and default port", `{"auths":{"Quay.IO:443":{"auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, []string{"upper-case host", "default port"}},
		{"docker hub alias", `{"auths":{"index.docker.io":{"auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, []string{"Docker Hub alias"}},
		{"wildcard", `{"auths":{"*.example.com":{"auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, []string{"wildcard"}},
		{"unpadded auth", `{"auths":{"quay.io":{"auth":"` + strings.TrimRight(auth("u", "pw"), "=") + `"}}}`, "", dockercfg.KindAuth, []string{"unpadded"}},
		{"auth disagrees", `{"auths":{"quay.io":{"auth":"` + auth("u", "p") + `","username":"other","password":"p"}}}`, "", dockercfg.KindAuth, []string{"disagrees"}},
		{"colon in username", `{"auths":{"quay.io":{"username":"a:b","password":"p"}}}`, "", dockercfg.KindPassword, []string{"contains ':'", "no auth field"}},
		{"field spelling", `{"auths":{"quay.io":{"Auth":"` + auth("u", "p") + `"}}}`, "", dockercfg.KindAuth, []string{"Auth"}},
		{"identity token", `{"auths":{"acr.io":{"identitytoken":"tok"}}}`, "", dockercfg.KindIdentityToken, []string{"kubelet ignores"}},
		{"registry token", `{"auths":{"acr.io":{"registrytoken":"tok"}}}`, "", dockercfg.KindRegistryToken, []string{"kubelet and podman ignore"}},
		{"empty entry", `{"auths":{"quay.io":{}}}`, "", dockercfg.KindEmpty, []string{"no credentials"}},
		{"helper entry", `{"auths":{"quay.io":{}},"credsStore":"desktop"}`, "", dockercfg.KindHelper, nil},
		{"expired token", `{"auths":{"quay.io":{"username":"u","password":"` + jwt(now.Add(-time.Hour)) + `","auth":"` + auth("u", jwt(now.Add(-time.Hour))) + `"}}}`, "", dockercfg.KindAuth, []string{"expired 1h0m0s ago"}},
		{"expiring token", `{"auths":{"quay.io":{"identitytoken":"` + jwt(now.Add(30*time.Minute)) + `"}}}`, "", dockercfg.KindIdentityToken, []string{"expires in 30m0s"}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := dockercfg.Inspect([]dockercfg.Source{{Name: "f.json", Secret: tc.secret, Config: mustParse(t, tc.config)}}, dockercfg.InspectOptions{Now: now})
			if len(rep.Entries) == 0 {
				t.Fatal("no entries")
			}
			e := rep.Entries[0]
			if e.Kind != tc.wantKind {
				t.Errorf("kind %q, want %q", e.Kind, tc.wantKind)
			}
			if tc.want == nil && len(e.Warnings) != 0 {
				t.Errorf("unexpected warnings %q", e.Warnings)
			}
			all := strings.Join(e.Warnings, " | ")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", e.Warnings, w)
				}
			}
			if e.Warnings == nil {
				t.Error("Warnings is nil; it must encode as []")
			}
			if e.Password != "" {
				t.Error("password shown without ShowSecrets")
			}
		})
	}
}

func TestInspectAcrossSources(t *testing.T) {
	t.Parallel()
	a := mustParse(t, `{"auths":{"quay.io":{"auth":"`+dockercfg.EncodeAuth("u", "p")+`"}}}`)
	b := mustParse(t, `{"https://quay.io":{"auth":"`+dockercfg.EncodeAuth("v", "q")+`"}}`)
	c := mustParse(t, `{"auths":{"ghcr.io":{}},"credHelpers":{"gcr.io":"gcloud"}}`)
	rep := dockercfg.Inspect([]dockercfg.Source{
		{Name: "a.json", Config: a},
		{Name: ".dockercfg", Config: b},
		{Name: "s.yaml", Secret: "team/regcred", Config: c},
	}, dockercfg.InspectOptions{ShowSecrets: true})
	if got := len(rep.Entries); got != 4 {
		t.Fatalf("%d entries, want 4 (3 entries and the credHelpers-only gcr.io)", got)
	}
	if !strings.Contains(strings.Join(rep.Entries[0].Warnings, "|"), "also has credentials in .dockercfg") {
		t.Errorf("same registry in two files not flagged: %q", rep.Entries[0].Warnings)
	}
	if rep.Entries[0].Password != "p" || !strings.HasPrefix(rep.Entries[0].Secret, "<redacted") {
		t.Errorf("ShowSecrets: password %q secret %q", rep.Entries[0].Password, rep.Entries[0].Secret)
	}
	if e := rep.Entries[3]; e.Kind != dockercfg.KindHelper || e.Helper != "gcloud" || e.Registry != "gcr.io" {
		t.Errorf("helper-only entry: %+v", e)
	}
	src := strings.Join(rep.Warnings, "|")
	if !strings.Contains(src, "legacy .dockercfg") || !strings.Contains(src, "credsStore/credHelpers in a Secret") {
		t.Errorf("source warnings %q", rep.Warnings)
	}
	if rep.WarningCount() < 3 {
		t.Errorf("WarningCount %d", rep.WarningCount())
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	if dockercfg.Redact("") != "" {
		t.Error("empty secret should redact to empty")
	}
	r := dockercfg.Redact("hunter2")
	if strings.Contains(r, "hunter2") || !strings.HasPrefix(r, "<redacted len=7 sha256=") || r != dockercfg.Redact("hunter2") {
		t.Errorf("Redact = %q", r)
	}
	if r == dockercfg.Redact("hunter3") {
		t.Error("different secrets redact alike")
	}
}

func TestMatchPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, key string
		want         bool
	}{
		{"quay.io", "quay.io", true},
		{"quay.io", "https://quay.io/v1/", true},
		{"quay.io", "quay.io/team", false},
		{"quay.io*", "quay.io/team", true},
		{"quay.io/*", "quay.io/team", true},
		{"*.example.com", "registry.example.com:5000", false},
		{"*.example.com*", "registry.example.com:5000", true},
		{"docker.io", "https://index.docker.io/v1/", true},
		{"docker.io", "registry-1.docker.io", true},
		{"ghcr.io", "quay.io", false},
		{"quay.io", "not a key", false},
	}
	for _, tc := range tests {
		if got := dockercfg.MatchPattern(tc.pattern, tc.key); got != tc.want {
			t.Errorf("MatchPattern(%q, %q) = %v, want %v", tc.pattern, tc.key, got, tc.want)
		}
	}
}

func TestConvertMergesSources(t *testing.T) {
	t.Parallel()
	first := mustParse(t, `{"auths":{"docker.io":{"username":"hub","password":"p1-secret"},"ghcr.io":{"identitytoken":"idtok-secret"}}}`)
	second := mustParse(t, `{"https://index.docker.io/v1/":{"auth":"`+dockercfg.EncodeAuth("other", "p2")+`"},"quay.io":{"auth":"`+dockercfg.EncodeAuth("q", "p3")+`"}}`)
	res, err := dockercfg.Convert(context.Background(), []dockercfg.Source{{Name: "one", Config: first}, {Name: "two", Config: second}}, dockercfg.ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range res.Config.Entries {
		keys = append(keys, e.Key)
		if e.IdentityToken == "" && (!e.HasAuth() || e.RawUsername == "" || e.RawPassword == "") {
			t.Errorf("entry %q lacks auth/username/password", e.Key)
		}
	}
	if got, want := strings.Join(keys, " "), "https://index.docker.io/v1/ ghcr.io quay.io"; got != want {
		t.Errorf("keys %q, want %q", got, want)
	}
	if hub := res.Config.Entry(dockercfg.DockerHubKey); hub.Username != "hub" {
		t.Errorf("the first source must win: %v", hub)
	}
	w := strings.Join(res.Warnings, "|")
	for _, want := range []string{"already gave credentials", "identity token", `written as "https://index.docker.io/v1/"`} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", res.Warnings, want)
		}
	}
	if strings.Contains(w, "p1-secret") || strings.Contains(w, "idtok-secret") {
		t.Errorf("secret in warnings: %q", w)
	}
}

func TestConvertErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := mustParse(t, `{"auths":{}}`)
	if _, err := dockercfg.Convert(ctx, []dockercfg.Source{{Name: "e", Config: empty}}, dockercfg.ConvertOptions{}); !errors.Is(err, dockercfg.ErrEmptyResult) {
		t.Errorf("empty: %v", err)
	}
	colon := mustParse(t, `{"auths":{"quay.io":{"username":"a:b","password":"secret-x"}}}`)
	_, err := dockercfg.Convert(ctx, []dockercfg.Source{{Name: "c", Config: colon}}, dockercfg.ConvertOptions{})
	if err == nil || !strings.Contains(err.Error(), "':'") || strings.Contains(err.Error(), "secret-x") {
		t.Errorf("colon in username: %v", err)
	}
	noCreds := mustParse(t, `{"auths":{"quay.io":{},"ghcr.io":{"auth":"`+dockercfg.EncodeAuth("u", "p")+`"}}}`)
	_, err = dockercfg.Convert(ctx, []dockercfg.Source{{Name: "n", Config: noCreds}}, dockercfg.ConvertOptions{})
	if !errors.Is(err, dockercfg.ErrNoCredentials) {
		t.Errorf("unresolvable entry: %v", err)
	}
	res, err := dockercfg.Convert(ctx, []dockercfg.Source{{Name: "n", Config: noCreds}}, dockercfg.ConvertOptions{SkipUnresolved: true})
	if err != nil || len(res.Config.Entries) != 1 || len(res.Warnings) == 0 {
		t.Errorf("skip unresolved: %v %v", err, res)
	}
	_, err = dockercfg.Convert(ctx, []dockercfg.Source{{Name: "n", Config: noCreds}}, dockercfg.ConvertOptions{Registries: []string{"nothing.example"}})
	if !errors.Is(err, dockercfg.ErrEmptyResult) || !strings.Contains(err.Error(), "nothing.example") {
		t.Errorf("filter to nothing: %v", err)
	}
}
