package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/internal/golden"
)

// TestCreateConformance runs every kubectl create secret docker-registry
// vector in process: stdout must be byte-identical to kubectl v1.37's.
// It changes directory (t.Chdir), so neither it nor its subtests are parallel.
func TestCreateConformance(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "conformance", "kubectl-create.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type vector struct {
		Name   string            `json:"name"`
		Args   []string          `json:"args"`
		Files  map[string]string `json:"files"`
		Exit   int               `json:"exit"`
		Stdout string            `json:"stdout"`
	}
	var vectors []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("vector %q: %v", sc.Text(), err)
		}
		vectors = append(vectors, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 18 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range v.Files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			r := runCLI(t, "", nil, append([]string{"create"}, v.Args...)...)
			if r.code != v.Exit {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, v.Exit, r.stderr)
			}
			if diff := cmp.Diff(v.Stdout, r.stdout); diff != "" {
				t.Errorf("stdout differs from kubectl (-kubectl +pullsecret):\n%s", diff)
			}
			// Also with --dry-run=client, as the vectors were recorded.
			r2 := runCLI(t, "", nil, append([]string{"create", "--dry-run=client"}, v.Args...)...)
			if r2.stdout != r.stdout || r2.code != r.code {
				t.Errorf("--dry-run=client changed the result")
			}
		})
	}
}

// Planted in the bad inputs below; none may reach stderr.
const (
	createPassword = "Create-Planted-Pw-7731"
	createUser     = "planted-create-user"
)

func TestCreateBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	auth := base64.StdEncoding.EncodeToString([]byte(createUser + ":" + createPassword))
	noColon := base64.StdEncoding.EncodeToString([]byte(createPassword))
	good := `{"auths":{"quay.io":{"auth":"` + auth + `"}}}`
	legacy := `{"quay.io":{"auth":"` + auth + `"}}`
	if err := os.Mkdir(filepath.Join(dir, "confdir"), 0o700); err != nil {
		t.Fatal(err)
	}
	pwFile := file("pw.txt", createPassword+"\n")
	creds := []string{"-u", createUser, "--password-stdin"}
	cmd := func(args ...string) []string { return append([]string{"create"}, args...) }
	withCreds := func(args ...string) []string { return append(cmd(args...), creds...) }

	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		want     []string // substrings of the one stderr line
	}{
		{"missing NAME", withCreds(), createPassword, 2, []string{"exactly one NAME is required, got 0"}},
		{"two NAMEs", withCreds("a", "b"), createPassword, 2, []string{"exactly one NAME is required, got 2"}},
		{"bad name", withCreds("Reg_Cred"), createPassword, 1, []string{`metadata.name: Invalid value: "Reg_Cred"`}},
		{"bad name with argv password", cmd("Reg_Cred", "-u", createUser, "-p", createPassword), "", 1, []string{"metadata.name"}},
		{"bad namespace", withCreds("r", "-n", "Team_A"), createPassword, 1, []string{"metadata.namespace"}},
		{"no credentials", cmd("r"), "", 2, []string{"--from-file", "--docker-username"}},
		{"no password", cmd("r", "-u", createUser), "", 2, []string{"--docker-username", "password"}},
		{"no username", cmd("r", "--password-stdin"), createPassword, 2, []string{"--docker-username"}},
		{"empty username", cmd("r", "--docker-username=", "--password-stdin"), createPassword, 1, []string{"--docker-username", "username is empty"}},
		{"colon in username", cmd("r", "-u", "a:b", "--password-stdin"), createPassword, 1, []string{"--docker-username", "':'"}},
		{"empty server", withCreds("r", "--docker-server="), createPassword, 2, []string{"--docker-server"}},
		{"bad server", withCreds("r", "--docker-server=ftp://quay.io"), createPassword, 1, []string{"--docker-server", "scheme"}},
		{"empty stdin", withCreds("r"), "\n", 1, []string{"--password-stdin", "empty"}},
		{"stdin and argv", cmd("r", "-u", createUser, "-p", createPassword, "--password-stdin"), createPassword, 2, []string{"--docker-password", "--password-stdin"}},
		{"file and argv", cmd("r", "-u", createUser, "--password", createPassword, "--password-file", pwFile), "", 2, []string{"--docker-password", "--password-file"}},
		{"password file missing", cmd("r", "-u", createUser, "--password-file", filepath.Join(dir, "nope.txt")), "", 1, []string{"--password-file", "nope.txt", "no such file"}},
		{"password env unset", cmd("r", "-u", createUser, "--password-env", "NO_SUCH_VAR"), "", 1, []string{"--password-env NO_SUCH_VAR"}},
		{"from-file directory", cmd("r", "--from-file", filepath.Join(dir, "confdir")), "", 1, []string{"confdir", "is a directory"}},
		{"from-file missing", cmd("r", "--from-file", filepath.Join(dir, "missing.json")), "", 1, []string{"missing.json", "no such file or directory"}},
		{"from-file not JSON", cmd("r", "--from-file", file("notjson.json", "auths: "+createPassword)), "", 1, []string{"notjson.json", "not a docker config or Kubernetes manifest"}},
		{"from-file JSON array", cmd("r", "--from-file", file("array.json", `["`+auth+`"]`)), "", 1, []string{"array.json", "array"}},
		{"from-file top-level string", cmd("r", "--from-file", file("string.json", `"`+auth+`"`)), "", 1, []string{"string.json", "string"}},
		{"from-file wrong type", cmd("r", "--from-file", file("legacy.json", legacy)), "", 1, []string{"legacy.json", "legacy flat dockercfg map", "kubernetes.io/dockerconfigjson"}},
		{"from-file auths in dockercfg", cmd("r", "--type", "dockercfg", "--from-file", file("auths.json", good)), "", 1, []string{"auths.json", "kubernetes.io/dockercfg"}},
		{"from-file auth not base64", cmd("r", "--from-file", file("b64.json", `{"auths":{"quay.io":{"auth":"`+createPassword+`!!"}}}`)), "", 1, []string{"b64.json", `"quay.io"`, "base64"}},
		{"from-file auth without colon", cmd("r", "--from-file", file("colon.json", `{"auths":{"quay.io":{"auth":"`+noColon+`"}}}`)), "", 1, []string{"colon.json", `"quay.io"`, "colon"}},
		{"from-file BOM", cmd("r", "--from-file", file("bom.json", "\xef\xbb\xbf"+good)), "", 1, []string{"bom.json", "byte-order mark"}},
		{"from-file duplicate keys", cmd("r", "--from-file", file("dup.json", `{"auths":{"quay.io":{"auth":"`+auth+`"},"quay.io":{"auth":"`+auth+`"}}}`)), "", 1, []string{"dup.json", "duplicate", "quay.io"}},
		{"from-file package.json", cmd("r", "--from-file", file("package.json", `{"name":"app","version":"1.0.0","scripts":{"x":"`+createPassword+`"}}`)), "", 1, []string{"package.json", "not a docker config"}},
		{"from-file huge", cmd("r", "--from-file", file("huge.json", `{"auths":{"x.io":{"auth":"`+strings.Repeat("A", 2<<20)+`"}}}`)), "", 1, []string{"huge.json", "1048576"}},
		{"from-file credsStore only", cmd("r", "--from-file", file("store.json", `{"auths":{"quay.io":{}},"credsStore":"desktop"}`)), "", 1, []string{"store.json", `"quay.io"`, "desktop", "pullsecret convert"}},
		{"from-file empty auths", cmd("r", "--from-file", file("empty.json", `{"auths":{}}`)), "", 1, []string{"empty.json", "no registry entries"}},
		{"from-file with username", cmd("r", "--from-file", file("ok1.json", good), "-u", createUser), "", 2, []string{"--from-file", "--docker-username", "kubectl silently ignores"}},
		{"from-file with password", cmd("r", "--from-file", file("ok2.json", good), "-p", createPassword), "", 2, []string{"--from-file", "--docker-password"}},
		{"from-file other key", cmd("r", "--from-file", "config="+file("ok3.json", good)), "", 1, []string{"--from-file config=", `"config"`, ".dockerconfigjson"}},
		{"from-file bad key", cmd("r", "--from-file", "a/b="+file("ok4.json", good)), "", 1, []string{"--from-file a/b="}},
		{"from-file invalid key chars", cmd("r", "--from-file", "a b="+file("ok5.json", good)), "", 1, []string{`"a b" is not valid key name for a Secret`}},
		{"from-file key twice", cmd("r", "--from-file", file("ok6.json", good)+","+file("ok7.json", good)), "", 2, []string{"cannot add key .dockerconfigjson, another key by that name already exists"}},
		{"from-file missing key", cmd("r", "--from-file", "="+file("ok8.json", good)), "", 2, []string{"key name for file path", "missing"}},
		{"bad output", withCreds("r", "-o", "wide"), createPassword, 2, []string{"--output", `"wide"`}},
		{"raw output of other type", withCreds("r", "-o", "dockercfg"), createPassword, 2, []string{"-o dockercfg", "--type dockercfg"}},
		{"bad type", withCreds("r", "--type", "Opaque"), createPassword, 2, []string{"--type", `"Opaque"`}},
		{"bad label", withCreds("r", "--label", "novalue"), createPassword, 2, []string{"--label", "KEY=VALUE"}},
		{"invalid label", withCreds("r", "--label", "a b=c"), createPassword, 1, []string{"metadata.labels", `"a b"`}},
		{"invalid annotation", withCreds("r", "--annotation", "-x-=1"), createPassword, 1, []string{"metadata.annotations"}},
		{"dry-run server without a kubeconfig", withCreds("r", "--dry-run=server"), createPassword, 1, []string{"create: load kubeconfig", "no kubeconfig"}},
		{"force-conflicts without apply", withCreds("r", "--force-conflicts"), createPassword, 2, []string{"--force-conflicts needs --apply"}},
		{"apply with -o yaml", withCreds("r", "--apply", "-o", "yaml"), createPassword, 2, []string{"-o yaml with --apply"}},
		{"apply with dry-run client", withCreds("r", "--apply", "--dry-run=client"), createPassword, 2, []string{"--apply and --dry-run=client"}},
		{"kubeconfig without apply", withCreds("r", "--kubeconfig", "k"), createPassword, 2, []string{"--kubeconfig needs --apply"}},
		{"dry-run bad", withCreds("r", "--dry-run=maybe"), createPassword, 2, []string{"--dry-run", `"maybe"`}},
		{"unknown flag", withCreds("r", "--docker-pasword", "x"), createPassword, 2, []string{"docker-pasword"}},
		{"name too long with hash", withCreds(strings.Repeat("a", 250), "--append-hash"), createPassword, 1, []string{"metadata.name"}},
	}
	if len(tests) < 20 {
		t.Fatalf("only %d cases", len(tests))
	}
	// Every form a secret could take on stderr.
	forbidden := []string{createPassword, auth, noColon,
		base64.StdEncoding.EncodeToString([]byte(createPassword)),
		base64.StdEncoding.EncodeToString([]byte(good)),
		base64.StdEncoding.EncodeToString([]byte(`{"auths":{"https://index.docker.io/v1/":{"username":"` + createUser + `","password":"` + createPassword + `","auth":"` + auth + `"}}}`)),
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.stdin, nil, tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %.200q", r.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "pullsecret: ") {
				t.Fatalf("stderr is not one pullsecret: line:\n%s", r.stderr)
			}
			if tt.wantCode == exitError && !strings.HasPrefix(lines[0], "pullsecret: create: ") {
				t.Errorf("stderr %q lacks the create: prefix", lines[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("stderr %q lacks %q", lines[0], w)
				}
			}
			for _, s := range forbidden {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr reveals a secret (%.12s…): %s", s, r.stderr)
				}
			}
		})
	}
}

// createdEntry decodes the single entry of a -o dockerconfigjson payload.
func createdEntry(t *testing.T, payload string) (key string, entry map[string]string) {
	t.Helper()
	var cfg struct {
		Auths map[string]map[string]string `json:"auths"`
	}
	if err := json.Unmarshal([]byte(payload), &cfg); err != nil {
		t.Fatalf("payload %q: %v", payload, err)
	}
	if len(cfg.Auths) != 1 {
		t.Fatalf("payload has %d entries", len(cfg.Auths))
	}
	for k, v := range cfg.Auths {
		return k, v
	}
	return "", nil
}

func TestCreatePasswordSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwFile := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		env   map[string]string
		want  string
	}{
		{"stdin no newline", []string{"--password-stdin"}, "s3cret", nil, "s3cret"},
		{"stdin one newline stripped", []string{"--password-stdin"}, "s3cret\n", nil, "s3cret"},
		{"stdin only one newline stripped", []string{"--password-stdin"}, "s3cret\n\n", nil, "s3cret\n"},
		{"stdin crlf stripped", []string{"--password-stdin"}, "s3cret\r\n", nil, "s3cret"},
		{"stdin spaces kept", []string{"--password-stdin"}, " s3 cret \t\n", nil, " s3 cret \t"},
		{"stdin colon and html kept", []string{"--password-stdin"}, "p:w<&>\n", nil, "p:w<&>"},
		{"file", []string{"--password-file", pwFile("a", "from-file\n")}, "", nil, "from-file"},
		{"file byte exact", []string{"--password-file", pwFile("b", "  x\r")}, "", nil, "  x\r"},
		{"env", []string{"--password-env", "REG_PW"}, "", map[string]string{"REG_PW": "from-env\n"}, "from-env\n"},
		{"argv", []string{"--docker-password", "from-argv"}, "", nil, "from-argv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"create", "r", "-u", "bob", "--server", "r.example.com", "-o", "dockerconfigjson"}, tt.args...)
			r := runCLI(t, tt.stdin, tt.env, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.HasSuffix(r.stdout, "}\n") {
				t.Errorf("raw payload not newline-terminated: %q", r.stdout)
			}
			key, e := createdEntry(t, r.stdout)
			if key != "r.example.com" || e["password"] != tt.want || e["username"] != "bob" {
				t.Errorf("entry %q = %q", key, e)
			}
			if e["auth"] != base64.StdEncoding.EncodeToString([]byte("bob:"+tt.want)) {
				t.Errorf("auth %q does not carry the password", e["auth"])
			}
			wantWarn := tt.args[0] == "--docker-password"
			if gotWarn := strings.Contains(r.stderr, "warning: --docker-password"); gotWarn != wantWarn {
				t.Errorf("stderr %q: warning %v, want %v", r.stderr, gotWarn, wantWarn)
			}
			if strings.Count(r.stderr, "\n") > 1 {
				t.Errorf("more than one stderr line: %q", r.stderr)
			}
		})
	}
}

func TestCreateWarnings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.json")
	payload := `{"auths":{"https://Quay.io/v1/":{"auth":"dTpw"}}}`
	if err := os.WriteFile(conf, []byte(payload), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string // stderr lines, in order, as substrings
	}{
		{"canonical server", []string{"--server", "quay.io", "-u", "u", "--password-stdin"}, nil},
		{"docker hub alias", []string{"--server", "docker.io", "-u", "u", "--password-stdin"}, []string{`--docker-server: Docker Hub alias "docker.io"`, `"https://index.docker.io/v1/"`}},
		{"scheme", []string{"--server", "https://quay.io", "-u", "u", "--password-stdin"}, []string{`--docker-server: scheme "https://" in key "https://quay.io"; canonical key is "quay.io"`}},
		{"from-file keys", []string{"--from-file", conf}, []string{"--from-file " + conf, `canonical key is "quay.io"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "pw\n", nil, append([]string{"create", "r"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "apiVersion: v1\n") {
				t.Errorf("default output is not YAML: %q", r.stdout)
			}
			if len(tt.want) == 0 {
				if r.stderr != "" {
					t.Errorf("unexpected stderr %q", r.stderr)
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if !strings.HasPrefix(line, "pullsecret: warning: ") {
					t.Errorf("stderr line %q is not a warning", line)
				}
			}
		})
	}
}

// TestCreateGolden covers what kubectl cannot produce: the legacy type,
// labels and annotations, raw payloads, -o name.
func TestCreateGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	legacy := filepath.Join(dir, "dockercfg")
	if err := os.WriteFile(legacy, []byte(`{"quay.io":{"auth":"dTpw","email":"u@example.com"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"create", "regcred", "--server", "quay.io", "-u", "alice", "--password-stdin"}
	tests := []struct {
		name string
		args []string
	}{
		{"default.yaml", base},
		{"dockercfg.yaml", append(base, "--type", "dockercfg")},
		{"dockercfg.json", append(base, "--type=kubernetes.io/dockercfg", "-o", "json")},
		{"dockercfg.raw", append(base, "--type", "dockercfg", "-o", "dockercfg")},
		{"dockerconfigjson.raw", append(base, "-o", "dockerconfigjson")},
		{"labels.yaml", append(base, "-n", "team-a", "--label", "app=web", "--label", "tier=front", "--annotation", "note=a, b & <c>", "--append-hash")},
		{"labels.json", append(base, "-n", "team-a", "--label", "app=web", "--annotation", "note=a, b & <c>", "-o", "json")},
		{"name.txt", append(base, "--append-hash", "-o", "name")},
		{"fromfile-dockercfg.yaml", []string{"create", "legacy", "--type", "dockercfg", "--from-file", legacy}},
		{"fromfile-dockercfg.raw", []string{"create", "legacy", "--type", "dockercfg", "--from-file", ".dockercfg=" + legacy, "-o", "dockercfg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "alice-secret\n", nil, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden.Assert(t, filepath.Join("testdata", "create", tt.name), []byte(r.stdout))
			if strings.HasSuffix(tt.name, ".yaml") {
				var obj map[string]any
				if err := yaml.Unmarshal([]byte(r.stdout), &obj); err != nil {
					t.Errorf("not YAML: %v", err)
				}
			}
		})
	}
}
