package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/pullsecret/pullsecret/dockercfg"
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

// Errors of AddImagePullers.
var (
	// ErrInvalidSubject: a subject name that cannot be bound.
	ErrInvalidSubject = errors.New("invalid subject")
	// ErrNoRoleBinding: the input holds no RoleBinding that the selector
	// names.
	ErrNoRoleBinding = errors.New("no RoleBinding")
	// ErrRoleRefMismatch: the RoleBinding binds another role than the
	// ClusterRole system:image-puller; roleRef cannot be changed (the API
	// server refuses the update), so subjects cannot be added to it.
	ErrRoleRefMismatch = errors.New("roleRef cannot be changed")
)

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

// AddSubjects returns existing followed by the subjects of add it does not
// hold yet, and how many were added. As oc policy add-role-to-user compares
// them, subjects are the same when kind, name and namespace are (apiGroup is
// ignored); existing subjects are kept as they are, in their order.
func AddSubjects(existing, add []rbacv1.Subject) ([]rbacv1.Subject, int) {
	type id struct{ kind, name, namespace string }
	seen := map[id]bool{}
	out := make([]rbacv1.Subject, 0, len(existing)+len(add))
	for _, s := range existing {
		seen[id{s.Kind, s.Name, s.Namespace}] = true
		out = append(out, s)
	}
	n := 0
	for _, s := range add {
		k := id{s.Kind, s.Name, s.Namespace}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
		n++
	}
	return out, n
}

// ImagePullerSelector chooses the RoleBinding AddImagePullers extends.
// Empty fields select any.
type ImagePullerSelector struct {
	Namespace string // the binding's metadata.namespace
	Name      string // the binding's metadata.name
}

// ImagePullerUpdate is the result of AddImagePullers.
type ImagePullerUpdate struct {
	// Binding is the RoleBinding with every field as read and its subjects
	// extended. Encode prints it.
	Binding *unstructured.Unstructured
	// Namespace and Name are the binding's.
	Namespace, Name string
	// Added are the subjects added, in order; empty when the binding
	// already held all of them (Binding is then unchanged).
	Added []rbacv1.Subject
	// Kept counts the requested subjects the binding already held.
	Kept int
}

// AddImagePullers adds subjects to an existing RoleBinding to the
// ClusterRole system:image-puller, as oc policy add-role-to-user and
// add-role-to-group do with a binding found on the server. data is what
// kubectl get rolebinding -o yaml|json prints: a RoleBinding, a List of
// them, or any manifest stream (documents reads it); file names it in
// errors only.
//
// The binding extended is, among the RoleBindings sel selects, the first
// that already grants every subject (it is returned unchanged, as oc
// leaves it), else the first whose roleRef is the ClusterRole
// system:image-puller. Subjects are added after the existing ones, without
// repeating one the binding holds (AddSubjects). Every other field (labels,
// annotations, resourceVersion, fields this module does not know) is kept.
//
// Errors: ErrNoRoleBinding when sel selects no RoleBinding;
// ErrRoleRefMismatch when none selected binds system:image-puller (roleRef
// is immutable: a new binding is needed); ErrNotManifest for an object that
// does not decode. Errors start with file.
func AddImagePullers(file string, data []byte, sel ImagePullerSelector, subjects []rbacv1.Subject) (*ImagePullerUpdate, error) {
	if len(data) > dockercfg.MaxFileSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", file, dockercfg.ErrTooLarge, len(data), dockercfg.MaxFileSize)
	}
	var found []foundBinding
	for doc, err := range documents(data) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if err := collectRoleBindings(doc.JSON, 0, &found); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, doc.N, err)
		}
	}
	var selected []foundBinding
	for _, b := range found {
		if (sel.Namespace == "" || b.rb.Namespace == sel.Namespace) && (sel.Name == "" || b.rb.Name == sel.Name) {
			selected = append(selected, b)
		}
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("%s: %w%s (found %d)", file, ErrNoRoleBinding, sel.describe(), len(found))
	}
	var pick *foundBinding
	for i, b := range selected {
		if !isImagePullerRef(b.rb.RoleRef) {
			continue
		}
		if pick == nil {
			pick = &selected[i]
		}
		if _, n := AddSubjects(b.rb.Subjects, subjects); n == 0 {
			pick = &selected[i]
			break
		}
	}
	if pick == nil {
		b := selected[0]
		return nil, fmt.Errorf("%s: RoleBinding %s/%s binds %s %s, not ClusterRole %s: %w; bind %s in a new RoleBinding of another name",
			file, b.rb.Namespace, b.rb.Name, b.rb.RoleRef.Kind, b.rb.RoleRef.Name, ImagePullerRole, ErrRoleRefMismatch, ImagePullerRole)
	}
	merged, n := AddSubjects(pick.rb.Subjects, subjects)
	up := &ImagePullerUpdate{
		Binding: &unstructured.Unstructured{Object: pick.obj}, Namespace: pick.rb.Namespace, Name: pick.rb.Name,
		Added: merged[len(pick.rb.Subjects):], Kept: len(uniqueSubjects(subjects)) - n,
	}
	if n == 0 {
		return up, nil
	}
	list, ok := pick.obj["subjects"].([]any)
	if !ok {
		list = nil
	}
	for _, s := range up.Added {
		m := map[string]any{"kind": s.Kind, "name": s.Name}
		if s.APIGroup != "" {
			m["apiGroup"] = s.APIGroup
		}
		if s.Namespace != "" {
			m["namespace"] = s.Namespace
		}
		list = append(list, m)
	}
	pick.obj["subjects"] = list
	return up, nil
}

// uniqueSubjects returns subjects without repeats (AddSubjects' identity).
func uniqueSubjects(subjects []rbacv1.Subject) []rbacv1.Subject {
	u, _ := AddSubjects(nil, subjects)
	return u
}

// describe says what sel selects, for ErrNoRoleBinding.
func (sel ImagePullerSelector) describe() string {
	s := ""
	if sel.Name != "" {
		s += fmt.Sprintf(" named %q", sel.Name)
	}
	if sel.Namespace != "" {
		s += fmt.Sprintf(" in namespace %q", sel.Namespace)
	}
	return s
}

// foundBinding is a RoleBinding read by AddImagePullers: typed, and as read.
type foundBinding struct {
	rb  rbacv1.RoleBinding
	obj map[string]any
}

// collectRoleBindings appends the RoleBindings of the object js (or of the
// items of a v1 List) to found.
func collectRoleBindings(js []byte, depth int, found *[]foundBinding) error {
	var o object
	if err := json.Unmarshal(js, &o); err != nil {
		return fmt.Errorf("%w: %s", ErrNotManifest, jsonKindOf(js))
	}
	group, _, _ := strings.Cut(o.APIVersion, "/")
	switch {
	case o.APIVersion == "v1" && strings.HasSuffix(o.Kind, "List"):
		if depth >= maxListDepth {
			return fmt.Errorf("Lists nested more than %d deep", maxListDepth)
		}
		for _, item := range o.Items {
			if err := collectRoleBindings(item, depth+1, found); err != nil {
				return err
			}
		}
	case o.Kind == "RoleBinding" && group == rbacv1.GroupName:
		var b foundBinding
		if err := json.Unmarshal(js, &b.rb); err != nil {
			return fmt.Errorf("%w: decode RoleBinding: %w", ErrNotManifest, cleanDecodeError(err))
		}
		if err := json.Unmarshal(js, &b.obj); err != nil {
			return fmt.Errorf("%w: decode RoleBinding: %w", ErrNotManifest, cleanDecodeError(err))
		}
		*found = append(*found, b)
	}
	return nil
}

// isImagePullerRef reports whether ref is the ClusterRole
// system:image-puller (apiGroup rbac.authorization.k8s.io, or empty as
// the API server defaults it).
func isImagePullerRef(ref rbacv1.RoleRef) bool {
	return ref.Kind == "ClusterRole" && ref.Name == ImagePullerRole && (ref.APIGroup == rbacv1.GroupName || ref.APIGroup == "")
}

// Host names of OpenShift's integrated image registry (InternalRegistryHost).
const (
	// internalRegistryService is the registry's Service, the name image
	// streams publish (dockerImageRepository) and pods pull by.
	internalRegistryService = "image-registry.openshift-image-registry.svc"
	// internalRegistryPort is the port the Service listens on.
	internalRegistryPort = "5000"
	// internalRegistryRoutePrefix starts the host of the registry's default
	// route (spec.defaultRoute: true): default-route-openshift-image-registry.APPS_DOMAIN.
	internalRegistryRoutePrefix = "default-route-openshift-image-registry."
)

// InternalRegistryHost reports whether host (host[:port] of an image
// reference) is OpenShift's integrated registry: its Service
// image-registry.openshift-image-registry.svc (or .svc.cluster.local) on
// port 5000, or its default route default-route-openshift-image-registry.*
// (any port). Other routes, the Service's cluster IP and the Service
// without port 5000 (nothing listens there) are not recognised.
func InternalRegistryHost(host string) bool {
	host = strings.ToLower(host)
	if strings.HasPrefix(host, internalRegistryRoutePrefix) && len(host) > len(internalRegistryRoutePrefix) {
		return true
	}
	h, port, ok := strings.Cut(host, ":")
	return ok && port == internalRegistryPort && (h == internalRegistryService || h == internalRegistryService+".cluster.local")
}

// rbacBinding is a RoleBinding (namespace set) or a ClusterRoleBinding
// (namespace empty) read by Inventory.Add.
type rbacBinding struct {
	kind, namespace, name string
	roleRef               rbacv1.RoleRef
	subjects              []rbacv1.Subject
}

func (b *rbacBinding) String() string {
	if b.namespace == "" {
		return b.kind + " " + b.name
	}
	return b.kind + " " + b.namespace + "/" + b.name
}

// pullIdentity is who the integrated registry authorizes: a user name and
// its groups, as the API server's authenticators give them.
type pullIdentity struct {
	user   string
	groups []string
	// sa is the ServiceAccount ("NS/NAME") the user is, or "".
	sa string
}

// serviceAccountIdentity is the identity of a ServiceAccount token.
func serviceAccountIdentity(ns, name string) pullIdentity {
	return pullIdentity{
		user:   serviceAccountUserPrefix + ns + ":" + name,
		groups: []string{allServiceAccountsGroup, serviceAccountGroupPrefix + ns, "system:authenticated"},
		sa:     ns + "/" + name,
	}
}

// anonymousIdentity is the identity of a request without credentials.
func anonymousIdentity() pullIdentity {
	return pullIdentity{user: "system:anonymous", groups: []string{"system:unauthenticated"}}
}

// subjectFor returns the subject of b that names id, and whether one does:
// a ServiceAccount subject for id's ServiceAccount, a User subject for its
// user name, a Group subject for one of its groups.
func (b *rbacBinding) subjectFor(id pullIdentity) (rbacv1.Subject, bool) {
	for _, s := range b.subjects {
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				ns = b.namespace
			}
			if id.sa != "" && ns+"/"+s.Name == id.sa {
				return s, true
			}
		case rbacv1.UserKind:
			if s.Name == id.user {
				return s, true
			}
		case rbacv1.GroupKind:
			for _, g := range id.groups {
				if s.Name == g {
					return s, true
				}
			}
		}
	}
	return rbacv1.Subject{}, false
}

// grantOutcome is what the bindings in the input say about an image pull
// from a project of the integrated registry.
type grantOutcome int

const (
	grantUnknown grantOutcome = iota // no binding of the project in the input, or another role bound
	grantAllowed                     // a binding grants system:image-puller to the identity
	grantDenied                      // the project's bindings are in the input; none grants it
)

// imagePullGrant decides whether bindings let id pull from project: a
// RoleBinding in project or a ClusterRoleBinding whose roleRef is the
// ClusterRole system:image-puller and one of whose subjects names id
// allows it (why names the binding and subject). Another role bound to id
// makes the outcome unknown (its rules are not in the input). Without a
// RoleBinding of project in the input (haveProject false) the outcome is
// unknown, else denied.
func imagePullGrant(bindings []*rbacBinding, project string, haveProject bool, id pullIdentity) (outcome grantOutcome, why string) {
	var other []string
	for _, b := range bindings {
		if b.namespace != "" && b.namespace != project {
			continue
		}
		s, ok := b.subjectFor(id)
		if !ok {
			continue
		}
		if isImagePullerRef(b.roleRef) {
			return grantAllowed, fmt.Sprintf("%s (subject %s %s)", b, s.Kind, s.Name)
		}
		other = append(other, fmt.Sprintf("%s binds %s %s", b, b.roleRef.Kind, b.roleRef.Name))
	}
	switch {
	case len(other) > 0:
		return grantUnknown, strings.Join(other, "; ")
	case haveProject:
		return grantDenied, ""
	}
	return grantUnknown, ""
}
