package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

const (
	diagPassword = "s3cret-pw-do-not-print"
	diagImage    = "quay.io/team/app:1"
)

func diagPullSecret(ns, name string) *corev1.Secret {
	return livePullSecret(ns, name, `{"auths":{"quay.io":{"auth":"`+b64("robot:"+diagPassword)+`"}}}`)
}

func podSpec(secretNames ...string) corev1.PodSpec {
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: diagImage}}}
	for _, n := range secretNames {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
	}
	return spec
}

func createPod(t testing.TB, cs kubernetes.Interface, ns, name string, lbls map[string]string, spec corev1.PodSpec) *corev1.Pod {
	t.Helper()
	p, err := cs.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}, Spec: spec,
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func createDeployment(t *testing.T, cs kubernetes.Interface, ns, name string, spec corev1.PodSpec) {
	t.Helper()
	lbls := map[string]string{"app": name}
	_, err := cs.AppsV1().Deployments(ns).Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbls}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// createPullEvent records what the kubelet would: no kubelet runs.
func createPullEvent(t *testing.T, cs kubernetes.Interface, ns, pod, reason, message string, count int32) {
	t.Helper()
	now := metav1.NewTime(time.Now())
	_, err := cs.CoreV1().Events(ns).Create(context.Background(), &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{GenerateName: pod + "."},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod, APIVersion: "v1",
			FieldPath: "spec.containers{app}"},
		Reason: reason, Message: message, Type: corev1.EventTypeWarning, Count: count,
		FirstTimestamp: now, LastTimestamp: now, Source: corev1.EventSource{Component: "kubelet"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// diagnose runs Client.Diagnose and collects the reports.
func diagnose(t *testing.T, c *cluster.Client, opts cluster.DiagnoseOptions) ([]*secrets.Diagnosis, *cluster.DiagnoseSummary) {
	t.Helper()
	var reps []*secrets.Diagnosis
	sum, err := c.Diagnose(context.Background(), opts, func(d *secrets.Diagnosis) error {
		reps = append(reps, d)
		return nil
	})
	if err != nil {
		t.Fatalf("diagnose: %v", err)
	}
	out, _ := json.Marshal(reps)
	for _, s := range []string{diagPassword, b64("robot:" + diagPassword)} {
		if strings.Contains(string(out), s) {
			t.Fatalf("report holds a secret: %s", out)
		}
	}
	return reps, sum
}

// pod finds the report of KIND/NAME in ns.
func podOf(t *testing.T, reps []*secrets.Diagnosis, ns, kind, name string) *secrets.PodDiagnosis {
	t.Helper()
	for _, r := range reps {
		for i, p := range r.Pods {
			if p.Namespace == ns && p.Kind == kind && p.Name == name {
				return &r.Pods[i]
			}
		}
	}
	t.Fatalf("no %s %s/%s in the reports", kind, ns, name)
	return nil
}

func hasProblem(c *secrets.ContainerDiagnosis, sev secrets.Severity, sub string) bool {
	return slices.ContainsFunc(c.Problems, func(p secrets.Problem) bool {
		return p.Severity == sev && strings.Contains(p.Message, sub)
	})
}

// TestDiagnoseLive: pod/NAME and deploy/NAME with a working and a missing
// pull secret; the Events and waiting states a kubelet would record are
// joined to the right containers and classified; -n finds the same.
func TestDiagnoseLive(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	admin := env.AdminClient()
	ctx := context.Background()
	createSecret(t, env, diagPullSecret(ns, "regcred"))
	createPod(t, admin, ns, "good", nil, podSpec("regcred"))
	bad := createPod(t, admin, ns, "bad", nil, podSpec("nope"))
	createDeployment(t, admin, ns, "web-good", podSpec("regcred"))
	createDeployment(t, admin, ns, "web-bad", podSpec("nope"))
	createPod(t, admin, ns, "web-bad-7d9f-x2x", map[string]string{"app": "web-bad"}, podSpec("nope"))

	bad.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Image: diagImage, State: corev1.ContainerState{
		Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "quay.io/team/app:1": ErrImagePull: unauthorized: access to the requested resource is not authorized`},
	}}}
	if _, err := admin.CoreV1().Pods(ns).UpdateStatus(ctx, bad, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	createPullEvent(t, admin, ns, "bad", "Failed", `Failed to pull image "quay.io/team/app:1": rpc error: code = Unknown desc = unauthorized: access to the requested resource is not authorized`, 3)
	createPullEvent(t, admin, ns, "web-bad-7d9f-x2x", "Failed", `Failed to pull image "quay.io/team/app:1": toomanyrequests: You have reached your pull rate limit`, 1)
	createPullEvent(t, admin, ns, "good", "Pulled", `Successfully pulled image "quay.io/team/app:1"`, 1) // not a failure: not joined

	c := client(t, env, clustertest.Admin, ns)
	check := func(t *testing.T, reps []*secrets.Diagnosis) {
		t.Helper()
		good := podOf(t, reps, ns, "Pod", "good").Containers[0]
		if good.Prediction != secrets.PredictOK || len(good.Events) != 0 || good.Credentials[0].Username != "robot" {
			t.Errorf("pod/good: %+v", good)
		}
		badc := podOf(t, reps, ns, "Pod", "bad").Containers[0]
		if badc.Prediction != secrets.PredictAnonymous || !hasProblem(badc, secrets.SeverityError, "secret "+ns+"/nope does not exist") {
			t.Errorf("pod/bad: prediction %s, problems %+v", badc.Prediction, badc.Problems)
		}
		if len(badc.Events) != 2 || badc.Events[0].From != "status" || badc.Events[0].Reason != "ImagePullBackOff" ||
			badc.Events[1].Reason != "Failed" || badc.Events[1].Count != 3 || badc.Observed != match.VerdictUnauthorized {
			t.Errorf("pod/bad events: %+v, observed %q", badc.Events, badc.Observed)
		}
		if !hasProblem(badc, secrets.SeverityError, "the kubelet reported failed pulls of "+diagImage+" (unauthorized") {
			t.Errorf("pod/bad: no joined finding: %+v", badc.Problems)
		}
		wg := podOf(t, reps, ns, "Deployment", "web-good").Containers[0]
		if wg.Prediction != secrets.PredictOK || len(wg.Events) != 0 {
			t.Errorf("deploy/web-good: %+v", wg)
		}
		wb := podOf(t, reps, ns, "Deployment", "web-bad").Containers[0]
		if wb.Prediction != secrets.PredictAnonymous || len(wb.Events) != 1 || wb.Events[0].Pod != "web-bad-7d9f-x2x" || wb.Observed != match.VerdictRateLimited {
			t.Errorf("deploy/web-bad: prediction %s, events %+v", wb.Prediction, wb.Events)
		}
	}
	t.Run("targets", func(t *testing.T) {
		var targets []cluster.Target
		for _, s := range []string{"pod/good", "po/bad", "deploy/web-good", "deployments.apps/web-bad"} {
			tg, err := cluster.ParseTarget(s)
			if err != nil {
				t.Fatal(err)
			}
			targets = append(targets, tg)
		}
		reps, sum := diagnose(t, c, cluster.DiagnoseOptions{Targets: targets})
		if len(reps) != 1 || len(reps[0].Pods) != 4 || sum.Pods != 4 || len(sum.Unreadable) != 0 {
			t.Fatalf("reports %d, pods %d, unreadable %+v", len(reps), sum.Pods, sum.Unreadable)
		}
		check(t, reps)
	})
	t.Run("namespace", func(t *testing.T) {
		reps, sum := diagnose(t, c, cluster.DiagnoseOptions{Namespace: ns, PageSize: 2})
		if sum.Namespaces != 1 || sum.Pods != 5 {
			t.Fatalf("namespaces %d, pods %d", sum.Namespaces, sum.Pods)
		}
		check(t, reps)
		// The pod of the deployment has its own report and events.
		p := podOf(t, reps, ns, "Pod", "web-bad-7d9f-x2x").Containers[0]
		if len(p.Events) != 1 || p.Events[0].Pod != "" || p.Observed != match.VerdictRateLimited {
			t.Errorf("pod of web-bad: %+v", p.Events)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := c.Diagnose(ctx, cluster.DiagnoseOptions{Targets: []cluster.Target{{Kind: "StatefulSet", Name: "nope"}}},
			func(*secrets.Diagnosis) error { return nil })
		var ae *cluster.AccessError
		if !errors.As(err, &ae) || ae.Resource != "statefulset" || !strings.Contains(err.Error(), "get statefulset "+ns+"/nope") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestDiagnoseForbidden: alice may only list pods. Every read she may not
// make is named, and what depends on it is unknown, never ok.
func TestDiagnoseForbidden(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	admin := env.AdminClient()
	createSecret(t, env, diagPullSecret(ns, "regcred"))
	createPod(t, admin, ns, "with-secret", nil, podSpec("regcred"))
	createPod(t, admin, ns, "from-sa", nil, podSpec())
	env.Grant(t, clustertest.Alice, ns, []string{"list"}, []string{"pods"})

	c := client(t, env, clustertest.Alice, ns)
	reps, sum := diagnose(t, c, cluster.DiagnoseOptions{})
	for _, p := range reps[0].Pods {
		for _, ctr := range p.Containers {
			if ctr.Prediction != secrets.PredictUnknown {
				t.Errorf("%s %s: prediction %s, want unknown: %+v", p.Kind, p.Name, ctr.Prediction, ctr.Problems)
			}
		}
	}
	ws := podOf(t, reps, ns, "Pod", "with-secret").Containers[0]
	if !hasProblem(ws, secrets.SeverityWarning, "secret "+ns+"/regcred could not be read (list secrets in "+ns+": forbidden)") {
		t.Errorf("with-secret: %+v", ws.Problems)
	}
	sa := podOf(t, reps, ns, "Pod", "from-sa").Containers[0]
	if !hasProblem(sa, secrets.SeverityWarning, "ServiceAccount "+ns+"/default could not be read (list serviceaccounts in "+ns+": forbidden)") {
		t.Errorf("from-sa: %+v", sa.Problems)
	}
	var reads []string
	for _, u := range sum.Unreadable {
		reads = append(reads, u.Read)
		if !strings.Contains(u.Error, "forbidden") || u.Unknown == "" {
			t.Errorf("unreadable %+v", u)
		}
	}
	for _, want := range []string{"get secret openshift-config/pull-secret", "list deployments in " + ns, "list cronjobs in " + ns,
		"list serviceaccounts in " + ns, "list secrets in " + ns, "list events in " + ns} {
		if !slices.Contains(reads, want) {
			t.Errorf("unreadable reads %q lack %q", reads, want)
		}
	}
	// Nothing at all readable: an error naming the read, not a report.
	_, err := client(t, env, clustertest.Bob, ns).Diagnose(context.Background(), cluster.DiagnoseOptions{},
		func(*secrets.Diagnosis) error { t.Error("bob got a report"); return nil })
	if err == nil || !strings.Contains(err.Error(), "list pods in "+ns) || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("bob: err = %v", err)
	}
}

// TestDiagnoseMalformedSecret: a pull secret whose payload the kubelet
// cannot read fails the pods that use it, is reported on them, and does
// not stop the diagnosis of the namespace.
func TestDiagnoseMalformedSecret(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	admin := env.AdminClient()
	createSecret(t, env, diagPullSecret(ns, "regcred"))
	// Valid JSON (the API server checks no more) with an auth that is not
	// base64.
	createSecret(t, env, livePullSecret(ns, "broken", `{"auths":{"quay.io":{"auth":"!!`+diagPassword+`"}}}`))
	createPod(t, admin, ns, "a-uses-broken", nil, podSpec("broken", "regcred"))
	createPod(t, admin, ns, "b-fine", nil, podSpec("regcred"))
	c := client(t, env, clustertest.Admin, ns)
	reps, _ := diagnose(t, c, cluster.DiagnoseOptions{})
	br := podOf(t, reps, ns, "Pod", "a-uses-broken").Containers[0]
	if br.Prediction != secrets.PredictFail || !hasProblem(br, secrets.SeverityError, "secret "+ns+"/broken is malformed") {
		t.Errorf("a-uses-broken: %s %+v", br.Prediction, br.Problems)
	}
	if fine := podOf(t, reps, ns, "Pod", "b-fine").Containers[0]; fine.Prediction != secrets.PredictOK {
		t.Errorf("b-fine: %s %+v", fine.Prediction, fine.Problems)
	}
}

// TestDiagnoseAllNamespaces: -A across several namespaces, pages of 2:
// one report per namespace, in name order, each with its own secrets;
// RoleBindings of another project are read for an internal-registry image.
func TestDiagnoseAllNamespaces(t *testing.T) {
	env := clustertest.StartDedicated(t)
	admin := env.AdminClient()
	ctx := context.Background()
	var names []string
	for i := range 3 {
		ns := env.Namespace(t)
		names = append(names, ns)
		createSecret(t, env, diagPullSecret(ns, "regcred"))
		for j := range 3 {
			createPod(t, admin, ns, fmt.Sprintf("p%d", j), nil, podSpec("regcred"))
		}
		if i == 1 {
			createPod(t, admin, ns, "no-secret", nil, podSpec())
		}
	}
	// An internal-registry image of project names[2], which grants the
	// pull to names[0]'s default ServiceAccount.
	internal := "image-registry.openshift-image-registry.svc:5000/" + names[2] + "/app:1"
	internalNS, project := names[0], names[2]
	createSecret(t, env, livePullSecret(internalNS, "default-dockercfg-x7k2p",
		`{"auths":{"image-registry.openshift-image-registry.svc:5000":{"auth":"`+b64("serviceaccount:token")+`"}}}`))
	spec := podSpec("default-dockercfg-x7k2p")
	spec.Containers[0].Image = internal
	createPod(t, admin, names[0], "internal", nil, spec)
	_, err := admin.RbacV1().RoleBindings(names[2]).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "system:image-puller"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:image-puller"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default", Namespace: names[0]}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	c := client(t, env, clustertest.Admin, "default")
	reps, sum := diagnose(t, c, cluster.DiagnoseOptions{AllNamespaces: true, PageSize: 2})
	var got []string
	for _, r := range reps {
		got = append(got, r.Pods[0].Namespace)
	}
	if !slices.Equal(got, names) || sum.Namespaces != 3 || sum.Pods != 11 {
		t.Fatalf("namespaces %v (want %v), pods %d", got, names, sum.Pods)
	}
	for _, r := range reps {
		for _, p := range r.Pods {
			want := secrets.PredictOK
			if p.Name == "no-secret" {
				want = secrets.PredictAnonymous
			}
			if ctr := p.Containers[0]; ctr.Prediction != want {
				t.Errorf("%s/%s: %s, want %s: %+v", p.Namespace, p.Name, ctr.Prediction, want, ctr.Problems)
			}
		}
	}
	in := podOf(t, reps, internalNS, "Pod", "internal").Containers[0]
	if !hasProblem(in, secrets.SeverityNote, "project "+project+" grants system:image-puller to ServiceAccount "+internalNS+"/default") {
		t.Errorf("internal: %+v", in.Problems)
	}
}
