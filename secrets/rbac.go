package secrets

import (
	"errors"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// ImagePullerRole is the OpenShift ClusterRole that allows pulling images
// from the integrated registry's image streams of a namespace.
const ImagePullerRole = "system:image-puller"

// Prefixes of the service account user and group names.
const (
	serviceAccountUserPrefix  = "system:serviceaccount:"
	serviceAccountGroupPrefix = "system:serviceaccounts:"
	allServiceAccountsGroup   = "system:serviceaccounts"
)

// ErrInvalidSubject: a subject name that cannot be bound.
var ErrInvalidSubject = errors.New("invalid subject")

// ParseSubject turns a user or group name into an RBAC subject, as oc policy
// add-role-to-user and add-role-to-group write them:
//
//   - system:serviceaccount:NS:NAME is {kind: ServiceAccount, name: NAME,
//     namespace: NS}, without apiGroup;
//   - system:serviceaccounts:NS, system:serviceaccounts, system:authenticated
//     and system:unauthenticated are {kind: Group, apiGroup:
//     rbac.authorization.k8s.io};
//   - any other name is {kind: User, apiGroup: rbac.authorization.k8s.io}.
//
// An empty name, or a service account name with a namespace that is not a
// DNS-1123 label or a name that is not a DNS-1123 subdomain, is
// ErrInvalidSubject.
func ParseSubject(s string) (rbacv1.Subject, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return rbacv1.Subject{}, fmt.Errorf("parse subject %q: %w: empty name", s, ErrInvalidSubject)
	case strings.HasPrefix(s, serviceAccountUserPrefix):
		ns, name, ok := strings.Cut(strings.TrimPrefix(s, serviceAccountUserPrefix), ":")
		if !ok {
			return rbacv1.Subject{}, fmt.Errorf("parse subject %q: %w: want system:serviceaccount:NAMESPACE:NAME", s, ErrInvalidSubject)
		}
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			return rbacv1.Subject{}, fmt.Errorf("parse subject %q: %w: namespace %q: %s", s, ErrInvalidSubject, ns, strings.Join(msgs, "; "))
		}
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			return rbacv1.Subject{}, fmt.Errorf("parse subject %q: %w: service account %q: %s", s, ErrInvalidSubject, name, strings.Join(msgs, "; "))
		}
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}, nil
	case strings.HasPrefix(s, serviceAccountGroupPrefix):
		ns := strings.TrimPrefix(s, serviceAccountGroupPrefix)
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			return rbacv1.Subject{}, fmt.Errorf("parse subject %q: %w: namespace %q: %s", s, ErrInvalidSubject, ns, strings.Join(msgs, "; "))
		}
		return GroupSubject(s), nil
	case s == allServiceAccountsGroup, s == "system:authenticated", s == "system:unauthenticated":
		return GroupSubject(s), nil
	}
	return UserSubject(s), nil
}

// UserSubject returns {kind: User, apiGroup: rbac.authorization.k8s.io,
// name}. It does not interpret service account names; see ParseSubject.
func UserSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

// GroupSubject returns {kind: Group, apiGroup: rbac.authorization.k8s.io,
// name}.
func GroupSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

// ImagePullerBinding returns the RoleBinding in namespace that grants the
// subjects the ClusterRole system:image-puller, as oc policy
// add-role-to-user system:image-puller ... -n NAMESPACE creates it: named
// name, or system:image-puller when name is empty; roleRef {apiGroup:
// rbac.authorization.k8s.io, kind: ClusterRole, name: system:image-puller}.
// Subjects keep their order; repeated subjects are dropped.
func ImagePullerBinding(namespace, name string, subjects []rbacv1.Subject) *rbacv1.RoleBinding {
	if name == "" {
		name = ImagePullerRole
	}
	rb := &rbacv1.RoleBinding{
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ImagePullerRole},
	}
	rb.APIVersion, rb.Kind = rbacv1.SchemeGroupVersion.String(), "RoleBinding"
	rb.Name, rb.Namespace = name, namespace
	seen := map[rbacv1.Subject]bool{}
	for _, s := range subjects {
		if seen[s] {
			continue
		}
		seen[s] = true
		rb.Subjects = append(rb.Subjects, s)
	}
	return rb
}
