package cluster

// Deleted is the action of a write that removed the object (grant-pull
// --remove deleting an emptied binding), as kubectl words it.
const Deleted Action = "deleted"

// Resource names (Result.Kind) of the objects this package writes, as
// kubectl prints them.
const (
	ResourceSecret         = "secret"
	ResourceServiceAccount = "serviceaccount"
	ResourceRoleBinding    = "rolebinding.rbac.authorization.k8s.io"
)

// ObjectName is the `-o name` form: KIND/NAME.
func (r Result) ObjectName() string { return r.Kind + "/" + r.Name }

// Line is the line kubectl prints after a write for output (-o): "name"
// gives KIND/NAME, anything else the String form
// (`secret/regcred configured`).
func (r Result) Line(output string) string {
	if output == "name" {
		return r.ObjectName()
	}
	return r.String()
}
