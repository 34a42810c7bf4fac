package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/secrets"
)

const diagLivePassword = "live-pw-never-printed"

// diagLiveNamespace makes a namespace with a working pull secret, a
// malformed one, and pods using each, a missing one, and none.
func diagLiveNamespace(t *testing.T, cp *clustertest.Env) string {
	t.Helper()
	ns := cp.Namespace(t)
	ctx := context.Background()
	core := cp.AdminClient().CoreV1()
	auth := base64.StdEncoding.EncodeToString([]byte("robot:" + diagLivePassword))
	for name, payload := range map[string]string{
		"regcred": `{"auths":{"quay.io":{"auth":"` + auth + `"}}}`,
		"broken":  `{"auths":{"quay.io":{"auth":"%%` + diagLivePassword + `"}}}`,
	} {
		liveCreateSecret(t, cp, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(payload)}})
	}
	for pod, secret := range map[string]string{"good": "regcred", "bad": "nope", "broken": "broken"} {
		_, err := core.Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: pod}, Spec: corev1.PodSpec{
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: secret}},
			Containers:       []corev1.Container{{Name: "app", Image: "quay.io/team/app:1"}},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	now := metav1.NewTime(time.Now())
	_, err := core.Events(ns).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "bad.1"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "bad", FieldPath: "spec.containers{app}"},
		Reason:         "Failed", Message: `Failed to pull image "quay.io/team/app:1": unauthorized: authentication required`,
		Count: 4, LastTimestamp: now, FirstTimestamp: now, Type: corev1.EventTypeWarning,
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func noSecretIn(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{diagLivePassword, base64.StdEncoding.EncodeToString([]byte("robot:" + diagLivePassword))} {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Fatalf("a secret in the output:\nstdout %s\nstderr %s", r.stdout, r.stderr)
		}
	}
}

// TestDiagnoseLiveCLI: diagnose pod/NAME and -n NS against the cluster:
// text with the events beside the prediction, JSON with events, observed
// and no unreadable; a malformed Secret fails its pod (exit 1) and does not
// stop -n; no secret on stdout or stderr.
func TestDiagnoseLiveCLI(t *testing.T) {
	cp := clustertest.Start(t)
	ns := diagLiveNamespace(t, cp)
	env := liveEnv(t, cp, clustertest.Admin, ns)

	r := runCLI(t, "", env, "diagnose", "pod/good")
	noSecretIn(t, r)
	if r.code != 0 || !strings.Contains(r.stdout, "Pod "+ns+"/good  (cluster)") || !strings.Contains(r.stdout, "-> ok") || r.stderr != "" {
		t.Fatalf("pod/good: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", env, "diagnose", "po/bad", "-n", ns)
	noSecretIn(t, r)
	for _, want := range []string{"-> anonymous", "error: secret " + ns + "/nope does not exist: the kubelet skips it",
		`happened: Failed (unauthorized) x4 at `, `: Failed to pull image "quay.io/team/app:1": unauthorized: authentication required`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("po/bad: stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 0 {
		t.Errorf("po/bad: exit %d", r.code)
	}

	r = runCLI(t, "", env, "diagnose", "-n", ns, "-o", "json")
	noSecretIn(t, r)
	if r.code != exitError || !strings.Contains(r.stderr, "1 of 3 image pulls predicted to fail") {
		t.Fatalf("-n: exit %d, stderr %s", r.code, r.stderr)
	}
	var rep struct {
		Kind       string                 `json:"kind"`
		Pods       []secrets.PodDiagnosis `json:"pods"`
		Unreadable []secrets.Unreadable   `json:"unreadable"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("-o json: %v\n%s", err, r.stdout)
	}
	got := map[string]*secrets.ContainerDiagnosis{}
	for _, p := range rep.Pods {
		got[p.Name] = p.Containers[0]
	}
	if rep.Kind != "DiagnoseReport" || len(rep.Pods) != 3 || len(rep.Unreadable) != 0 {
		t.Fatalf("report: %s", r.stdout)
	}
	if got["good"].Prediction != secrets.PredictOK || got["broken"].Prediction != secrets.PredictFail ||
		got["bad"].Observed != "unauthorized" || len(got["bad"].Events) != 1 {
		t.Errorf("report: %s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"observed": "unauthorized"`) || !strings.Contains(r.stdout, "secret "+ns+"/broken is malformed") {
		t.Errorf("json lacks observed or the malformed secret:\n%s", r.stdout)
	}
	// The streamed document is laid out as writeJSON lays it out.
	var back strings.Builder
	var whole any
	_ = json.Unmarshal([]byte(r.stdout), &whole)
	if err := writeJSON(&back, whole); err != nil {
		t.Fatal(err)
	}
	if !sameJSONLayout(back.String(), r.stdout) {
		t.Errorf("streamed JSON layout differs from writeJSON's:\n%s", r.stdout)
	}
}

// sameJSONLayout compares two documents line by line, ignoring the order
// of object keys (writeJSON of a map sorts them).
func sameJSONLayout(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	count := map[string]int{}
	for i := range la {
		count[strings.TrimSuffix(la[i], ",")]++
		count[strings.TrimSuffix(lb[i], ",")]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestDiagnoseLiveForbiddenCLI: alice may only list pods. The report
// names every read she could not make and what it leaves unknown; no
// prediction is ok; exit 0 (nothing predicted to fail), no stack trace; a
// named pod she may not get is one line, exit 1.
func TestDiagnoseLiveForbiddenCLI(t *testing.T) {
	cp := clustertest.Start(t)
	ns := diagLiveNamespace(t, cp)
	cp.Grant(t, clustertest.Alice, ns, []string{"list"}, []string{"pods"})
	env := liveEnv(t, cp, clustertest.Alice, ns)

	r := runCLI(t, "", env, "diagnose", "-n", ns)
	noSecretIn(t, r)
	if r.code != 0 || strings.Contains(r.stdout, "-> ok") || strings.Contains(r.stdout, "-> fail") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"-> unknown", "could not read:", "  list secrets in " + ns + `: secrets is forbidden: User "alice" cannot list resource "secrets"`,
		"secret " + ns + "/regcred could not be read (list secrets in " + ns + ": forbidden)", "unknown: the pull secrets of " + ns,
		"get secret openshift-config/pull-secret"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.HasPrefix(r.stderr, "pullsecret: warning: could not get secret openshift-config/pull-secret, list deployments in "+ns) ||
		!strings.Contains(r.stderr, "list secrets in "+ns) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %s", r.stderr)
	}
	r = runCLI(t, "", env, "diagnose", "pod/good")
	if r.code != exitError || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "pullsecret: diagnose: get pod "+ns+"/good: pods \"good\" is forbidden") {
		t.Errorf("pod/good: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestDiagnoseLiveAllNamespacesCLI: -A diagnoses the pods of several
// namespaces; usage errors for mixing the forms.
func TestDiagnoseLiveAllNamespacesCLI(t *testing.T) {
	cp := clustertest.Start(t)
	a, b := diagLiveNamespace(t, cp), diagLiveNamespace(t, cp)
	env := liveEnv(t, cp, clustertest.Admin, "")
	r := runCLI(t, "", env, "diagnose", "-A")
	noSecretIn(t, r)
	for _, ns := range []string{a, b} {
		for _, pod := range []string{"good", "bad", "broken"} {
			if !strings.Contains(r.stdout, "Pod "+ns+"/"+pod+"  (cluster)") {
				t.Errorf("-A lacks %s/%s", ns, pod)
			}
		}
	}
	if r.code != exitError {
		t.Errorf("-A: exit %d (the broken secrets fail their pods)", r.code)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-A", "pod/good"}, "-A with pod/good"},
		{[]string{"-A", "-n", a}, "-A and -n"},
		{[]string{"-f", "x.yaml", "-n", a}, "-n and -A are for the cluster"},
		{[]string{"secret/regcred"}, "want KIND/NAME"},
		{[]string{"-f", "x.yaml", "--kubeconfig", "k"}, "--kubeconfig is used only with KIND/NAME, -n or -A"},
	} {
		r := runCLI(t, "", env, append([]string{"diagnose"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// TestDiagnoseLiveVerify: --verify test-pulls a live pod's image with
// exactly the credentials of its live pull secret: the right password is
// ok, the wrong one fails (exit 1).
func TestDiagnoseLiveVerify(t *testing.T) {
	cp := clustertest.Start(t)
	reg := testPullEnv(t)
	ns := cp.Namespace(t)
	ctx := context.Background()
	for name, pass := range map[string]string{"good": tpAlicePass, "wrong": tpWrongPass} {
		liveCreateSecret(t, cp, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(authConfig(reg.RegistryHost, "alice", pass))}})
		_, err := cp.AdminClient().CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: name}},
			Containers:       []corev1.Container{{Name: "app", Image: reg.RegistryHost + "/team/app:1"}},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	env := liveEnv(t, cp, clustertest.Admin, ns)
	for pod, want := range map[string]struct {
		code             int
		verdict, predict string
	}{"good": {exitOK, "ok", "ok"}, "wrong": {exitError, "unauthorized", "fail"}} {
		r := runCLI(t, "", env, append([]string{"diagnose", "pod/" + pod, "--verify", "-o", "json"}, netArgs(reg, true)...)...)
		if strings.Contains(r.stdout+r.stderr, tpAlicePass) || strings.Contains(r.stdout+r.stderr, tpWrongPass) {
			t.Fatalf("%s: output leaks a password", pod)
		}
		var rep struct{ Pods []secrets.PodDiagnosis }
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Pods) != 1 {
			t.Fatalf("%s: %v\n%s\n%s", pod, err, r.stdout, r.stderr)
		}
		c := rep.Pods[0].Containers[0]
		if r.code != want.code || string(c.Verdict) != want.verdict || string(c.Prediction) != want.predict {
			t.Errorf("%s: exit %d, verdict %q, prediction %q; want %+v", pod, r.code, c.Verdict, c.Prediction, want)
		}
	}
}
