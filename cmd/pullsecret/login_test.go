package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/secrets"
)

const (
	loginPass = "login-Secret-Pw-7"
	oldAuth   = "b2xkOm9sZC1wdw==" // old:old-pw
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkStderr asserts one stderr line (ignoring --docker-password and key
// warnings) holding want, and no password.
func checkStderr(t *testing.T, r result, want string) {
	t.Helper()
	if strings.Contains(r.stderr, loginPass) || strings.Contains(r.stderr, "old-pw") {
		t.Errorf("password on stderr: %q", r.stderr)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(l, "pullsecret: warning:") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Errorf("stderr = %q, want one line with %q", r.stderr, want)
	}
}

// configDoc is a config.json as docker writes it (tab-indented, fields in
// the order our encoder keeps), with members and fields we do not know.
const configDoc = `{
	"auths": {
		"quay.io": {
			"email": "old@example.com",
			"auth": "` + oldAuth + `",
			"x-unknown": {"a": [1, 2]}
		},
		"other.example.com": {
			"auth": "YTpi"
		}
	},
	"credsStore": "desktop",
	"HttpHeaders": {
		"User-Agent": "Docker-Client/x"
	},
	"psFormat": "table {{.ID}}"
}
`

func TestLoginNewFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "sub", "config.json")
	r := runCLI(t, loginPass+"\n", nil, "login", "registry.example.com", "--to", p, "-u", "bob", "--password-stdin", "--email", "b@x.io")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkStderr(t, r, "Added credentials for registry.example.com to "+p)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	want := "{\n\t\"auths\": {\n\t\t\"registry.example.com\": {\n\t\t\t\"email\": \"b@x.io\",\n\t\t\t\"auth\": \"" + b64("bob:"+loginPass) + "\"\n\t\t}\n\t}\n}\n"
	if diff := cmp.Diff(want, readFile(t, p)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
}

func TestLoginKeepsEverything(t *testing.T) {
	t.Parallel()
	newAuth := b64("bob:" + loginPass)
	tests := []struct {
		name   string
		server string
		args   []string
		want   string
	}{
		{
			name: "replace keeps email and unknown fields", server: "quay.io",
			want: strings.Replace(configDoc, `"auth": "`+oldAuth+`"`, `"auth": "`+newAuth+`"`, 1),
		},
		{
			name: "replace with new email", server: "quay.io", args: []string{"--docker-email", "new@example.com"},
			want: strings.NewReplacer(`"auth": "`+oldAuth+`"`, `"auth": "`+newAuth+`"`, "old@example.com", "new@example.com").Replace(configDoc),
		},
		{
			name: "add", server: "new.example.com:5000",
			want: strings.Replace(configDoc, "\"auth\": \"YTpi\"\n\t\t}\n", "\"auth\": \"YTpi\"\n\t\t},\n\t\t\"new.example.com:5000\": {\n\t\t\t\"auth\": \""+newAuth+"\"\n\t\t}\n", 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Our encoder writes inline objects indented; start from its
			// rendering so that the comparison is byte for byte.
			cfg, err := dockercfg.Parse([]byte(configDoc))
			if err != nil {
				t.Fatal(err)
			}
			in, err := cfg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, "config.json", string(in))
			wantCfg, err := dockercfg.Parse([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			want, err := wantCfg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"login", tt.server, "--to", p, "-u", "bob", "--password-env", "PW"}, tt.args...)
			r := runCLI(t, "", map[string]string{"PW": loginPass}, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			verb := "Replaced credentials for " + tt.server + " in "
			if tt.name == "add" {
				verb = "Added credentials for " + tt.server + " to "
			}
			checkStderr(t, r, verb+p)
			if diff := cmp.Diff(string(want), readFile(t, p)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

// secretManifest is a global pull secret as oc get -o yaml shows it.
func secretManifest(t *testing.T, typ, payload string) map[string]any {
	t.Helper()
	key := ".dockerconfigjson"
	if typ == "kubernetes.io/dockercfg" {
		key = ".dockercfg"
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata": map[string]any{
			"name": "pull-secret", "namespace": "openshift-config",
			"resourceVersion": "1234", "uid": "0b1c-22",
			"creationTimestamp": "2024-01-01T00:00:00Z",
			"labels":            map[string]any{"app": "x"},
			"annotations":       map[string]any{"note": "keep me"},
		},
		"data": map[string]any{key: b64(payload)},
		"type": typ,
	}
}

func TestLoginSecretManifest(t *testing.T) {
	t.Parallel()
	oldPayload := `{"auths":{"cloud.openshift.com":{"auth":"` + oldAuth + `","email":"ops@example.com"},"quay.io":{"auth":"YTpi"}}}`
	tests := []struct {
		name, typ, format string
		wantPayload       string
	}{
		{"yaml dockerconfigjson", "kubernetes.io/dockerconfigjson", "yaml",
			`{"auths":{"cloud.openshift.com":{"auth":"` + oldAuth + `","email":"ops@example.com"},"quay.io":{"auth":"` + b64("bob:"+loginPass) + `"},"registry.example.com":{"auth":"YTpi"}}}`},
		{"json dockerconfigjson", "kubernetes.io/dockerconfigjson", "json",
			`{"auths":{"cloud.openshift.com":{"auth":"` + oldAuth + `","email":"ops@example.com"},"quay.io":{"auth":"` + b64("bob:"+loginPass) + `"},"registry.example.com":{"auth":"YTpi"}}}`},
		{"json dockercfg", "kubernetes.io/dockercfg", "json",
			`{"cloud.openshift.com":{"auth":"` + oldAuth + `","email":"ops@example.com"},"quay.io":{"auth":"` + b64("bob:"+loginPass) + `"},"registry.example.com":{"auth":"YTpi"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := oldPayload
			if tt.typ == "kubernetes.io/dockercfg" {
				payload = `{"cloud.openshift.com":{"auth":"` + oldAuth + `","email":"ops@example.com"},"quay.io":{"auth":"YTpi"}}`
			}
			obj := secretManifest(t, tt.typ, payload)
			var in []byte
			var err error
			if tt.format == "yaml" {
				in, err = yaml.Marshal(obj)
			} else {
				in, err = json.MarshalIndent(obj, "", "    ")
			}
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, "ps."+tt.format, string(in))
			// Replace quay.io, add registry.example.com (copying quay.io's old value).
			r := runCLI(t, "", map[string]string{"PW": "b"}, "login", "registry.example.com", "--to", p, "-u", "a", "--password-env", "PW")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			r = runCLI(t, "", map[string]string{"PW": loginPass}, "login", "quay.io", "--to", p, "-u", "bob", "--password-env", "PW")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			checkStderr(t, r, `Replaced credentials for quay.io in `+p+` (was user "a")`)
			out := readFile(t, p)
			if tt.format == "json" && !strings.HasPrefix(out, "{\n    \"apiVersion\"") {
				t.Errorf("JSON in, not JSON (4-space indent) out:\n%s", out)
			}
			if tt.format == "yaml" && !strings.HasPrefix(out, "apiVersion: v1\n") {
				t.Errorf("YAML in, not YAML out:\n%s", out)
			}
			var got map[string]any
			if err := yaml.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			want := secretManifest(t, tt.typ, tt.wantPayload)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("manifest (-want +got):\n%s", diff)
			}
			srcs, err := secrets.ReadSource(p, []byte(out))
			if err != nil || len(srcs) != 1 {
				t.Fatalf("ReadSource: %v, %d sources", err, len(srcs))
			}
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	doc := `{"auths":{"https://index.docker.io/v1/":{"auth":"YTpi"},"quay.io":{"auth":"YTpi"},"quay.io/org":{"auth":"YTpi"}},"credsStore":"desktop"}`
	tests := []struct {
		name, server string
		wantKeys     []string
		wantCode     int
		wantErr      string
	}{
		{"exact", "quay.io", []string{"https://index.docker.io/v1/", "quay.io/org"}, 0, "Removed 1 entry for quay.io"},
		{"normalised docker hub", "docker.io", []string{"quay.io", "quay.io/org"}, 0, "Removed 1 entry for docker.io"},
		{"normalised scheme", "https://quay.io/org", []string{"https://index.docker.io/v1/", "quay.io"}, 0, "Removed 1 entry"},
		{"not found", "ghcr.io", nil, 1, "no entry for ghcr.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, "config.json", doc)
			r := runCLI(t, "", nil, "logout", tt.server, "--from", p)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.stderr)
			}
			checkStderr(t, r, tt.wantErr)
			if tt.wantCode != 0 {
				if readFile(t, p) != doc {
					t.Error("file changed by a failed logout")
				}
				return
			}
			cfg, err := dockercfg.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, e := range cfg.Entries {
				keys = append(keys, e.Key)
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if cfg.CredsStore != "desktop" {
				t.Errorf("credsStore lost")
			}
		})
	}
}

func TestLogoutSecretYAML(t *testing.T) {
	t.Parallel()
	in, err := yaml.Marshal(secretManifest(t, "kubernetes.io/dockerconfigjson", `{"auths":{"quay.io":{"auth":"YTpi"},"docker.io":{"auth":"YTpi"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "ps.yaml", string(in))
	r := runCLI(t, "", nil, "logout", "https://index.docker.io/v1/", "--from", p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, p)), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(secretManifest(t, "kubernetes.io/dockerconfigjson", `{"auths":{"quay.io":{"auth":"YTpi"}}}`), got); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
}

func TestLoginCheck(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	tests := []struct {
		name, server, pass string
		wantCode           int
		want               string
	}{
		{"good", env.RegistryHost, tpAlicePass, 0, "Added credentials for " + env.RegistryHost + " to "},
		{"good with path", env.RegistryHost + "/team", tpAlicePass, 0, "Added credentials for " + env.RegistryHost + "/team to "},
		{"wrong password", env.RegistryHost, tpWrongPass, exitRejected, "rejected the credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, "config.json", configDoc)
			args := append([]string{"login", tt.server, "--to", p, "-u", "alice", "--password-env", "PW", "--check"}, netArgs(env, true)...)
			r := runCLI(t, "", map[string]string{"PW": tt.pass}, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.stderr)
			}
			checkStderr(t, r, tt.want)
			if strings.Contains(r.stderr, tt.pass) {
				t.Errorf("password on stderr")
			}
			cfg, err := dockercfg.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			e := cfg.Entry(tt.server)
			if tt.wantCode != 0 {
				if readFile(t, p) != configDoc {
					t.Error("file changed although the check failed")
				}
				return
			}
			if e == nil || e.Password != tt.pass {
				t.Errorf("entry not saved")
			}
		})
	}
}

func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opaque, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "x"}, "type": "Opaque", "data": map[string]any{"a": b64("b")}})
	if err != nil {
		t.Fatal(err)
	}
	opaqueFile := writeFile(t, "opaque.yaml", string(opaque))
	pwFile := writeFile(t, "pw", loginPass)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"missing --to", []string{"login", "quay.io", "-u", "a", "--password-file", pwFile}, exitUsage, "--to FILE is required"},
		{"no server", []string{"login", "--to", filepath.Join(dir, "x.json"), "-u", "a", "--password-file", pwFile}, exitUsage, "exactly one SERVER"},
		{"password twice", []string{"login", "quay.io", "--to", filepath.Join(dir, "y.json"), "-u", "a", "--password-file", pwFile, "--password-env", "PW"}, exitUsage, "use exactly one"},
		{"no password", []string{"login", "quay.io", "--to", filepath.Join(dir, "y.json"), "-u", "a"}, exitUsage, "are required"},
		{"bad secret type", []string{"login", "quay.io", "--to", opaqueFile, "-u", "a", "--password-file", pwFile}, exitError, "not a usable pull secret"},
		{"directory", []string{"login", "quay.io", "--to", dir, "-u", "a", "--password-file", pwFile}, exitError, "is a directory"},
		{"not a config", []string{"login", "quay.io", "--to", writeFile(t, "bad.json", `{"foo":1}`), "-u", "a", "--password-file", pwFile}, exitError, "bad.json"},
		{"logout missing --from", []string{"logout", "quay.io"}, exitUsage, "--from FILE is required"},
		{"logout missing file", []string{"logout", "quay.io", "--from", filepath.Join(dir, "none.json")}, exitError, "none.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", map[string]string{"PW": loginPass}, tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.stderr)
			}
			checkStderr(t, r, tt.want)
		})
	}
	// Cleanup runs after the parallel subtests.
	t.Cleanup(func() {
		if readFile(t, opaqueFile) != string(opaque) {
			t.Error("Opaque secret rewritten")
		}
		for _, f := range []string{"x.json", "y.json"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				t.Errorf("%s created by a failed login", f)
			}
		}
	})
}

func TestLoginLegacyAndEmptyFiles(t *testing.T) {
	t.Parallel()
	newAuth := b64("bob:" + loginPass)
	tests := []struct {
		name, file, in, want string
	}{
		{
			name: "legacy .dockercfg", file: ".dockercfg",
			in: `{"quay.io":{"auth":"` + oldAuth + `","email":"o@x.io"}}`,
			// A compact file stays compact; quay.io is kept byte for byte.
			want: `{"quay.io":{"auth":"` + oldAuth + `","email":"o@x.io"},"ghcr.io":{"auth":"` + newAuth + `"}}`,
		},
		{
			name: "empty file", file: "config.json", in: "\n",
			want: "{\n\t\"auths\": {\n\t\t\"ghcr.io\": {\n\t\t\t\"auth\": \"" + newAuth + "\"\n\t\t}\n\t}\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, tt.file, tt.in)
			r := runCLI(t, "", map[string]string{"PW": loginPass}, "login", "ghcr.io", "--to", p, "-u", "bob", "--password-env", "PW")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, readFile(t, p)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoginCheckBasic(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{Mode: registrytest.Htpasswd, Users: map[string]string{"alice": tpAlicePass}})
	for _, tt := range []struct {
		pass     string
		wantCode int
	}{{tpAlicePass, 0}, {tpWrongPass, exitRejected}} {
		p := filepath.Join(t.TempDir(), "config.json")
		args := append([]string{"login", env.RegistryHost, "--to", p, "-u", "alice", "--password-env", "PW", "--check"}, netArgs(env, true)...)
		r := runCLI(t, "", map[string]string{"PW": tt.pass}, args...)
		if r.code != tt.wantCode || strings.Contains(r.stderr, tt.pass) {
			t.Errorf("password %d: exit %d, want %d: %s", len(tt.pass), r.code, tt.wantCode, r.stderr)
		}
		if _, err := os.Stat(p); (err == nil) != (tt.wantCode == 0) {
			t.Errorf("file exists = %v after exit %d", err == nil, r.code)
		}
	}
}

// TestLoginSaysWhatHappened: login says whether it added or replaced an
// entry (with the old user name), logout how many it removed; --diff prints
// the change on stdout, redacted; nothing else in the file changes.
func TestLoginSaysWhatHappened(t *testing.T) {
	t.Parallel()
	newAuth := b64("bob:" + loginPass)
	p := writeFile(t, "config.json", configDoc)
	login := func(server string, extra ...string) result {
		t.Helper()
		r := runCLI(t, "", map[string]string{"PW": loginPass}, append([]string{"login", server, "--to", p, "-u", "bob", "--password-env", "PW"}, extra...)...)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return r
	}
	noSecrets := func(r result) {
		t.Helper()
		for _, s := range []string{loginPass, "old-pw", oldAuth, newAuth, "YTpi"} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("secret %q in the output:\n%s%s", s, r.stdout, r.stderr)
			}
		}
	}

	r := login("quay.io", "--diff")
	checkStderr(t, r, `Replaced credentials for quay.io in `+p+` (was user "old")`)
	noSecrets(r)
	wantDiff := "--- " + p + "\n+++ " + p + "\n" +
		`-"quay.io": {"username": "old", "email": "old@example.com", "auth": "` + dockercfg.Redact(oldAuth) + `"}` + "\n" +
		`+"quay.io": {"username": "bob", "email": "old@example.com", "auth": "` + dockercfg.Redact(newAuth) + `"}` + "\n"
	if diff := cmp.Diff(wantDiff, r.stdout); diff != "" {
		t.Errorf("--diff (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(strings.Replace(configDoc, oldAuth, newAuth, 1), readFile(t, p)); diff != "" {
		t.Errorf("file: more than the replaced auth changed (-want +got):\n%s", diff)
	}

	r = login("new.example.com")
	checkStderr(t, r, "Added credentials for new.example.com to "+p)
	if r.stdout != "" {
		t.Errorf("stdout without --diff: %q", r.stdout)
	}

	r = runCLI(t, "", nil, "logout", "other.example.com", "--from", p, "--diff")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkStderr(t, r, "Removed 1 entry for other.example.com from "+p)
	noSecrets(r)
	wantDiff = "--- " + p + "\n+++ " + p + "\n" + `-"other.example.com": {"username": "a", "auth": "` + dockercfg.Redact("YTpi") + `"}` + "\n"
	if diff := cmp.Diff(wantDiff, r.stdout); diff != "" {
		t.Errorf("logout --diff (-want +got):\n%s", diff)
	}
}
