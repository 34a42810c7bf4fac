package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// Names of the live part, as in the seed chapter (OpenShift's "Using image
// pull secrets").
const (
	projectA     = "project-a"
	projectB     = "project-b"
	globalNS     = "openshift-config"
	globalSecret = "pull-secret"
	liveSecret   = "demo-pull"
	livePod      = "web"
)

// globalPullSecret is the global pull secret as an installer leaves it: two
// entries another tool owns, a label and an annotation that must survive.
const globalPullSecret = `{"auths":{"cloud.openshift.com":{"auth":"Y2xvdWQ6b3BlbnNoaWZ0","email":"you@example.com"},"quay.io":{"auth":"cXVheTpyb2JvdA==","email":"you@example.com"}}}`

// live runs the seed chapter's oc procedures with pullsecret alone against a
// real kube-apiserver (internal/clustertest), when its binaries are in
// cpDir ("" for the default place). Without them it prints one line saying how
// to get them and returns nil.
func (d *demo) live(ctx context.Context, cpDir, registryHost string) error {
	cp, err := clustertest.New(cpDir)
	if errors.Is(err, clustertest.ErrNoBinaries) {
		fmt.Fprintf(d.out, "\n== live part skipped: %v\n", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	defer cp.Stop()
	fmt.Fprintf(d.out, "\n== live: the seed chapter's oc procedures, with pullsecret alone, against a real kube-apiserver v1.37 (%s)\n", cp.Host())

	admin := cp.AdminClient()
	if err := liveSetup(ctx, admin, d.out); err != nil {
		return err
	}
	kc := filepath.Join(d.dir, "kubeconfig")
	if err := cp.WriteKubeconfig(kc, clustertest.Admin, projectA); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   (setup) KUBECONFIG: the admin, namespace %s (as after oc project %s)\n", projectA, projectA)
	l := *d
	l.env = append(slices.Clone(d.env), "KUBECONFIG="+kc)
	image := registryHost + "/demo/app:v1"

	fmt.Fprintln(d.out, "\n== L1. oc create secret docker-registry demo-pull ...: server-side apply; a second run changes nothing")
	for _, want := range []string{"created", "unchanged"} {
		got, err := l.sh(demoPassword+"\n", 0, "create", liveSecret, "--docker-server="+registryHost,
			"--docker-username="+demoUser, "--password-stdin", "--apply")
		if err != nil {
			return err
		}
		if err := expectLine(got, "secret/"+liveSecret+" "+want); err != nil {
			return err
		}
	}

	fmt.Fprintln(d.out, "\n== L2. oc secrets link default demo-pull --for=pull: the live ServiceAccount, resourceVersion-checked")
	got, err := l.sh("", 0, "link", "default", liveSecret, "--for=pull", "--apply")
	if err != nil {
		return err
	}
	if err := expectLine(got, "serviceaccount/default configured"); err != nil {
		return err
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: livePod},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}
	created, err := admin.CoreV1().Pods(projectA).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create pod %s/%s: %w", projectA, livePod, err)
	}
	var copied []string
	for _, r := range created.Spec.ImagePullSecrets {
		copied = append(copied, r.Name)
	}
	fmt.Fprintf(d.out, "   (setup) pod %s/%s created with image %s; the API server copied the ServiceAccount's imagePullSecrets into it: %v\n",
		projectA, livePod, image, copied)
	if !slices.Contains(copied, liveSecret) {
		return fmt.Errorf("pod %s/%s: imagePullSecrets %v, want %s copied from the ServiceAccount", projectA, livePod, copied, liveSecret)
	}

	fmt.Fprintln(d.out, "\n== L3. oc policy add-role-to-user, then add-role-to-group, system:image-puller in project-b: both subjects kept")
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"grant-pull", "-n", projectB, "system:serviceaccount:" + projectA + ":default", "--apply"}, "created"},
		{[]string{"grant-pull", "-n", projectB, "system:serviceaccounts:" + projectA, "--apply"}, "configured"},
		// oc's own argument order, role first: nothing left to add.
		{[]string{"grant-pull", "system:image-puller", "system:serviceaccount:" + projectA + ":default", "--namespace=" + projectB, "--apply"}, "unchanged"},
	} {
		got, err := l.sh("", 0, step.args...)
		if err != nil {
			return err
		}
		if err := expectLine(got, "rolebinding.rbac.authorization.k8s.io/system:image-puller "+step.want); err != nil {
			return err
		}
	}
	rb, err := admin.RbacV1().RoleBindings(projectB).Get(ctx, "system:image-puller", metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get rolebinding %s/system:image-puller: %w", projectB, err)
	}
	var subjects []string
	for _, s := range rb.Subjects {
		subjects = append(subjects, s.Kind+" "+strings.TrimPrefix(s.Namespace+"/", "/")+s.Name)
	}
	fmt.Fprintf(d.out, "   (check) rolebinding %s/system:image-puller subjects: %s\n", projectB, strings.Join(subjects, ", "))
	if len(subjects) != 2 {
		return fmt.Errorf("rolebinding %s/system:image-puller: subjects %v, want both", projectB, subjects)
	}

	fmt.Fprintln(d.out, "\n== L4. the global pull secret (oc registry login --to, oc set data secret/pull-secret -n openshift-config): one entry added, then removed, the rest kept")
	if _, err := l.sh(demoPassword+"\n", 0, append([]string{"login", registryHost, "--to", "secret/" + globalSecret, "-n", globalNS,
		"-u", demoUser, "--password-stdin", "--check", "--diff"}, d.netArg...)...); err != nil {
		return err
	}
	if _, err := l.sh("", 0, "inspect", "--authfile", "secret/"+globalSecret, "-n", globalNS); err != nil {
		return err
	}
	if _, err := l.sh("", 0, "logout", registryHost, "--from", "secret/"+globalSecret, "-n", globalNS); err != nil {
		return err
	}
	gs, err := admin.CoreV1().Secrets(globalNS).Get(ctx, globalSecret, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get secret %s/%s: %w", globalNS, globalSecret, err)
	}
	if string(gs.Data[corev1.DockerConfigJsonKey]) != globalPullSecret || gs.Labels["demo"] != "kept" || gs.Annotations["demo/note"] != "kept" {
		return fmt.Errorf("secret %s/%s: after login and logout it is not as it was (labels %v)", globalNS, globalSecret, gs.Labels)
	}
	fmt.Fprintf(d.out, "   (check) secret %s/%s: its payload, label and annotation are as before the login\n", globalNS, globalSecret)

	fmt.Fprintln(d.out, "\n== L5. credentials read from the live Secret, and exactly the pod's, in kubelet order")
	if _, err := l.sh("", 0, "match", image, "--authfile", "secret/"+liveSecret); err != nil {
		return err
	}
	if _, err := l.sh("", 0, append([]string{"test-pull", image, "--pod", livePod}, d.netArg...)...); err != nil {
		return err
	}

	if l.hasLiveDiagnose() {
		fmt.Fprintln(d.out, "\n== L6. why would (or did) the pod fail to pull: diagnose pod/web, live")
		if _, err := l.sh("", 0, "diagnose", "pod/"+livePod); err != nil {
			return err
		}
	}
	cp.Stop() // the deferred Stop is then a no-op
	fmt.Fprintln(d.out, "\n== live part done: control plane stopped")
	return nil
}

// liveSetup creates what an OpenShift cluster has before the procedures
// start: the two projects with their "default" ServiceAccounts (no
// controller-manager runs) and the global pull secret.
func liveSetup(ctx context.Context, c kubernetes.Interface, out io.Writer) error {
	for _, ns := range []string{projectA, projectB, globalNS} {
		if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create namespace %s: %w", ns, err)
		}
		if ns == globalNS {
			continue
		}
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
		if _, err := c.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create serviceaccount %s/default: %w", ns, err)
		}
	}
	gs := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: globalSecret, Labels: map[string]string{"demo": "kept"},
			Annotations: map[string]string{"demo/note": "kept"}},
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(globalPullSecret)},
	}
	if _, err := c.CoreV1().Secrets(globalNS).Create(ctx, gs, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create secret %s/%s: %w", globalNS, globalSecret, err)
	}
	fmt.Fprintf(out, "   (setup) namespaces %s and %s with ServiceAccount default; %s/%s with cloud.openshift.com and quay.io\n",
		projectA, projectB, globalNS, globalSecret)
	return nil
}

// expectLine checks that stdout holds the result line want.
func expectLine(stdout, want string) error {
	if !slices.Contains(strings.Split(strings.TrimSpace(stdout), "\n"), want) {
		return fmt.Errorf("result %q, want the line %q", strings.TrimSpace(stdout), want)
	}
	return nil
}

// hasLiveDiagnose reports whether this pullsecret's diagnose reads a live
// target (diagnose pod/NAME), which a build without it refuses.
func (d *demo) hasLiveDiagnose() bool {
	help, err := exec.Command(filepath.Join(d.bin, "pullsecret"), "diagnose", "--help").Output()
	return err == nil && strings.Contains(string(help), "pod/NAME")
}
