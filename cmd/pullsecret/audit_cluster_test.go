package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const auditCLIPassword = "audit-cli-pw-never-printed"

func auditCLIPayload(user, pass string) []byte {
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return []byte(`{"auths":{"quay.io":{"auth":"` + auth + `"}}}`)
}

// auditCLINamespace: "regcred" used by a pod, "spare" unused (info),
// "opaque" an Opaque Secret with a docker config used by the SA (warning);
// with broken, also "broken" malformed (error) and a pod naming "gone".
func auditCLINamespace(t *testing.T, cp *clustertest.Env, broken bool) string {
	t.Helper()
	ns := cp.Namespace(t)
	ctx := context.Background()
	core := cp.AdminClient().CoreV1()
	mk := func(name string, typ corev1.SecretType, key string, payload []byte) {
		liveCreateSecret(t, cp, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Type: typ, Data: map[string][]byte{key: payload}})
	}
	mk("regcred", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, auditCLIPayload("robot", auditCLIPassword))
	mk("spare", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, auditCLIPayload("robot\x1b[31m", auditCLIPassword))
	mk("opaque", corev1.SecretTypeOpaque, corev1.DockerConfigJsonKey, auditCLIPayload("robot", auditCLIPassword))
	refs := []string{"regcred"}
	if broken {
		mk("broken", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, []byte(`{"auths":{"quay.io":{"auth":"%%`+auditCLIPassword+`"}}}`))
		refs = append(refs, "broken", "gone")
	}
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "quay.io/team/app:1"}}}
	for _, r := range refs {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: r})
	}
	if _, err := core.Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"}, Spec: spec}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sa, err := core.ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "opaque"}}
	if _, err := core.ServiceAccounts(ns).Update(ctx, sa, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return ns
}

func auditNoSecret(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{auditCLIPassword, base64.StdEncoding.EncodeToString([]byte("robot:" + auditCLIPassword)),
		base64.StdEncoding.EncodeToString([]byte("robot\x1b[31m:" + auditCLIPassword))} {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Fatalf("a secret in the output:\nstdout %s\nstderr %s", r.stdout, r.stderr)
		}
	}
}

type auditReport struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Secrets    []struct {
		Namespace  string   `json:"namespace"`
		Name       string   `json:"name"`
		Type       string   `json:"type"`
		Missing    bool     `json:"missing"`
		Registries []string `json:"registries"`
		Users      []string `json:"users"`
		Problems   []struct {
			Severity, Kind, Message string
		} `json:"problems"`
	} `json:"secrets"`
	Summary struct {
		Namespaces, Secrets, Errors, Warnings, Infos int
		Unreadable                                   []string
	} `json:"summary"`
}

// TestAuditCLI: the table (one row per secret, control characters
// escaped), -o json with its header, --fail-on exit codes by severity, and
// no password or auth on stdout or stderr.
func TestAuditCLI(t *testing.T) {
	cp := clustertest.Start(t)
	clean := auditCLINamespace(t, cp, false)
	bad := auditCLINamespace(t, cp, true)
	env := liveEnv(t, cp, clustertest.Admin, clean)

	r := runCLI(t, "", env, "audit")
	auditNoSecret(t, r)
	if r.code != 0 {
		t.Fatalf("audit: exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "NAMESPACE") || !strings.Contains(lines[0], "PROBLEMS") {
		t.Fatalf("header %q", lines[0])
	}
	for _, want := range []string{"regcred", "spare", "opaque", "info:unused", "warning:opaque", `robot\x1b[31m`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("control character in the table:\n%q", r.stdout)
	}
	for _, tc := range []struct {
		ns, failOn string
		code       int
	}{
		{clean, "error", 0}, {clean, "warning", exitError}, {bad, "error", exitError}, {bad, "", 0},
	} {
		args := []string{"audit", "-n", tc.ns}
		if tc.failOn != "" {
			args = append(args, "--fail-on", tc.failOn)
		}
		r := runCLI(t, "", env, args...)
		auditNoSecret(t, r)
		if r.code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, tc.code, r.stderr)
		}
	}
	if r := runCLI(t, "", env, "audit", "--fail-on", "info"); r.code != exitUsage {
		t.Errorf("--fail-on info: exit %d, want 2", r.code)
	}
	if r := runCLI(t, "", env, "audit", "-A", "-n", clean); r.code != exitUsage {
		t.Errorf("-A -n: exit %d, want 2", r.code)
	}

	r = runCLI(t, "", env, "audit", "-n", bad, "-o", "json")
	auditNoSecret(t, r)
	var rep auditReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if rep.APIVersion != "pullsecret.dev/v1" || rep.Kind != "AuditReport" || rep.Summary.Namespaces != 1 || rep.Summary.Errors < 2 {
		t.Fatalf("report %+v", rep)
	}
	kinds := map[string]string{}
	for _, s := range rep.Secrets {
		for _, p := range s.Problems {
			kinds[s.Name] += p.Kind + " "
		}
	}
	for name, kind := range map[string]string{"broken": "malformed", "gone": "missing", "spare": "unused", "opaque": "opaque"} {
		if !strings.Contains(kinds[name], kind) {
			t.Errorf("%s: kinds %q, want %s", name, kinds[name], kind)
		}
	}
}

// TestAuditCLIForbidden: a user who may not list secrets gets the refused
// read named on stdout and stderr; any --fail-on fails (the audit is
// incomplete), none exits 0.
func TestAuditCLIForbidden(t *testing.T) {
	cp := clustertest.Start(t)
	ns := auditCLINamespace(t, cp, false)
	cp.Grant(t, clustertest.Bob, ns, []string{"list"}, []string{"pods", "serviceaccounts"})
	env := liveEnv(t, cp, clustertest.Bob, ns)
	r := runCLI(t, "", env, "audit", "--fail-on", "warning")
	auditNoSecret(t, r)
	if r.code != exitError || !strings.Contains(r.stdout, "list secrets in "+ns+": forbidden") || !strings.Contains(r.stderr, "list secrets in "+ns) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", env, "audit", "--fail-on", "error"); r.code != exitError {
		t.Errorf("--fail-on error: exit %d, want 1 (the audit is incomplete)", r.code)
	}
	if r := runCLI(t, "", env, "audit"); r.code != 0 {
		t.Errorf("no --fail-on: exit %d", r.code)
	}
}

// TestAuditCLIAllNamespacesProgress: -A on a dedicated control plane
// covers every namespace; on a terminal the progress line counts
// namespaces on stderr, and stdout stays the table.
func TestAuditCLIAllNamespacesProgress(t *testing.T) {
	cp := clustertest.StartDedicated(t)
	var nss []string
	for i := 0; i < 3; i++ {
		nss = append(nss, auditCLINamespace(t, cp, false))
	}
	var stdout, stderr bytes.Buffer
	kc := cp.Kubeconfig(t, clustertest.Admin, "default")
	clock := time.Unix(0, 0)
	e := &env{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv:   func(k string) string { return map[string]string{"KUBECONFIG": kc}[k] },
		terminal: func(w io.Writer) bool { return w == io.Writer(&stderr) },
		now:      func() time.Time { clock = clock.Add(time.Second); return clock },
	}
	if code := runCLIEnv(e, "audit", "-A"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, ns := range nss {
		rows := 0
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(l, ns+" ") {
				rows++
			}
		}
		if rows != 3 {
			t.Errorf("namespace %s: want 3 rows\n%s", ns, stdout.String())
		}
	}
	if !strings.Contains(stdout.String(), "9 pull secrets in ") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	if ds := draws(stderr.String()); len(ds) == 0 || !strings.Contains(ds[len(ds)-1], "namespaces") {
		t.Errorf("progress %q", stderr.String())
	}
	auditNoSecret(t, result{stdout: stdout.String(), stderr: stderr.String()})
	if strings.Contains(stdout.String(), "\r") {
		t.Error("progress on stdout")
	}
}
