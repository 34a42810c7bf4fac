package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// liveGlobalPullSecret is a Secret like OpenShift's openshift-config/pull-secret.
func liveGlobalPullSecret(ns string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pull-secret",
			Labels: map[string]string{"keep": "label"}, Annotations: map[string]string{"keep": "annotation"}},
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"cloud.openshift.com":{"auth":"b2NtOnRva2Vu","email":"ops@example.com"},"quay.io":{"auth":"b2xkOm9sZHB3"}}}`)},
	}
}

func liveSecretConfig(t *testing.T, cp *clustertest.Env, ns, name string) (*corev1.Secret, *dockercfg.Config) {
	t.Helper()
	s, err := cp.AdminClient().CoreV1().Secrets(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := dockercfg.Parse(s.Data[corev1.DockerConfigJsonKey])
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// TestLoginApply: login --to secret/NAME replaces one entry of the live
// global pull secret, keeping the other entry byte for byte and the labels
// and annotations; --diff is redacted; no secret on stderr; logout removes
// it; another type is refused.
func TestLoginApply(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	liveCreateSecret(t, cp, liveGlobalPullSecret(ns))
	liveCreateSecret(t, cp, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "opaque"}, Data: map[string][]byte{"k": []byte("v")}})
	env := liveEnv(t, cp, clustertest.Admin, "")
	const pass = "n3w-Secret-pw"

	r := runCLI(t, pass+"\n", env, "login", "quay.io", "--to", "secret/pull-secret", "-n", ns, "-u", "bob", "--password-stdin", "--diff")
	if r.code != 0 {
		t.Fatalf("login: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.HasSuffix(r.stdout, "secret/pull-secret configured\n") || !strings.Contains(r.stdout, `+"quay.io": {"username": "bob"`) || !strings.Contains(r.stdout, "<redacted") {
		t.Errorf("stdout %q", r.stdout)
	}
	if want := fmt.Sprintf("Replaced credentials for quay.io in secret %s/pull-secret (was user \"old\")", ns); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if strings.Contains(r.stdout+r.stderr, pass) {
		t.Error("password in output")
	}
	s, cfg := liveSecretConfig(t, cp, ns, "pull-secret")
	if e := cfg.Entry("quay.io"); e == nil || e.Username != "bob" || e.Password != pass {
		t.Errorf("quay.io entry %v", e)
	}
	if !strings.HasPrefix(string(s.Data[corev1.DockerConfigJsonKey]), `{"auths":{"cloud.openshift.com":{"auth":"b2NtOnRva2Vu","email":"ops@example.com"},"quay.io":`) {
		t.Errorf("payload %s: the other entry changed", s.Data[corev1.DockerConfigJsonKey])
	}
	if s.Labels["keep"] != "label" || s.Annotations["keep"] != "annotation" {
		t.Errorf("labels %v, annotations %v", s.Labels, s.Annotations)
	}

	r = runCLI(t, "", env, "logout", "quay.io", "--from", "secret/pull-secret", "-n", ns, "--dry-run=server")
	if r.code != 0 || r.stdout != "secret/pull-secret configured (server dry run)\n" {
		t.Fatalf("logout dry run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, cfg := liveSecretConfig(t, cp, ns, "pull-secret"); cfg.Entry("quay.io") == nil {
		t.Fatal("server dry run removed the entry")
	}
	r = runCLI(t, "", env, "logout", "quay.io", "--from", "secret/pull-secret", "-n", ns)
	if r.code != 0 || r.stdout != "secret/pull-secret configured\n" || !strings.Contains(r.stderr, "Removed 1 entry for quay.io from secret "+ns+"/pull-secret") {
		t.Fatalf("logout: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, cfg := liveSecretConfig(t, cp, ns, "pull-secret"); cfg.Entry("quay.io") != nil || cfg.Entry("cloud.openshift.com") == nil {
		t.Error("logout removed the wrong entries")
	}

	r = runCLI(t, pass+"\n", env, "login", "quay.io", "--to", "secret/opaque", "-n", ns, "-u", "bob", "--password-stdin")
	if r.code != 1 || !strings.Contains(r.stderr, "secret "+ns+"/opaque") || !strings.Contains(r.stderr, "type Opaque") {
		t.Errorf("other type: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, pass+"\n", env, "login", "quay.io", "--to", "secret/nosuch", "-n", ns, "-u", "bob", "--password-stdin")
	if r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("missing secret: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, pass+"\n", nil, "login", "quay.io", "--to", "config.json", "-n", ns, "-u", "bob", "--password-stdin")
	if r.code != exitUsage || !strings.Contains(r.stderr, "-n/--namespace needs --to secret/NAME") {
		t.Errorf("-n with a file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestLoginApplyConcurrent: two writers log in to different registries on
// the same global pull secret at the same moment, 50 rounds: both entries
// survive every round.
func TestLoginApplyConcurrent(t *testing.T) {
	cp := clustertest.Start(t)
	ns := cp.Namespace(t)
	liveCreateSecret(t, cp, liveGlobalPullSecret(ns))
	env := liveEnv(t, cp, clustertest.Admin, ns)
	const rounds = 50
	lost := 0
	for i := range rounds {
		var wg sync.WaitGroup
		results := make([]result, 2)
		for w := range 2 {
			wg.Go(func() {
				results[w] = runCLI(t, "pw\n", env, "login", fmt.Sprintf("r%d.example.com", w), "--to", "secret/pull-secret",
					"-u", fmt.Sprintf("u%d", i), "--password-stdin")
			})
		}
		wg.Wait()
		for w, r := range results {
			if r.code != 0 {
				t.Fatalf("round %d writer %d: exit %d: %s", i, w, r.code, r.stderr)
			}
		}
		_, cfg := liveSecretConfig(t, cp, ns, "pull-secret")
		for w := range 2 {
			if e := cfg.Entry(fmt.Sprintf("r%d.example.com", w)); e == nil || e.Username != fmt.Sprintf("u%d", i) {
				lost++
			}
		}
		if len(cfg.Entries) != 4 {
			t.Errorf("round %d: %d entries, want 4", i, len(cfg.Entries))
		}
	}
	if lost != 0 {
		t.Errorf("%d of %d updates lost", lost, 2*rounds)
	}
}
