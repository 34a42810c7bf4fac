package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
)

const (
	tpAlicePass = "alice-Cli-Secret-1"
	tpWrongPass = "wrong-Cli-Secret-2"
)

// testPullEnv starts a token registry (alice may pull team/*, anyone
// public/*) with team/app:1 and public/app:1.
func testPullEnv(t *testing.T) *registrytest.Env {
	t.Helper()
	env := registrytest.New(t, registrytest.Options{
		Mode:          registrytest.Token,
		Users:         map[string]string{"alice": tpAlicePass},
		ACL:           map[string][]registrytest.Grant{"alice": {{Repo: "team/*", Actions: []string{"pull"}}}},
		AnonymousPull: []string{"public/*"},
	})
	for _, repo := range []string{"team/app", "public/app"} {
		if _, err := env.PushRandomImage(context.Background(), repo, "1"); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// authConfig returns a config.json holding user:pass for key.
func authConfig(key, user, pass string) string {
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return `{"auths":{"` + key + `":{"auth":"` + auth + `"}}}`
}

func writeAuthFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// netArgs are the flags a user would pass to reach the env.
func netArgs(env *registrytest.Env, withCA bool) []string {
	var args []string
	if withCA {
		args = append(args, "--ca-file", env.CAFile)
	}
	for _, r := range env.ResolveArgs() {
		args = append(args, "--resolve", r)
	}
	return args
}

func TestTestPullCLI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		image     string
		pass      string // "" = no --authfile
		stdin     bool   // pass the auth file on stdin
		extra     []string
		noCA      bool
		fault     *registrytest.Fault
		wantCode  int
		wantInErr string
	}{
		{name: "ok", image: "team/app:1", pass: tpAlicePass, wantCode: exitOK},
		{name: "ok from stdin", image: "team/app:1", pass: tpAlicePass, stdin: true, wantCode: exitOK},
		{name: "wrong password", image: "team/app:1", pass: tpWrongPass, wantCode: exitRejected, wantInErr: "unauthorized"},
		{name: "credentials break a public image", image: "public/app:1", pass: tpWrongPass, wantCode: exitRejected, wantInErr: "unauthorized"},
		{name: "no credentials", image: "team/app:1", wantCode: exitNoCredentials, wantInErr: "no-credentials"},
		{name: "anonymous public", image: "public/app:1", wantCode: exitOK},
		{name: "missing tag", image: "team/app:2", pass: tpAlicePass, wantCode: exitError, wantInErr: "not-found"},
		{name: "unknown CA", image: "team/app:1", pass: tpAlicePass, noCA: true, wantCode: exitNetwork, wantInErr: "tls"},
		{
			name: "timeout", image: "team/app:1", pass: tpAlicePass, extra: []string{"--timeout", "300ms"},
			fault:    &registrytest.Fault{Route: registrytest.RouteManifest, Delay: 5 * time.Second},
			wantCode: exitNetwork, wantInErr: "timeout",
		},
		{
			name: "with blobs", image: "team/app:1", pass: tpAlicePass, extra: []string{"--blobs"},
			fault:    &registrytest.Fault{Route: registrytest.RouteBlob, RedirectTo: registrytest.HostCDN},
			wantCode: exitOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := testPullEnv(t)
			if tt.fault != nil {
				env.SetFault(registrytest.HostRegistry, *tt.fault)
			}
			image := env.RegistryHost + "/" + tt.image
			// Flags after the image, as users write them.
			args := []string{"test-pull", image, "-o", "json"}
			stdin := ""
			if tt.pass != "" {
				cfg := authConfig(env.RegistryHost, "alice", tt.pass)
				if tt.stdin {
					stdin = cfg
					args = append(args, "--authfile", "-")
				} else {
					args = append(args, "--authfile", writeAuthFile(t, cfg))
				}
			}
			args = append(args, netArgs(env, !tt.noCA)...)
			args = append(args, tt.extra...)
			r := runCLI(t, stdin, nil, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", r.code, tt.wantCode, r.stderr, r.stdout)
			}
			checkJSONShape(t, r.stdout)
			if tt.wantCode != exitOK {
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				last := lines[len(lines)-1]
				if !strings.HasPrefix(last, "pullsecret: test-pull: ") || !strings.Contains(last, tt.wantInErr) {
					t.Errorf("stderr %q, want a 'pullsecret: test-pull:' line mentioning %q", r.stderr, tt.wantInErr)
				}
			}
			for _, secret := range []string{tpAlicePass, tpWrongPass,
				base64.StdEncoding.EncodeToString([]byte("alice:" + tpAlicePass)),
				base64.StdEncoding.EncodeToString([]byte("alice:" + tpWrongPass)), "eyJ"} {
				if strings.Contains(r.stderr, secret) || strings.Contains(r.stdout, secret) {
					t.Errorf("output shows secret %q:\nstdout: %s\nstderr: %s", secret, r.stdout, r.stderr)
				}
			}
			if leaks := env.Leaks(); len(leaks) > 0 {
				t.Errorf("leaks: %v", leaks)
			}
		})
	}
}

// checkJSONShape asserts the stable field names of docs/json-output.md#test-pull.
func checkJSONShape(t *testing.T, out string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	results, ok := doc["results"].([]any)
	if !ok || len(results) == 0 {
		t.Fatalf("no results array: %s", out)
	}
	for _, r := range results {
		res := r.(map[string]any)
		for _, k := range []string{"image", "reference", "verdict", "delegated", "semantics", "candidates", "attempts"} {
			if _, ok := res[k]; !ok {
				t.Errorf("result lacks %q: %v", k, res)
			}
		}
		// Empty values are omitted: a digest only when pulled, an error
		// only when not.
		if _, hasDigest := res["digest"]; hasDigest != (res["verdict"] == "ok") {
			t.Errorf("verdict %v, digest %v", res["verdict"], res["digest"])
		}
		if _, hasErr := res["error"]; hasErr == (res["verdict"] == "ok") {
			t.Errorf("verdict %v, error %v", res["verdict"], res["error"])
		}
		if c, ok := res["credential"].(map[string]any); ok {
			var keys []string
			for k := range c {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if diff := cmp.Diff([]string{"key", "source", "username"}, keys); diff != "" {
				t.Errorf("credential fields (-want +got):\n%s", diff)
			}
		}
		if _, ok := res["delegated"].(bool); !ok {
			t.Errorf("delegated is not a bool: %v", res["delegated"])
		}
		for _, a := range res["attempts"].([]any) {
			att := a.(map[string]any)
			if _, ok := att["step"]; !ok {
				t.Errorf("attempt lacks \"step\": %v", att)
			}
			if _, ok := att["credential"]; !ok && att["step"] != "ping" {
				t.Errorf("attempt other than the ping lacks \"credential\": %v", att)
			}
		}
	}
}

func TestTestPullCLIText(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	// Key with a bad password under the namespace, good one for the
	// registry: the kubelet tries the namespace key first.
	cfg := `{"auths":{"` + env.RegistryHost + `/team":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("alice:"+tpWrongPass)) +
		`"},"` + env.RegistryHost + `":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("alice:"+tpAlicePass)) + `"}}}`
	path := writeAuthFile(t, cfg)
	args := append([]string{"test-pull", "--authfile", path, env.Ref("team/app", "1"), env.Ref("public/app", "1")}, netArgs(env, true)...)
	r := runCLI(t, "", nil, args...)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	for _, want := range []string{
		"candidates  1. " + env.RegistryHost + "/team",
		"ping        GET https://" + env.RegistryHost + "/v2/ -> 401 Unauthorized: Bearer realm=",
		"(delegated to " + env.RealmHost + ")",
		"token       [1 " + env.RegistryHost + "/team] GET",
		"-> 401 Unauthorized; error: the token server rejected the credentials of user \"alice\"",
		"verdict     ok: pulled with " + env.RegistryHost + " (user \"alice\", from " + path + ")",
		"digest      sha256:",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, tpWrongPass) || strings.Contains(r.stdout, tpAlicePass) {
		t.Errorf("report shows a password:\n%s", r.stdout)
	}
}

func TestTestPullCLIUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no image", []string{"test-pull"}, exitUsage},
		{"bad output", []string{"test-pull", "-o", "yaml", "quay.io/a/b"}, exitUsage},
		{"bad resolve", []string{"test-pull", "--resolve", "registry.test", "quay.io/a/b"}, exitUsage},
		{"bad timeout", []string{"test-pull", "--timeout", "0s", "quay.io/a/b"}, exitUsage},
		{"bad semantics", []string{"test-pull", "--semantics", "rkt", "quay.io/a/b"}, exitUsage},
		{"skip verify and CA", []string{"test-pull", "--skip-tls-verify", "--ca-file", "x.pem", "quay.io/a/b"}, exitUsage},
		{"bad image", []string{"test-pull", "Not/A:Valid:Image"}, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tt.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n > 0 {
				t.Errorf("stderr has %d lines: %q", n+1, r.stderr)
			}
		})
	}
}

func TestTestPullCLIPlainHTTPRealm(t *testing.T) {
	t.Parallel()
	env := registrytest.New(t, registrytest.Options{
		Mode:           registrytest.Token,
		Users:          map[string]string{"alice": tpAlicePass},
		ACL:            map[string][]registrytest.Grant{"alice": {{Repo: "*", Actions: []string{"pull"}}}},
		PlainHTTPRealm: true,
	})
	if _, err := env.PushRandomImage(context.Background(), "app", "1"); err != nil {
		t.Fatal(err)
	}
	path := writeAuthFile(t, authConfig(env.RegistryHost, "alice", tpAlicePass))
	args := append([]string{"test-pull", env.Ref("app", "1"), "--authfile", path}, netArgs(env, true)...)

	r := runCLI(t, "", nil, args...)
	if r.code != exitNetwork || !strings.Contains(r.stderr, "--plain-http") {
		t.Fatalf("without --plain-http: exit %d, stderr %q; want 5 and a hint", r.code, r.stderr)
	}
	if n := env.Count(registrytest.Filter{Host: registrytest.HostRealm}); n != 0 {
		t.Fatalf("%d requests reached the http:// realm", n)
	}
	if leaks := env.Leaks(); len(leaks) > 0 {
		t.Fatalf("leaks: %v", leaks)
	}

	r = runCLI(t, "", nil, append(args, "--plain-http")...)
	if r.code != exitOK {
		t.Fatalf("with --plain-http: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestTestPullCLINotFoundAndHeadFallback: a missing tag with good
// credentials is not-found with no anonymous attempt, and a registry that
// refuses HEAD shows no error in either output (issue 8, item 15).
func TestTestPullCLINotFoundAndHeadFallback(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	env.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RouteManifest, Method: http.MethodHead, Status: http.StatusMethodNotAllowed})
	path := writeAuthFile(t, authConfig(env.RegistryHost, "alice", tpAlicePass))
	base := append([]string{"test-pull", "--authfile", path}, netArgs(env, true)...)

	r := runCLI(t, "", nil, append(base, env.Ref("team/app", "2"), "-o", "json")...)
	if r.code != exitError {
		t.Fatalf("missing tag: exit %d, want %d\nstderr: %s", r.code, exitError, r.stderr)
	}
	var doc struct {
		Results []struct {
			Verdict   string `json:"verdict"`
			Anonymous string `json:"anonymous"`
			Attempts  []struct {
				Credential string `json:"credential"`
			} `json:"attempts"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	res := doc.Results[0]
	if res.Verdict != "not-found" || res.Anonymous != "" {
		t.Errorf("verdict %q anonymous %q, want not-found and no anonymous pull", res.Verdict, res.Anonymous)
	}
	for _, a := range res.Attempts {
		if a.Credential == "anonymous" {
			t.Errorf("an anonymous attempt was made:\n%s", r.stdout)
			break
		}
	}

	r = runCLI(t, "", nil, append(base, env.Ref("team/app", "1"))...)
	if r.code != exitOK {
		t.Fatalf("HEAD refused: exit %d\nstderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	if strings.Contains(r.stdout, "error:") {
		t.Errorf("text report of a working GET fallback shows an error:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "-> 405 Method Not Allowed: GET follows") {
		t.Errorf("text report does not explain the GET fallback:\n%s", r.stdout)
	}
	r = runCLI(t, "", nil, append(base, env.Ref("team/app", "1"), "-o", "json")...)
	var ok struct {
		Results []struct {
			Attempts []struct {
				Method string `json:"method"`
				Error  string `json:"error"`
			} `json:"attempts"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ok); err != nil || len(ok.Results) != 1 || len(ok.Results[0].Attempts) == 0 {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	for _, a := range ok.Results[0].Attempts {
		if a.Error != "" {
			t.Errorf("JSON report of a working GET fallback: %s attempt has error %q", a.Method, a.Error)
		}
	}
}
