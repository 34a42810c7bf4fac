package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// secretPayload decodes the .dockerconfigjson of a Secret printed as YAML.
func secretPayload(t *testing.T, manifest string) map[string]map[string]string {
	t.Helper()
	var s struct {
		Type string            `json:"type"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal([]byte(manifest), &s); err != nil {
		t.Fatalf("decode secret: %v\n%s", err, manifest)
	}
	b, err := base64.StdEncoding.DecodeString(s.Data[".dockerconfigjson"])
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Auths map[string]map[string]string `json:"auths"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Auths
}

func TestConvertResolvesCredentialHelpers(t *testing.T) {
	t.Parallel()
	env := installHelper(t, "psdemo", map[string][2]string{
		"registry.example.com":        {"robot", "store-secret-1"},
		"ghcr.io":                     {"gh-user", "gh-secret-2"},
		"https://index.docker.io/v1/": {"hub-user", "hub-secret-3"},
		"only-in-store.example.com":   {"listed", "listed-secret-4"},
	})
	cfg := writeFile(t, "config.json", `{
	"auths": {
		"registry.example.com": {},
		"quay.io": {"auth": "`+dockercfg.EncodeAuth("quay-user", "quay-pass")+`", "email": "q@example.com"},
		"docker.io": {}
	},
	"credsStore": "psdemo",
	"credHelpers": {"ghcr.io": "psdemo"}
}`)
	r := runCLI(t, "", env, "convert", "regcred", "--authfile", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	auths := secretPayload(t, r.stdout)
	want := map[string][2]string{
		"registry.example.com":        {"robot", "store-secret-1"},
		"quay.io":                     {"quay-user", "quay-pass"},
		"https://index.docker.io/v1/": {"hub-user", "hub-secret-3"},
		"ghcr.io":                     {"gh-user", "gh-secret-2"},
		"only-in-store.example.com":   {"listed", "listed-secret-4"},
	}
	if len(auths) != len(want) {
		t.Errorf("got keys %v, want %v", keys(auths), want)
	}
	for k, up := range want {
		e, ok := auths[k]
		if !ok {
			t.Errorf("missing entry %q", k)
			continue
		}
		if e["username"] != up[0] || e["password"] != up[1] || e["auth"] != dockercfg.EncodeAuth(up[0], up[1]) {
			t.Errorf("entry %q = user %q, auth %q; want %v", k, e["username"], e["auth"], up)
		}
	}
	if auths["quay.io"]["email"] != "q@example.com" {
		t.Errorf("email lost: %v", auths["quay.io"])
	}
	for _, s := range []string{"store-secret", "gh-secret", "hub-secret", "quay-pass"} {
		if strings.Contains(r.stderr, s) {
			t.Errorf("secret %q on stderr: %s", s, r.stderr)
		}
	}
}

func keys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConvertRegistryFilterAndRawOutputs(t *testing.T) {
	t.Parallel()
	cfg := writeFile(t, "config.json", `{"auths":{
		"quay.io":{"auth":"`+dockercfg.EncodeAuth("a", "pa")+`"},
		"quay.io/repository-main":{"auth":"`+dockercfg.EncodeAuth("b", "pb")+`"},
		"ghcr.io":{"username":"c","password":"pc"}}}`)
	r := runCLI(t, "", nil, "convert", "--authfile", cfg, "--registry", "quay.io*", "-o", "dockercfg")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	c, err := dockercfg.ParseFormat([]byte(r.stdout), dockercfg.FormatLegacy)
	if err != nil {
		t.Fatalf("output is not a .dockercfg: %v\n%s", err, r.stdout)
	}
	if len(c.Entries) != 2 || c.Entries[0].Key != "quay.io" || c.Entries[1].Key != "quay.io/repository-main" {
		t.Errorf("entries %v", c.Entries)
	}
	r = runCLI(t, "", nil, "convert", "--authfile", cfg, "--registry", "ghcr.io", "-o", "dockerconfigjson")
	c, err = dockercfg.ParseFormat([]byte(r.stdout), dockercfg.FormatConfigJSON)
	if r.code != 0 || err != nil || len(c.Entries) != 1 || !c.Entries[0].HasAuth() || c.Entries[0].Password != "pc" {
		t.Fatalf("exit %d err %v out %s", r.code, err, r.stdout)
	}
	r = runCLI(t, "", nil, "convert", "x", "--authfile", cfg, "--registry", "nomatch.example.com")
	if r.code != exitNoCredentials || !strings.Contains(r.stderr, "no credentials") {
		t.Errorf("empty result: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestConvertUnresolvedEntries(t *testing.T) {
	t.Parallel()
	env := installHelper(t, "psempty", nil)
	cfg := writeFile(t, "config.json", `{"auths":{"registry.example.com":{},"quay.io":{"auth":"`+dockercfg.EncodeAuth("a", "pa")+`"}},"credsStore":"psempty"}`)
	r := runCLI(t, "", env, "convert", "x", "--authfile", cfg)
	if r.code != exitNoCredentials || !strings.Contains(r.stderr, `"registry.example.com"`) || !strings.Contains(r.stderr, "psempty") {
		t.Errorf("unresolved: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", env, "convert", "x", "--authfile", cfg, "--skip-unresolved")
	if r.code != 0 || len(secretPayload(t, r.stdout)) != 1 {
		t.Errorf("skip-unresolved: exit %d, stderr %q", r.code, r.stderr)
	}
	missing := writeFile(t, "config.json", `{"auths":{"registry.example.com":{}},"credsStore":"not-installed"}`)
	r = runCLI(t, "", map[string]string{"PATH": t.TempDir()}, "convert", "x", "--authfile", missing)
	if r.code != exitNoCredentials || !strings.Contains(r.stderr, "not installed") {
		t.Errorf("missing helper: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestInspectJSONAndWarnings(t *testing.T) {
	t.Parallel()
	cfg := writeFile(t, "config.json", `{"auths":{
		"https://Quay.IO/v1/":{"auth":"`+strings.TrimRight(dockercfg.EncodeAuth("u", "secret-pw"), "=")+`"},
		"docker.io":{"username":"hub","password":"hub-pw"},
		"ghcr.io":{"identitytoken":"tok-123"},
		"empty.example.com":{}
	}}`)
	r := runCLI(t, "", nil, "inspect", "--authfile", cfg, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep struct {
		Entries []struct {
			Key, Registry, Username, Kind, Password string
			Warnings                                []string
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Entries) != 4 {
		t.Fatalf("entries: %+v", rep.Entries)
	}
	wantKind := []string{"auth", "password", "identitytoken", "empty"}
	wantWarn := []string{"unpadded", "Docker Hub alias", "identity token", "no credentials"}
	for i, e := range rep.Entries {
		if e.Kind != wantKind[i] {
			t.Errorf("%s: kind %q, want %q", e.Key, e.Kind, wantKind[i])
		}
		if !strings.Contains(strings.Join(e.Warnings, "|"), wantWarn[i]) {
			t.Errorf("%s: warnings %q lack %q", e.Key, e.Warnings, wantWarn[i])
		}
		if e.Password != "" {
			t.Errorf("%s: password shown without --show-secrets", e.Key)
		}
	}
	if rep.Entries[0].Registry != "quay.io" {
		t.Errorf("registry %q", rep.Entries[0].Registry)
	}
	if strings.Contains(r.stdout, "secret-pw") || strings.Contains(r.stdout, "hub-pw") || strings.Contains(r.stdout, "tok-123") {
		t.Errorf("secret in redacted report: %s", r.stdout)
	}
	r = runCLI(t, "", nil, "inspect", "--authfile", cfg, "--show-secrets")
	if !strings.Contains(r.stdout, "hub-pw") {
		t.Errorf("--show-secrets did not reveal: %s", r.stdout)
	}
	if r := runCLI(t, "", nil, "inspect", "--authfile", cfg, "--strict"); r.code != 1 {
		t.Errorf("--strict: exit %d", r.code)
	}
}

func TestAuthfileKeepsCommas(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a,b")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(`{"auths":{"quay.io":{"auth":"`+dockercfg.EncodeAuth("u", "p")+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", nil, "inspect", "--authfile", p); r.code != 0 || !strings.Contains(r.stdout, "quay.io") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// issue 8 item 4: an uninstalled credsStore with --skip-unresolved keeps the
// inline entries (with a warning naming each registry and why), leaves out
// the others (one warning each) and fails only when nothing is left.
func TestConvertMissingStoreKeepsInline(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PATH": t.TempDir(), "HOME": t.TempDir()}
	cfg := writeFile(t, "config.json", `{"auths":{"quay.io":{"auth":"`+dockercfg.EncodeAuth("alice", "quay-secret")+`"},"ghcr.io":{}},"credsStore":"desktop"}`)
	r := runCLI(t, "", env, "convert", "x", "--authfile", cfg, "--skip-unresolved")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	auths := secretPayload(t, r.stdout)
	if len(auths) != 1 || auths["quay.io"]["username"] != "alice" || auths["quay.io"]["password"] != "quay-secret" {
		t.Errorf("payload %v, want quay.io's inline credentials", auths)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	want := [][]string{
		{`credential store "desktop"`, "not installed"},
		{`"ghcr.io"`, "not installed", "left out"},
		{`"quay.io"`, "not installed", "inline credentials"},
	}
	if len(lines) != len(want) {
		t.Fatalf("stderr %q: want %d warning lines", r.stderr, len(want))
	}
	for i, l := range lines {
		for _, s := range want[i] {
			if !strings.Contains(l, s) {
				t.Errorf("stderr line %q lacks %q", l, s)
			}
		}
	}
	if strings.Contains(r.stderr, "quay-secret") || strings.Contains(r.stderr, dockercfg.EncodeAuth("alice", "quay-secret")) {
		t.Errorf("secret on stderr: %q", r.stderr)
	}

	// Nothing left: exit 3, every registry named.
	none := writeFile(t, "config.json", `{"auths":{"ghcr.io":{}},"credsStore":"desktop"}`)
	r = runCLI(t, "", env, "convert", "x", "--authfile", none, "--skip-unresolved")
	if r.code != exitNoCredentials || !strings.Contains(r.stderr, `"ghcr.io"`) || !strings.Contains(r.stderr, "no credentials to convert") {
		t.Errorf("nothing left: exit %d, stderr %q", r.code, r.stderr)
	}
}

// issue 8 item 6: the seed's example pull secret is type Opaque, which the
// kubelet ignores; convert reads it with a warning naming it and writes the
// proper kubernetes.io/dockerconfigjson Secret, keeping its name and
// namespace unless NAME or -n is given. Other readers keep refusing it.
func TestConvertRepairsOpaquePullSecret(t *testing.T) {
	t.Parallel()
	payload := `{"auths":{"quay.io":{"auth":"` + dockercfg.EncodeAuth("alice", "opaque-Secret-1") + `","email":"you@example.com"}}}`
	opaque := "apiVersion: v1\ndata:\n  .dockerconfigjson: " + base64.StdEncoding.EncodeToString([]byte(payload)) +
		"\nkind: Secret\nmetadata:\n  creationTimestamp: \"2021-09-09T19:10:11Z\"\n  name: pull-secret\n  namespace: default\n" +
		"  resourceVersion: \"37676\"\n  uid: e2851531-01bc-48ba-878c-de96cfe31020\ntype: Opaque\n"
	file := writeFile(t, "ps.yaml", opaque)
	wantWarning := "pullsecret: warning: " + file + ": secret default/pull-secret is type Opaque, which the kubelet ignores; converting its .dockerconfigjson\n"

	type meta struct {
		Type     string `json:"type"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	for _, tt := range []struct {
		args          []string
		name, ns, typ string
	}{
		{nil, "pull-secret", "default", "kubernetes.io/dockerconfigjson"},
		{[]string{"fixed"}, "fixed", "default", "kubernetes.io/dockerconfigjson"},
		{[]string{"fixed", "-n", "team-a", "--type", "dockercfg"}, "fixed", "team-a", "kubernetes.io/dockercfg"},
	} {
		r := runCLI(t, "", nil, append([]string{"convert", "--authfile", file}, tt.args...)...)
		if r.code != 0 {
			t.Errorf("convert %v: exit %d, stderr %q", tt.args, r.code, r.stderr)
			continue
		}
		if r.stderr != wantWarning {
			t.Errorf("convert %v: stderr\n got %q\nwant %q", tt.args, r.stderr, wantWarning)
		}
		var m meta
		if err := yaml.Unmarshal([]byte(r.stdout), &m); err != nil || m.Type != tt.typ || m.Metadata.Name != tt.name || m.Metadata.Namespace != tt.ns {
			t.Errorf("convert %v: %v %+v, want %s %s/%s\n%s", tt.args, err, m, tt.typ, tt.ns, tt.name, r.stdout)
		}
		if tt.typ == "kubernetes.io/dockerconfigjson" {
			if e := secretPayload(t, r.stdout)["quay.io"]; e["username"] != "alice" || e["password"] != "opaque-Secret-1" || e["email"] != "you@example.com" {
				t.Errorf("convert %v: entry %v", tt.args, e)
			}
		}
	}
	// The readers that predict what the kubelet does keep refusing it.
	for _, args := range [][]string{{"match", "--authfile", file, "quay.io/x/y"}, {"inspect", "--authfile", file}} {
		r := runCLI(t, "", nil, args...)
		if r.code == 0 || !strings.Contains(r.stderr, "type Opaque") {
			t.Errorf("%v: exit %d, stderr %q; want a refusal naming type Opaque", args, r.code, r.stderr)
		}
	}
	// Several Secrets and no NAME: say what is missing.
	two := writeFile(t, "two.yaml", opaque+"---\n"+strings.Replace(opaque, "name: pull-secret", "name: other", 1))
	r := runCLI(t, "", nil, "convert", "--authfile", two)
	if r.code != exitUsage || !strings.Contains(r.stderr, "NAME is required") {
		t.Errorf("two secrets without NAME: exit %d, stderr %q", r.code, r.stderr)
	}
}
