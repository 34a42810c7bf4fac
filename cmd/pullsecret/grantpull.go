package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func newGrantPullCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "grant-pull",
		Usage:     "a RoleBinding letting subjects pull images from a namespace (oc policy add-role-to-user system:image-puller)",
		ArgsUsage: "SUBJECT...",
		Description: `Prints a RoleBinding in the -n namespace to the ClusterRole system:image-puller,
as oc policy add-role-to-user / add-role-to-group system:image-puller creates it
(named system:image-puller unless --name is given). A SUBJECT
system:serviceaccount:NS:NAME is a ServiceAccount; system:serviceaccounts:NS,
system:serviceaccounts, system:authenticated and system:unauthenticated are
groups; any other name is a user. --user and --group name users and groups
explicitly. Repeated subjects are listed once. oc's order, role first, works
too: grant-pull system:image-puller SUBJECT... --namespace=NS.

kubectl apply replaces the subjects of an existing RoleBinding of the same
name. To add to a binding that exists, as oc policy add-role-to-* does, give
it with -f EXISTING (kubectl get rolebinding NAME -n NS -o yaml, or a List):
the subjects are added to it, every other field kept; its roleRef must be the
ClusterRole system:image-puller. -n and --name then select the binding.
  kubectl get rolebinding system:image-puller -n project-b -o yaml |
    pullsecret grant-pull -f - system:serviceaccounts:project-a | kubectl apply -f -

With --apply, the binding in the cluster (kubeconfig, --context, -n) is
changed, as oc policy add-role-to-user/-group does: the subjects are added to
the RoleBinding to system:image-puller already there (unchanged when it holds
them all), or a new one is created; the write carries the resourceVersion
read and is redone from a fresh read when another writer got there first, so
no subject is lost. --remove removes the subjects from every such binding and
deletes a binding left empty (oc policy remove-role-from-user/-group).
  pullsecret grant-pull -n project-b system:serviceaccounts:project-a --apply`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "`NAMESPACE` whose images the subjects may pull (required without -f or --apply)"},
			&cli.StringFlag{Name: "filename", Aliases: []string{"f"}, Usage: "`EXISTING` RoleBinding to add the subjects to (kubectl get rolebinding -o yaml; - for stdin)"},
			&cli.GenericFlag{Name: "user", Value: &stringList{}, Usage: "user `NAME` (repeatable)"},
			&cli.GenericFlag{Name: "group", Value: &stringList{}, Usage: "group `NAME` (repeatable)"},
			&cli.StringFlag{Name: "name", Usage: "name of the RoleBinding (default: system:image-puller, as oc names it)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml or json; with --apply: name"},
			&cli.BoolFlag{Name: "remove", Usage: "with --apply: remove the subjects (oc policy remove-role-from-user/-group); a binding left empty is deleted"},
			applyFlag(),
			dryRunFlag(),
		}, kubeFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &grantPullOptions{e: e}) },
	}
}

// grantPullOptions are the inputs of grant-pull.
type grantPullOptions struct {
	e         *env
	output    string
	namespace string
	existing  string // -f
	name      string
	nameSet   bool
	args      []string
	users     []string
	groups    []string
	subjects  []rbacv1.Subject // set by Validate
	outputSet bool
	remove    bool
	kube      kubeOptions
}

// Complete reads the flags and arguments.
func (o *grantPullOptions) Complete(c *cli.Context) error {
	o.output, o.namespace = c.String("output"), c.String("namespace")
	o.existing = c.String("filename")
	o.name, o.nameSet = c.String("name"), c.IsSet("name")
	o.args = c.Args().Slice()
	// oc policy add-role-to-user ROLE SUBJECT...: the role oc takes first is
	// the only one grant-pull binds ("system:" names are no users of anyone's).
	if len(o.args) > 0 && o.args[0] == secrets.ImagePullerRole {
		o.args = o.args[1:]
	}
	o.users, o.groups = grantPullValues(c, "user"), grantPullValues(c, "group")
	o.outputSet, o.remove = c.IsSet("output"), c.Bool("remove")
	o.kube.complete(c)
	return nil
}

// Validate checks the namespace, the binding name and the subjects
// (secrets.ParseSubject), and collects the subjects.
func (o *grantPullOptions) Validate() error {
	if err := o.kube.validate("grant-pull"); err != nil {
		return err
	}
	live := o.kube.live()
	switch {
	case live && o.existing != "":
		return usagef("grant-pull: -f and --apply: with --apply the RoleBinding is read from the cluster")
	case live && o.outputSet && o.output != "name":
		return usagef("grant-pull: --output %q: with --apply want name", o.output)
	case !live && o.output != secrets.OutputYAML && o.output != secrets.OutputJSON:
		return usagef("grant-pull: --output %q: want yaml or json", o.output)
	case !live && o.remove:
		return usagef("grant-pull: --remove needs --apply (it changes the binding in the cluster)")
	}
	ns := o.namespace
	switch {
	case ns == "" && o.existing == "" && !live:
		return usagef("grant-pull: -n/--namespace is required (the namespace whose images are pulled)")
	case ns != "":
		if err := secrets.ValidateNamespace(ns); err != nil {
			return fmt.Errorf("grant-pull: --namespace %q: %w", ns, err)
		}
	}
	if o.nameSet {
		if o.name == "" {
			return fmt.Errorf("grant-pull: --name: empty name")
		}
		if msgs := path.IsValidPathSegmentName(o.name); len(msgs) > 0 {
			return fmt.Errorf("grant-pull: --name %q: %s", o.name, strings.Join(msgs, "; "))
		}
	}
	var err error
	if o.subjects, err = o.collectSubjects(); err != nil {
		return err
	}
	if len(o.subjects) == 0 {
		return usagef("grant-pull: want at least one subject (SUBJECT, --user or --group)")
	}
	return nil
}

// collectSubjects parses the SUBJECT arguments (secrets.ParseSubject), then
// --user and --group, in that order.
func (o *grantPullOptions) collectSubjects() ([]rbacv1.Subject, error) {
	var subjects []rbacv1.Subject
	for _, a := range o.args {
		s, err := secrets.ParseSubject(a)
		if err != nil {
			return nil, fmt.Errorf("grant-pull: %w", err)
		}
		subjects = append(subjects, s)
	}
	for _, u := range o.users {
		s := secrets.UserSubject(u)
		if strings.HasPrefix(u, "system:serviceaccount:") || strings.TrimSpace(u) == "" {
			// oc add-role-to-user also binds a service account user name as a ServiceAccount.
			var err error
			if s, err = secrets.ParseSubject(u); err != nil {
				return nil, fmt.Errorf("grant-pull: --user: %w", err)
			}
		}
		subjects = append(subjects, s)
	}
	for _, g := range o.groups {
		if strings.TrimSpace(g) == "" {
			return nil, fmt.Errorf("grant-pull: --group: empty name")
		}
		subjects = append(subjects, secrets.GroupSubject(g))
	}
	return subjects, nil
}

// Run prints the RoleBinding: a new one (secrets.ImagePullerBinding), or
// with -f the existing one with the subjects added
// (secrets.AddImagePullers).
func (o *grantPullOptions) Run(ctx context.Context) error {
	if o.kube.live() {
		return o.runLive(ctx)
	}
	if o.existing != "" {
		return o.runExisting()
	}
	rb := secrets.ImagePullerBinding(o.namespace, o.name, o.subjects)
	hint := "; to add to it, pass it with -f (kubectl get rolebinding " + rb.Name + " -n " + o.namespace + " -o yaml | pullsecret grant-pull -f - ...)"
	if !o.nameSet {
		hint += ", or use --name for a separate binding"
	}
	fmt.Fprintf(o.e.stderr, "pullsecret: note: kubectl apply replaces the subjects of an existing RoleBinding %s/%s%s\n", o.namespace, rb.Name, hint)
	return secrets.Encode(o.e.stdout, o.output, rb)
}

// runLive changes the bindings in the cluster (cluster.Client.GrantImagePull),
// says what changed on stderr and prints kubectl's result line per binding.
func (o *grantPullOptions) runLive(ctx context.Context) error {
	c, err := o.kube.client(o.e)
	if err != nil {
		return fmt.Errorf("grant-pull: %w", err)
	}
	results, err := c.GrantImagePull(ctx, c.Namespace, cluster.GrantOptions{
		Name: o.name, Subjects: o.subjects, Remove: o.remove, DryRun: o.kube.serverDryRun(),
	})
	if err != nil {
		return fmt.Errorf("grant-pull: %w", err)
	}
	for _, r := range results {
		ref := r.Namespace + "/" + r.Name
		switch {
		case o.remove && len(r.Added) == 0:
			fmt.Fprintf(o.e.stderr, "pullsecret: RoleBinding %s holds none of the subjects: unchanged\n", printable(ref))
		case o.remove:
			fmt.Fprintf(o.e.stderr, "pullsecret: removed %s from RoleBinding %s\n", grantPullCount(len(r.Added)), printable(ref))
		case r.Action == cluster.Unchanged:
			fmt.Fprintf(o.e.stderr, "pullsecret: RoleBinding %s already grants every subject: unchanged\n", printable(ref))
		default:
			fmt.Fprintf(o.e.stderr, "pullsecret: added %s to RoleBinding %s (%d already bound)\n", grantPullCount(len(r.Added)), printable(ref), r.Present)
		}
		printResult(o.e, r.Result, o.output)
	}
	return nil
}

// grantPullCount is "1 subject" or "N subjects".
func grantPullCount(n int) string {
	if n == 1 {
		return "1 subject"
	}
	return fmt.Sprintf("%d subjects", n)
}

// runExisting reads the -f file and prints its binding with the subjects
// added, saying on stderr what changed.
func (o *grantPullOptions) runExisting() error {
	label, data, err := grantPullRead(o.e, o.existing)
	if err != nil {
		return fmt.Errorf("grant-pull: -f: %w", err)
	}
	up, err := secrets.AddImagePullers(label, data, secrets.ImagePullerSelector{Namespace: o.namespace, Name: o.name}, o.subjects)
	if err != nil {
		return fmt.Errorf("grant-pull: %w", err)
	}
	if len(up.Added) == 0 {
		fmt.Fprintf(o.e.stderr, "pullsecret: RoleBinding %s/%s already grants every subject: unchanged\n", up.Namespace, up.Name)
	} else {
		noun := "subjects"
		if len(up.Added) == 1 {
			noun = "subject"
		}
		fmt.Fprintf(o.e.stderr, "pullsecret: added %d %s to RoleBinding %s/%s (%d already bound)\n", len(up.Added), noun, up.Namespace, up.Name, up.Kept)
	}
	return secrets.Encode(o.e.stdout, o.output, up.Binding)
}

// grantPullValues returns the values of a repeatable stringList flag.
func grantPullValues(c *cli.Context, flag string) []string {
	if l, ok := c.Generic(flag).(*stringList); ok && l != nil {
		return l.values
	}
	return nil
}

// grantPullRead reads the -f file, "-" for standard input, and returns the
// name to use in errors.
func grantPullRead(e *env, file string) (string, []byte, error) {
	if file != "-" {
		data, err := dockercfg.ReadFile(file)
		return file, data, err
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, dockercfg.MaxFileSize+1))
	if err != nil {
		return "", nil, fmt.Errorf("read standard input: %w", err)
	}
	return "standard input", data, nil
}
