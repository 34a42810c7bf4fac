package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/internal/registrytest"
)

// Interop: the pull secrets this tool writes must work for real consumers.
// Each generator (create, convert from a config that uses a credential
// helper, delegated) produces a .dockerconfigjson payload, which skopeo
// (containers/image: auth.json rules, only the auth field) and crane
// (go-containerregistry: docker/cli config.json rules) then use to pull
// from a token registry whose realm is on another host. The host names
// registry.test and sso.test must resolve to 127.0.0.1 (/etc/hosts), since
// these programs resolve names themselves.

// requireSkopeoEnv makes a missing skopeo a failure instead of a skip (CI).
const requireSkopeoEnv = "PULLSECRET_REQUIRE_SKOPEO"

// craneDir holds the crane binary; TestInteropSkopeoCrane removes it.
var craneDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "pullsecret-crane-") })

// craneBinary builds go-containerregistry's crane at the version in go.mod,
// once per test binary, into craneDir.
var craneBinary = sync.OnceValues(func() (string, error) {
	dir, err := craneDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "crane")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/google/go-containerregistry/cmd/crane").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

// TestMain runs the tests through clustertest.Main, which stops the shared
// control plane of the cluster tests. With $PULLSECRET_TEST_AS_CLI set, the
// test binary is the CLI instead (its arguments are the command line), for
// tests that need separate processes.
func TestMain(m *testing.M) {
	if os.Getenv(asCLIEnv) != "" {
		os.Exit(run(context.Background(), append([]string{"pullsecret"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	clustertest.Main(m)
}

const (
	ioUser = "interop-user"
	ioPass = "interop-Secret-5"
	ioRepo = "team/app"
	ioTag  = "v1"
)

func TestInteropSkopeoCrane(t *testing.T) {
	t.Parallel()
	start := time.Now()
	// Build crane while the registry starts and the secrets are made.
	craneDone := make(chan struct{})
	go func() { _, _ = craneBinary(); close(craneDone) }()
	t.Cleanup(func() {
		<-craneDone
		if dir, err := craneDir(); err == nil {
			os.RemoveAll(dir)
		}
	})

	skopeo, skopeoErr := exec.LookPath("skopeo")
	if skopeoErr != nil && os.Getenv(requireSkopeoEnv) != "" {
		t.Fatalf("skopeo is required (%s is set): %v", requireSkopeoEnv, skopeoErr)
	}
	if !hostsResolveToLoopback(t) {
		if os.Getenv(requireSkopeoEnv) != "" {
			t.Fatalf("registry.test and sso.test must resolve to 127.0.0.1 in /etc/hosts (%s is set)", requireSkopeoEnv)
		}
		t.Skip("registry.test and sso.test do not resolve to 127.0.0.1 (add them to /etc/hosts)")
	}

	env := registrytest.New(t, registrytest.Options{
		Mode:  registrytest.Token,
		Users: map[string]string{ioUser: ioPass},
		ACL:   map[string][]registrytest.Grant{ioUser: {{Repo: "team/*", Actions: []string{"pull"}}}},
	})
	if env.RealmHost == env.RegistryHost {
		t.Fatal("realm on the registry's host; this test needs delegation")
	}
	ctx := context.Background()
	digest, err := env.PushRandomImage(ctx, ioRepo, ioTag)
	if err != nil {
		t.Fatal(err)
	}
	image := env.RegistryHost + "/" + ioRepo + ":" + ioTag

	// The three generators, each giving a config.json payload.
	payloads := map[string][]byte{
		"create":    createPayload(t, env),
		"convert":   convertPayload(t, env),
		"delegated": delegatedPayload(t, env),
	}
	t.Logf("registry up, image pushed, 3 secrets made: %v", time.Since(start).Round(time.Millisecond))

	<-craneDone
	crane, err := craneBinary()
	if err != nil {
		t.Fatalf("build crane: %v", err)
	}
	t.Logf("crane ready: %v", time.Since(start).Round(time.Millisecond))

	certDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(certDir, "ca.crt"), env.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	env.ResetCounts()
	t.Run("peers", func(t *testing.T) {
		for gen, payload := range payloads {
			dir := t.TempDir()
			authFile := filepath.Join(dir, "config.json")
			if err := os.WriteFile(authFile, payload, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Run(gen+"/skopeo", func(t *testing.T) {
				t.Parallel()
				if skopeoErr != nil {
					t.Skipf("skopeo not installed (set %s to require it): %v", requireSkopeoEnv, skopeoErr)
				}
				out := runPeer(t, peerEnv(t, nil), skopeo, "inspect", "--authfile", authFile, "--cert-dir", certDir, "docker://"+image)
				var res struct{ Digest string }
				if err := json.Unmarshal(out, &res); err != nil {
					t.Fatalf("skopeo inspect output: %v\n%s", err, out)
				}
				if res.Digest != digest {
					t.Errorf("skopeo inspect digest %s, want %s", res.Digest, digest)
				}
			})
			craneEnv := func(t *testing.T) []string {
				return peerEnv(t, map[string]string{"DOCKER_CONFIG": dir, "SSL_CERT_FILE": env.CAFile})
			}
			t.Run(gen+"/crane-digest", func(t *testing.T) {
				t.Parallel()
				out := runPeer(t, craneEnv(t), crane, "digest", image)
				if got := strings.TrimSpace(string(out)); got != digest {
					t.Errorf("crane digest %s, want %s", got, digest)
				}
			})
			t.Run(gen+"/crane-pull", func(t *testing.T) {
				t.Parallel()
				tarball := filepath.Join(t.TempDir(), "image.tar")
				runPeer(t, craneEnv(t), crane, "pull", image, tarball)
				if st, err := os.Stat(tarball); err != nil || st.Size() == 0 {
					t.Fatalf("crane pull wrote no image: %v", err)
				}
				// The image in the tarball is the pushed one.
				out := runPeer(t, craneEnv(t), crane, "digest", "--tarball", tarball)
				if got := strings.TrimSpace(string(out)); got != digest {
					t.Errorf("pulled image digest %s, want %s", got, digest)
				}
			})
		}
	})
	// Every peer authenticated at the token server on the other host with
	// our credentials, and no credential went where it must not.
	tokens := 0
	for _, r := range env.Requests() {
		if r.Route != registrytest.RouteToken {
			continue
		}
		tokens++
		if r.Host != registrytest.HostRealm || r.User != ioUser {
			t.Errorf("token request to %s as %q, want the realm host as %q", r.Host, r.User, ioUser)
		}
	}
	if tokens == 0 && !t.Failed() {
		t.Error("no token requests recorded: the peers did not authenticate")
	}
	if leaks := env.Leaks(); len(leaks) != 0 {
		t.Errorf("credential leaks: %v", leaks)
	}
	t.Logf("total: %v, %d token requests", time.Since(start).Round(time.Millisecond), tokens)
}

// createPayload is the .dockerconfigjson of pullsecret create's YAML Secret.
func createPayload(t *testing.T, env *registrytest.Env) []byte {
	t.Helper()
	r := runCLI(t, ioPass+"\n", nil, "create", "regcred", "--docker-server", env.RegistryHost, "-u", ioUser, "--password-stdin")
	if r.code != exitOK {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	return secretData(t, "create", r.stdout)
}

// convertPayload is pullsecret convert -o dockerconfigjson of a config.json
// whose credentials are in a credential helper (credsStore).
func convertPayload(t *testing.T, env *registrytest.Env) []byte {
	t.Helper()
	helperEnv := installHelper(t, "psinterop", map[string][2]string{env.RegistryHost: {ioUser, ioPass}})
	cfg := writeFile(t, "config.json", `{"auths":{"`+env.RegistryHost+`":{}},"credsStore":"psinterop"}`)
	r := runCLI(t, "", helperEnv, "convert", "--authfile", cfg, "-o", "dockerconfigjson")
	if r.code != exitOK {
		t.Fatalf("convert: exit %d: %s", r.code, r.stderr)
	}
	c, err := dockercfg.ParseFormat([]byte(r.stdout), dockercfg.FormatConfigJSON)
	if err != nil || len(c.Entries) != 1 || c.Entries[0].Password != ioPass {
		t.Fatalf("convert output: %v\n%d entries", err, len(c.Entries))
	}
	return []byte(r.stdout)
}

// delegatedPayload is the .dockerconfigjson of pullsecret delegated
// --single (realm discovered), printed as JSON.
func delegatedPayload(t *testing.T, env *registrytest.Env) []byte {
	t.Helper()
	args := append([]string{"delegated", "--registry", env.RegistryHost, "-u", ioUser, "--password-stdin", "--single", "regcred", "-o", "json"}, netArgs(env, true)...)
	r := runCLI(t, ioPass+"\n", nil, args...)
	if r.code != exitOK {
		t.Fatalf("delegated: exit %d: %s", r.code, r.stderr)
	}
	payload := secretData(t, "delegated", r.stdout)
	c, err := dockercfg.ParseFormat(payload, dockercfg.FormatConfigJSON)
	if err != nil || len(c.Entries) != 2 || c.Entries[0].Key != env.RealmHost || c.Entries[1].Key != env.RegistryHost {
		t.Fatalf("delegated payload: %v, %v", err, c)
	}
	return payload
}

// secretData decodes one Secret (YAML or JSON) and returns its
// .dockerconfigjson.
func secretData(t *testing.T, what, manifest string) []byte {
	t.Helper()
	var s corev1.Secret
	if err := yaml.UnmarshalStrict([]byte(manifest), &s); err != nil {
		t.Fatalf("%s: decode secret: %v", what, err)
	}
	b := s.Data[corev1.DockerConfigJsonKey]
	if s.Type != corev1.SecretTypeDockerConfigJson || len(b) == 0 {
		t.Fatalf("%s: secret type %q without %s", what, s.Type, corev1.DockerConfigJsonKey)
	}
	return b
}

// peerEnv is a minimal environment for a peer program: PATH, an empty HOME
// and runtime directory (so no user configuration or credentials are read),
// plus extra.
func peerEnv(t *testing.T, extra map[string]string) []string {
	home := t.TempDir()
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

// runPeer runs a peer program and returns its stdout; a failure or a
// timeout fails the test with its stderr.
func runPeer(t *testing.T, env []string, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || ctx.Err() != nil {
			t.Fatalf("%s %s: %v\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
		}
		t.Fatalf("run %s: %v", bin, err)
	}
	if strings.Contains(stderr.String(), ioPass) || strings.Contains(string(out), ioPass) {
		t.Errorf("%s printed the password", filepath.Base(bin))
	}
	t.Logf("%s %s: %v", filepath.Base(bin), args[0], time.Since(start).Round(time.Millisecond))
	return out
}

// hostsResolveToLoopback reports whether the test host names resolve to
// 127.0.0.1 for external programs.
func hostsResolveToLoopback(t *testing.T) bool {
	t.Helper()
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return false
	}
	need := map[string]bool{registrytest.DefaultRegistryName: true, registrytest.DefaultRealmName: true}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.SplitN(line, "#", 2)[0])
		if len(f) < 2 || f[0] != "127.0.0.1" {
			continue
		}
		for _, h := range f[1:] {
			delete(need, h)
		}
	}
	return len(need) == 0
}
