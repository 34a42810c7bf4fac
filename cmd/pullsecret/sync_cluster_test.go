package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const syncPass = "sync-Cli-Secret-1"

// sync -A on a control plane of its own: every namespace but kube-* and
// the source's gets the copy (created), a second run is all unchanged,
// -o json carries the report header, a failed namespace is exit 1, and no
// credential reaches stderr.
func TestSyncCLIAllNamespaces(t *testing.T) {
	env := clustertest.StartDedicated(t)
	ctx := context.Background()
	a, b, srcNS := env.Namespace(t), env.Namespace(t), env.Namespace(t)
	kc := env.Kubeconfig(t, clustertest.Admin, "")
	src := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "regcred"},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"quay.io":{"username":"robot","password":"` + syncPass + `"}}}`)},
	}
	if _, err := env.AdminClient().CoreV1().Secrets(srcNS).Create(ctx, src, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	args := []string{"sync", "--from", srcNS + "/regcred", "-A", "--kubeconfig", kc}

	r := runCLI(t, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, ns := range []string{a, b} {
		if !strings.Contains(r.stdout, ns+"  created  secret regcred created; serviceaccount default: linked regcred") {
			t.Errorf("%s not created:\n%s", ns, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "kube-") || strings.Contains(r.stdout, "\n"+srcNS) {
		t.Errorf("kube-* or the source's namespace synced:\n%s", r.stdout)
	}
	// "default" has no ServiceAccount here (no controller-manager): a warning.
	if !strings.Contains(r.stderr, "serviceaccount default/default does not exist") {
		t.Errorf("stderr %q", r.stderr)
	}
	noSecretsOnStderr(t, r.stderr, syncPass)

	r = runCLI(t, "", nil, append(args, "-o", "json")...)
	var rep struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		cluster.SyncReport
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if rep.Kind != "SyncReport" || rep.APIVersion != "pullsecret.dev/v1" || rep.Count(cluster.SyncUnchanged) != len(rep.Namespaces) || len(rep.Namespaces) != 3 {
		t.Errorf("second run: %+v", rep)
	}
	if strings.Contains(r.stdout, syncPass) {
		t.Error("report holds the password")
	}

	// A copy whose type differs cannot be updated: that namespace fails.
	bad := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other",
		Labels:      map[string]string{cluster.SyncManagedByLabel: cluster.SyncManagedByValue},
		Annotations: map[string]string{cluster.SyncSourceAnnotation: srcNS + "/regcred"}}, Type: corev1.SecretTypeOpaque}
	if _, err := env.AdminClient().CoreV1().Secrets(a).Create(ctx, bad, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", nil, append(args, "--name", "other", "--link", "")...)
	if r.code != 1 || !strings.Contains(r.stdout, a+"  failed") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	noSecretsOnStderr(t, r.stderr, syncPass)
}

// Usage errors: no source, no selection, two selections, bad --dry-run.
func TestSyncCLIUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sync", "-A"},
		{"sync", "--from", "ns/regcred"},
		{"sync", "--from", "ns/regcred", "-A", "--namespaces", "a=b"},
		{"sync", "--from", "ns/regcred", "-A", "--dry-run=client"},
		{"sync", "--from", "ns/regcred", "-A", "-o", "yaml"},
	} {
		if r := runCLI(t, "", nil, args...); r.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
