package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
)

const resolveCLIPass = "ci-Cli-Secret-3"

// resolveCLIEnv starts a token registry where ci may pull app*, with n
// tags of app, and returns it with the tags' digest and references.
func resolveCLIEnv(t *testing.T, n int) (*registrytest.Env, string, []string) {
	t.Helper()
	env := registrytest.New(t, registrytest.Options{
		Mode:  registrytest.Token,
		Users: map[string]string{"ci": resolveCLIPass},
		ACL:   map[string][]registrytest.Grant{"ci": {{Repo: "app*", Actions: []string{"pull"}}}},
	})
	digest, tags, err := env.TagMany(context.Background(), "app", n)
	if err != nil {
		t.Fatal(err)
	}
	refs := make([]string, n)
	for i, tag := range tags {
		refs[i] = env.Ref("app", tag)
	}
	return env, digest, refs
}

// resolveArgs are the command line up to the images.
func resolveArgs(t *testing.T, env *registrytest.Env, pass string, extra ...string) []string {
	args := append([]string{"resolve", "--authfile", writeAuthFile(t, authConfig(env.RegistryHost, "ci", pass))}, netArgs(env, true)...)
	return append(args, extra...)
}

func TestResolveCLI(t *testing.T) {
	t.Parallel()
	env, digest, refs := resolveCLIEnv(t, 30)
	// pinned is the output for n images (all tags name one image).
	pinned := func(n int) string {
		return strings.Repeat(fmt.Sprintf("%s/app@%s\n", env.RegistryHost, digest), n)
	}
	missing := env.Ref("app", "missing")
	tests := []struct {
		name       string
		args       []string
		pass       string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr []string // substrings, in this order
	}{
		{
			name:       "arguments in order with concurrency",
			args:       append([]string{"--concurrency", "16"}, refs...),
			wantStdout: pinned(len(refs)),
		},
		{
			name:       "stdin list with comments",
			args:       []string{"-f", "-"},
			stdin:      "# images\n" + strings.Join(refs[:5], "\n") + "\n\n   " + refs[5] + "  \n",
			wantStdout: pinned(6),
		},
		{
			name:       "digest input is checked and echoed",
			args:       []string{env.Ref("app", digest)},
			wantStdout: pinned(1),
		},
		{
			name:       "one missing tag: the others print and exit 1",
			args:       []string{refs[0], missing, refs[1]},
			wantCode:   exitError,
			wantStdout: pinned(2),
			wantStderr: []string{"pullsecret: resolve " + missing + ": not-found: ", "MANIFEST_UNKNOWN"},
		},
		{
			name:       "wrong password exits 4",
			args:       []string{refs[0]},
			pass:       "wrong-Cli-Secret-4",
			wantCode:   exitRejected,
			wantStderr: []string{"resolve " + refs[0] + ": unauthorized: ", `rejected the credentials of user "ci"`},
		},
		{
			name:       "unreachable registry exits 5",
			args:       []string{"unreachable.invalid:1/app:1"},
			wantCode:   exitNetwork,
			wantStderr: []string{"resolve unreachable.invalid:1/app:1: network: "},
		},
		{
			name:       "no image",
			wantCode:   exitUsage,
			wantStderr: []string{"no image given"},
		},
		{
			name:       "bad platform",
			args:       []string{"--platform", "linux", refs[0]},
			wantCode:   exitUsage,
			wantStderr: []string{"platform"},
		},
		{
			name:       "bad output",
			args:       []string{"-o", "yaml", refs[0]},
			wantCode:   exitUsage,
			wantStderr: []string{"--output"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pass := tt.pass
			if pass == "" {
				pass = resolveCLIPass
			}
			r := runCLI(t, tt.stdin, nil, append(resolveArgs(t, env, pass), tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if diff := cmp.Diff(tt.wantStdout, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			rest := r.stderr
			for _, s := range tt.wantStderr {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("stderr lacks %q (in order): %s", s, r.stderr)
					break
				}
				rest = rest[i+len(s):]
			}
			if len(tt.wantStderr) == 0 && r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			for _, secret := range []string{resolveCLIPass, "wrong-Cli-Secret-4", "eyJ"} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("output shows a secret")
				}
			}
		})
	}
}

func TestResolveCLIFileAndJSONPlatform(t *testing.T) {
	t.Parallel()
	env, digest, refs := resolveCLIEnv(t, 2)
	index, platforms, err := env.PushIndex(context.Background(), "app", "multi", "linux/amd64", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(t.TempDir(), "images.txt")
	if err := os.WriteFile(list, []byte(env.Ref("app", "multi")+"\n"+refs[0]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	type result struct {
		Input, Reference, Digest, MediaType, Platform, IndexDigest, Verdict, Error string
	}
	decode := func(t *testing.T, out string) []result {
		t.Helper()
		var doc struct{ Results []result }
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		return doc.Results
	}

	// Without a platform: the index digest, as a runtime pins it.
	r := runCLI(t, "", nil, resolveArgs(t, env, resolveCLIPass, "-f", list, "-o", "json")...)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := []result{
		{Input: env.Ref("app", "multi"), Reference: env.RegistryHost + "/app@" + index, Digest: index, MediaType: "application/vnd.oci.image.index.v1+json", Verdict: "ok"},
		{Input: refs[0], Reference: env.RegistryHost + "/app@" + digest, Digest: digest, MediaType: "application/vnd.docker.distribution.manifest.v2+json", Verdict: "ok"},
	}
	if diff := cmp.Diff(want, decode(t, r.stdout)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(r.stdout, "{\n  \"apiVersion\": \"pullsecret.dev/v1\",\n  \"kind\": \"ResolveReport\",\n  \"results\": [\n    {\n      \"input\": ") || !strings.HasSuffix(r.stdout, "\n    }\n  ]\n}\n") {
		t.Errorf("JSON layout:\n%s", r.stdout)
	}

	// With a platform: the platform manifest, and the index beside it.
	r = runCLI(t, "", nil, resolveArgs(t, env, resolveCLIPass, "-f", list, "-o", "json", "--platform", "linux/arm64")...)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want[0] = result{Input: env.Ref("app", "multi"), Reference: env.RegistryHost + "/app@" + platforms["linux/arm64"], Digest: platforms["linux/arm64"],
		MediaType: "application/vnd.oci.image.manifest.v1+json", Platform: "linux/arm64", IndexDigest: index, Verdict: "ok"}
	if diff := cmp.Diff(want, decode(t, r.stdout)); diff != "" {
		t.Errorf("results with --platform (-want +got):\n%s", diff)
	}

	// A failure is in the JSON too, with its class.
	r = runCLI(t, "", nil, resolveArgs(t, env, resolveCLIPass, "-o", "json", env.Ref("app", "nope"))...)
	got := decode(t, r.stdout)
	if r.code != exitError || len(got) != 1 || got[0].Verdict != "not-found" || got[0].Error == "" || got[0].Reference != "" {
		t.Errorf("exit %d, results %+v", r.code, got)
	}
}
