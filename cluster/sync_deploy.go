package cluster

import (
	"bytes"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// DeployOptions say how to run `pullsecret sync --watch` in the cluster.
type DeployOptions struct {
	Namespace string   // where the Deployment runs and its Lease lives: the source's namespace
	Name      string   // name of the Deployment, ServiceAccount and RBAC objects; "": "pullsecret-sync"
	Image     string   // container image whose entrypoint is pullsecret
	Args      []string // the sync arguments after "sync" (with --watch)
	Replicas  int32    // 0: 2 (one leads)
}

// SyncDeployRules are the least cluster-wide rules the controller needs:
// it watches namespaces, reads, writes and deletes (prune) Secrets, and
// edits ServiceAccounts. It emits no events.
func SyncDeployRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch", "create", "update", "delete"}},
		{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: []string{"get", "list", "watch", "update"}},
	}
}

// SyncLeaseRules are the rules of the Role in the controller's namespace:
// the leader election Lease.
func SyncLeaseRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "create", "update"}},
	}
}

// SyncDeployObjects are the objects that run the controller: its
// ServiceAccount, ClusterRole and ClusterRoleBinding (SyncDeployRules), Role
// and RoleBinding (SyncLeaseRules) and Deployment.
func SyncDeployObjects(o DeployOptions) []runtime.Object {
	name := o.Name
	if name == "" {
		name = "pullsecret-sync"
	}
	replicas := o.Replicas
	if replicas == 0 {
		replicas = 2
	}
	labels := map[string]string{"app.kubernetes.io/name": name}
	meta := func(namespaced bool) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: name, Labels: labels}
		if namespaced {
			m.Namespace = o.Namespace
		}
		return m
	}
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: o.Namespace}}
	yes, no := true, false
	uid := int64(65532)
	return []runtime.Object{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: meta(true)},
		&rbacv1.ClusterRole{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"}, ObjectMeta: meta(false), Rules: SyncDeployRules()},
		&rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"}, ObjectMeta: meta(false),
			RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name}, Subjects: subject},
		&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: meta(true), Rules: SyncLeaseRules()},
		&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"}, ObjectMeta: meta(true),
			RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name}, Subjects: subject},
		&appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta(true),
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{
						ServiceAccountName: name,
						SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
						Containers: []corev1.Container{{
							Name:  "sync",
							Image: o.Image,
							Args:  append([]string{"sync"}, o.Args...),
							SecurityContext: &corev1.SecurityContext{
								AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
								Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
							},
						}},
					},
				},
			},
		},
	}
}

// SyncDeployYAML is SyncDeployObjects as a YAML stream.
func SyncDeployYAML(o DeployOptions) ([]byte, error) {
	var b bytes.Buffer
	for i, obj := range SyncDeployObjects(o) {
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("marshal deploy object: %w", err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(stripEmpty(string(y)))
	}
	return b.Bytes(), nil
}

// stripEmpty drops the empty fields Go's zero values print.
func stripEmpty(y string) string {
	var out []string
	for _, l := range strings.SplitAfter(y, "\n") {
		t := strings.TrimSpace(l)
		if t == "creationTimestamp: null" || t == "status: {}" || t == "resources: {}" || t == "strategy: {}" {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}
