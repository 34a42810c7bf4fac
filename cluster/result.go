package cluster

import "fmt"

// Operation is what a write did to an object, as kubectl words it.
type Operation string

// The operations of kubectl's one-line result.
const (
	Created    Operation = "created"
	Configured Operation = "configured" // the object changed
	Unchanged  Operation = "unchanged"  // the server's object did not change
	Deleted    Operation = "deleted"
)

// DryRun is kubectl's --dry-run mode of a write.
type DryRun string

// The dry-run modes: none writes, server sends the request with dryRun=All
// (validated and admitted, not stored), client sends nothing.
const (
	DryRunNone   DryRun = ""
	DryRunServer DryRun = "server"
	DryRunClient DryRun = "client"
)

// Result is the outcome of one write: kubectl's
// `secret/regcred created` line.
type Result struct {
	// Resource is the resource as kubectl names it in output: "secret",
	// "serviceaccount", "rolebinding.rbac.authorization.k8s.io".
	Resource  string
	Namespace string
	Name      string
	Operation Operation
	DryRun    DryRun
}

// Resource names of the objects this package writes.
const (
	ResourceSecret         = "secret"
	ResourceServiceAccount = "serviceaccount"
	ResourceRoleBinding    = "rolebinding.rbac.authorization.k8s.io"
)

// ObjectName is the `-o name` form: RESOURCE/NAME.
func (r Result) ObjectName() string { return r.Resource + "/" + r.Name }

// String is kubectl's line without -o: `secret/regcred created`, with
// ` (server dry run)` or ` (dry run)` in a dry run.
func (r Result) String() string {
	s := fmt.Sprintf("%s/%s %s", r.Resource, r.Name, r.Operation)
	switch r.DryRun {
	case DryRunServer:
		s += " (server dry run)"
	case DryRunClient:
		s += " (dry run)"
	}
	return s
}

// Line is the line kubectl prints for output (-o): "name" gives
// RESOURCE/NAME, anything else the String form.
func (r Result) Line(output string) string {
	if output == "name" {
		return r.ObjectName()
	}
	return r.String()
}
