package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestJSONReports checks the conventions every -o json report follows
// (docs/json-output.md): apiVersion and kind first, no "error" key on a
// success, no empty string and no null anywhere, and "<" written as it is,
// not as \u003c.
func TestJSONReports(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	// A directory whose name has "<" and ">" puts them in every source.
	dir := filepath.Join(t.TempDir(), "<dir>")
	alice := writeFileIn(t, dir, "config.json", authConfig(env.RegistryHost, "alice", tpAlicePass))
	manifest := writeFileIn(t, dir, "deploy.yaml", readFixture(t, "deploy-sa.yaml"))
	img := env.RegistryHost + "/team/app:1"
	tests := []struct {
		name     string
		args     []string
		kind     string
		wantCode int
		want     string // in stdout, as written
	}{
		{"inspect", []string{"inspect", "--authfile", alice}, "InspectReport", exitOK, `"secret": "<redacted len=`},
		{"match", []string{"match", img, "--authfile", alice}, "MatchReport", exitOK, `"source": "` + alice + `"`},
		{"test-pull", append([]string{"test-pull", img, "--authfile", alice}, netArgs(env, true)...), "TestPullReport", exitOK, `"source": "` + alice + `"`},
		{"resolve", append([]string{"resolve", img, "--authfile", alice}, netArgs(env, true)...), "ResolveReport", exitOK, `"verdict": "ok"`},
		{"resolve failure", append([]string{"resolve", "app:<tag>", "--authfile", alice}, netArgs(env, true)...), "ResolveReport", exitError, `"app:<tag>`},
		{"diagnose", []string{"diagnose", "-f", manifest}, "DiagnoseReport", exitOK, `"file": "` + manifest + `"`},
		{"version", []string{"version"}, "VersionReport", exitOK, `"goVersion": "go`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", map[string]string{"HOME": t.TempDir()}, append(tt.args, "-o", "json")...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			if strings.Contains(r.stdout, `\u003c`) || strings.Contains(r.stdout, `\u003e`) || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("stdout lacks %q or escapes < and >:\n%s", tt.want, r.stdout)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
			}
			if doc["apiVersion"] != "pullsecret.dev/v1" || doc["kind"] != tt.kind {
				t.Errorf("apiVersion %v, kind %v; want pullsecret.dev/v1, %s", doc["apiVersion"], doc["kind"], tt.kind)
			}
			if !strings.HasPrefix(r.stdout, "{\n  \"apiVersion\": \"pullsecret.dev/v1\",\n  \"kind\": ") {
				t.Errorf("apiVersion and kind are not first:\n%s", r.stdout)
			}
			for _, p := range emptyValues("", doc) {
				t.Errorf("%s is empty (an empty string or null is omitted)", p)
			}
			if tt.wantCode == exitOK {
				if p := findKey("", doc, "error"); p != "" {
					t.Errorf("success has an error key at %s", p)
				}
			}
		})
	}
}

// writeFileIn writes content to dir/name, creating dir.
func writeFileIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// emptyValues returns the paths of the empty strings and nulls in v.
func emptyValues(path string, v any) []string {
	var out []string
	switch x := v.(type) {
	case nil:
		return []string{path + " (null)"}
	case string:
		if x == "" {
			return []string{path + ` ("")`}
		}
	case map[string]any:
		for k, e := range x {
			out = append(out, emptyValues(path+"."+k, e)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, emptyValues(path+"["+strconv.Itoa(i)+"]", e)...)
		}
	}
	return out
}

// findKey returns the path of the first key named key in v, "" if none.
func findKey(path string, v any, key string) string {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[key]; ok {
			return path + "." + key
		}
		for k, e := range x {
			if p := findKey(path+"."+k, e, key); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findKey(path+"["+strconv.Itoa(i)+"]", e, key); p != "" {
				return p
			}
		}
	}
	return ""
}
