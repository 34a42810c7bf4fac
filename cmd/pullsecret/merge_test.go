package main

import (
	"encoding/json"
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
			name: "prefer first, raw", args: []string{a, b},
			wantKeys:  []string{"https://index.docker.io/v1/", "quay.io", "ghcr.io"},
			wantUsers: map[string]string{"https://index.docker.io/v1/": "hubA", "quay.io": "qa", "ghcr.io": "g"},
		},
		{
			name: "prefer last, secret", args: []string{a, b, "merged", "--prefer", "last", "-n", "ns"}, secret: true,
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
	r := runCLI(t, "", nil, "merge", a, "name1", "-o", "json", "--type", "dockercfg")
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
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no source", []string{"merge"}, exitUsage, "at least one SOURCE"},
		{"bad prefer", []string{"merge", a, "--prefer", "middle"}, exitUsage, "--prefer"},
		{"missing file", []string{"merge", a, "missing.json"}, exitError, "missing.json"},
		{"name with raw output", []string{"merge", a, "x", "-o", "dockerconfigjson"}, exitError, "x"},
		{"yaml without name", []string{"merge", a, "-o", "yaml"}, exitUsage, "NAME is required"},
		{"bad type", []string{"merge", a, "n", "--type", "Opaque"}, exitUsage, "--type"},
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
