package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func TestMerge(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.json", `{"auths":{"https://index.docker.io/v1/":{"auth":"`+b64("hubA:"+loginPass)+`"},"quay.io":{"auth":"`+b64("qa:pa")+`"}},"credsStore":"desktop"}`)
	secretYAML, err := yaml.Marshal(secretManifest(t, "kubernetes.io/dockerconfigjson", `{"auths":{"docker.io":{"auth":"`+b64("hubB:pb")+`"},"ghcr.io":{"auth":"`+b64("g:pg")+`"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b := writeFile(t, "ps.yaml", string(secretYAML))
	tests := []struct {
		name      string
		args      []string
		wantUsers map[string]string // key -> user
		wantKeys  []string
		secret    bool
	}{
		{
			name: "prefer first, raw", args: []string{"--authfile", a, "--authfile", b},
			wantKeys:  []string{"https://index.docker.io/v1/", "quay.io", "ghcr.io"},
			wantUsers: map[string]string{"https://index.docker.io/v1/": "hubA", "quay.io": "qa", "ghcr.io": "g"},
		},
		{
			name: "prefer last, secret", args: []string{"--authfile", a, "--authfile", b, "merged", "--prefer", "last", "-n", "ns"}, secret: true,
			wantKeys:  []string{"docker.io", "quay.io", "ghcr.io"},
			wantUsers: map[string]string{"docker.io": "hubB", "quay.io": "qa", "ghcr.io": "g"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, append([]string{"merge"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, loginPass) || strings.Contains(r.stderr, "pb") {
				t.Errorf("secret on stderr: %q", r.stderr)
			}
			for _, w := range []string{"conflict for https://index.docker.io/v1/", `user "hubA"`, `user "hubB"`, "pullsecret convert"} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q: %q", w, r.stderr)
				}
			}
			payload := []byte(r.stdout)
			if tt.secret {
				srcs, err := secrets.ReadSource("out", payload)
				if err != nil || len(srcs) != 1 || srcs[0].Secret != "ns/merged" {
					t.Fatalf("ReadSource: %v %+v", err, srcs)
				}
				if payload, err = srcs[0].Config.MarshalCompact(); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := dockercfg.Parse(payload)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			users := map[string]string{}
			for _, e := range cfg.Entries {
				keys = append(keys, e.Key)
				users[e.Key] = e.Username
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUsers, users); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if cfg.CredsStore != "" {
				t.Errorf("credsStore copied into the merge")
			}
		})
	}
}

func TestMergeJSONOutput(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.json", `{"auths":{"quay.io":{"auth":"`+b64("qa:pa")+`"}}}`)
	r := runCLI(t, "", nil, "merge", "--authfile", a, "name1", "-o", "json", "--type", "dockercfg")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var s struct {
		Type string            `json:"type"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.Type != "kubernetes.io/dockercfg" || s.Data[".dockercfg"] == "" {
		t.Errorf("got %+v", s)
	}
}

func TestMergeBadInput(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.json", `{"auths":{"quay.io":{"auth":"`+b64("qa:pa")+`"}}}`)
	b := writeFile(t, "b.json", `{"auths":{"ghcr.io":{"auth":"`+b64("g:pg")+`"}}}`)
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no source", []string{"merge"}, exitUsage, "at least one --authfile SOURCE"},
		{"bad prefer", []string{"merge", "--authfile", a, "--prefer", "middle"}, exitUsage, "--prefer"},
		{"missing file", []string{"merge", "--authfile", a, "--authfile", missing, "n"}, exitError, missing},
		{"name with raw output", []string{"merge", "--authfile", a, "x", "-o", "dockerconfigjson"}, exitUsage, `NAME "x" given with -o dockerconfigjson`},
		{"yaml without name", []string{"merge", "--authfile", a, "-o", "yaml"}, exitUsage, "NAME is required"},
		{"bad type", []string{"merge", "--authfile", a, "n", "--type", "Opaque"}, exitUsage, "--type"},
		{"two names", []string{"merge", "--authfile", a, "n1", "n2"}, exitUsage, "one NAME"},
		{"old form", []string{"merge", a, b, "merged"}, exitUsage,
			"merge takes sources as --authfile FILE; did you mean: pullsecret merge --authfile " + a + " --authfile " + b + " merged"},
		{"old form, mistyped source", []string{"merge", a, "typo.json", "merged"}, exitUsage, "did you mean: pullsecret merge --authfile " + a + " "},
		{"old form, stdin", []string{"merge", "-"}, exitUsage, "did you mean: pullsecret merge --authfile -"},
		{"stdin twice", []string{"merge", "--authfile", "-", "--authfile", "-"}, exitUsage, "standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stdout %q, stderr %q, want one line with %q", r.stdout, r.stderr, tt.want)
			}
		})
	}
}

// TestMergeNameIsNeverASource: with --authfile, the positional argument is
// the Secret's NAME even when a file of that name exists, and - reads a
// source from standard input.
func TestMergeNameIsNeverASource(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.json", `{"auths":{"quay.io":{"auth":"`+b64("qa:pa")+`"}}}`)
	named := writeFile(t, "regcred", `{"auths":{"evil.example.com":{"auth":"`+b64("e:pe")+`"}}}`)
	r := runCLI(t, `{"auths":{"ghcr.io":{"auth":"`+b64("g:pg")+`"}}}`, nil, "merge", "--authfile", a, "--authfile", "-", named[:0]+"regcred")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	srcs, err := secrets.ReadSource("out", []byte(r.stdout))
	if err != nil || len(srcs) != 1 {
		t.Fatalf("ReadSource: %v, %d sources", err, len(srcs))
	}
	var keys []string
	for _, e := range srcs[0].Config.Entries {
		keys = append(keys, e.Key)
	}
	if srcs[0].Secret != "regcred" || !cmp.Equal(keys, []string{"quay.io", "ghcr.io"}) {
		t.Errorf("Secret %q with keys %q, want regcred with quay.io and ghcr.io", srcs[0].Secret, keys)
	}
}
