package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets planted in the malformed inputs below; none may reach stderr.
const (
	plantedPassword = "hunter2-planted-password"
	plantedUser     = "planted-user"
)

var plantedAuth = base64.StdEncoding.EncodeToString([]byte(plantedUser + ":" + plantedPassword))

// TestBadInputCredentialSources feeds malformed credential sources and flag
// combinations to inspect, convert and match. Each must exit 1, 2 or 3 with
// exactly one stderr line naming the file (or flag) and the entry, never
// panic, and never print a password or auth value.
func TestBadInputCredentialSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noColon := base64.StdEncoding.EncodeToString([]byte(plantedPassword))
	emptyUser := base64.StdEncoding.EncodeToString([]byte(":" + plantedPassword))
	huge := `{"auths":{"x.io":{"auth":"` + strings.Repeat("A", 17<<20) + `"}}}`
	secretYAML := func(typ, key, payload string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: team-a\ntype: " + typ +
			"\ndata:\n  " + key + ": " + base64.StdEncoding.EncodeToString([]byte(payload)) + "\n"
	}
	good := `{"auths":{"quay.io":{"auth":"` + plantedAuth + `"}}}`
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		want     []string // substrings of the stderr line
	}{
		{"not json", []string{"inspect", "--authfile", file("notjson.json", "auths: "+plantedPassword)}, "", 1, []string{"notjson.json"}},
		{"array top level", []string{"inspect", "--authfile", file("array.json", `["`+plantedAuth+`"]`)}, "", 1, []string{"array.json"}},
		{"auth not base64", []string{"inspect", "--authfile", file("b64.json", `{"auths":{"quay.io":{"auth":"`+plantedPassword+`!!"}}}`)}, "", 1, []string{"b64.json", `"quay.io"`, "base64"}},
		{"auth without colon", []string{"convert", "x", "--authfile", file("colon.json", `{"auths":{"quay.io":{"auth":"`+noColon+`"}}}`)}, "", 1, []string{"colon.json", `"quay.io"`, "colon"}},
		{"empty username", []string{"inspect", "--authfile", file("emptyuser.json", `{"auths":{"ghcr.io":{"auth":"`+emptyUser+`"}}}`)}, "", 1, []string{"emptyuser.json", `"ghcr.io"`, "empty username"}},
		{"huge file", []string{"inspect", "--authfile", file("huge.json", huge)}, "", 1, []string{"huge.json", "too large"}},
		{"byte order mark", []string{"inspect", "--authfile", file("bom.json", "\xef\xbb\xbf"+good)}, "", 1, []string{"bom.json", "byte-order mark"}},
		{"duplicate registry keys", []string{"inspect", "--authfile", file("dup.json", `{"auths":{"quay.io":{"auth":"`+plantedAuth+`"},"quay.io":{"auth":"`+plantedAuth+`"}}}`)}, "", 1, []string{"dup.json", "duplicate", "quay.io"}},
		{"duplicate field", []string{"inspect", "--authfile", file("dupfield.json", `{"auths":{"quay.io":{"auth":"`+plantedAuth+`","auth":"`+plantedAuth+`"}}}`)}, "", 1, []string{"dupfield.json", "quay.io", "duplicate"}},
		{"entry not an object", []string{"inspect", "--authfile", file("entry.json", `{"auths":{"quay.io":"`+plantedAuth+`"}}`)}, "", 1, []string{"entry.json", `"quay.io"`}},
		{"auth not a string", []string{"inspect", "--authfile", file("authnum.json", `{"auths":{"quay.io":{"auth":12345}}}`)}, "", 1, []string{"authnum.json", `"quay.io"`, "auth"}},
		{"credHelpers value not a string", []string{"inspect", "--authfile", file("helpers.json", `{"credHelpers":{"gcr.io":["x"]}}`)}, "", 1, []string{"helpers.json", "gcr.io"}},
		{"package.json is not a config", []string{"inspect", "--authfile", file("package.json", `{"name":"app","version":"1.0.0","scripts":{"x":"`+plantedPassword+`"}}`)}, "", 1, []string{"package.json", "not a"}},
		{"empty file", []string{"inspect", "--authfile", file("empty.json", "")}, "", 1, []string{"empty.json", "empty"}},
		{"directory", []string{"inspect", "--authfile", dir}, "", 1, []string{dir, "directory"}},
		{"missing file", []string{"inspect", "--authfile", filepath.Join(dir, "nope.json")}, "", 1, []string{"nope.json"}},
		{"Opaque secret", []string{"inspect", "--authfile", file("opaque.yaml", secretYAML("Opaque", ".dockerconfigjson", good))}, "", 1, []string{"opaque.yaml", "regcred", "Opaque"}},
		{"secret type/key mismatch", []string{"inspect", "--authfile", file("mismatch.yaml", secretYAML("kubernetes.io/dockerconfigjson", ".dockercfg", good))}, "", 1, []string{"mismatch.yaml", "regcred", ".dockercfg"}},
		{"secret payload malformed", []string{"convert", "x", "--authfile", file("badpayload.yaml", secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"quay.io":{"auth":"`+noColon+`"}}}`))}, "", 1, []string{"badpayload.yaml", "regcred", "quay.io"}},
		{"stdin twice", []string{"inspect", "--authfile", "-", "--authfile", "-"}, good, 2, []string{"--authfile"}},
		{"stdin not json", []string{"inspect", "--authfile", "-"}, plantedPassword, 1, []string{"-"}},
		{"unknown flag", []string{"inspect", "--no-such-flag"}, "", 2, []string{"no-such-flag"}},
		{"convert without NAME", []string{"convert", "--authfile", file("ok1.json", good)}, "", 2, []string{"NAME"}},
		{"convert bad output", []string{"convert", "x", "-o", "toml", "--authfile", file("ok2.json", good)}, "", 2, []string{"--output"}},
		{"convert bad type", []string{"convert", "x", "--type", "Opaque", "--authfile", file("ok3.json", good)}, "", 2, []string{"--type"}},
		{"convert bad secret name", []string{"convert", "Bad_Name", "--authfile", file("ok4.json", good)}, "", 1, []string{"Bad_Name"}},
		{"inspect bad output", []string{"inspect", "-o", "yaml", "--authfile", file("ok5.json", good)}, "", 2, []string{"--output"}},
		{"match without image", []string{"match", "--authfile", file("ok6.json", good)}, "", 2, []string{"IMAGE"}},
		{"match bad semantics", []string{"match", "nginx", "--semantics", "rkt", "--authfile", file("ok7.json", good)}, "", 2, []string{"semantics"}},
		{"match bad image", []string{"match", "UPPER/Case:tag", "--authfile", file("ok8.json", good)}, "", 1, []string{"UPPER/Case"}},
		{"no credential files", []string{"inspect"}, "", 3, []string{"--authfile"}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.stdin, map[string]string{"HOME": t.TempDir()}, tc.args...)
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tc.wantCode, r.stderr)
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "pullsecret: ") {
				t.Errorf("stderr is not one pullsecret: line: %q", r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			for _, s := range []string{plantedPassword, plantedAuth, noColon, emptyUser, "panic", "goroutine"} {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr leaks %q: %q", s, r.stderr)
				}
			}
		})
	}
}
