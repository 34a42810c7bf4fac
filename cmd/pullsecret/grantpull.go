package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"

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
explicitly. Repeated subjects are listed once. kubectl apply replaces the
subjects of an existing RoleBinding of the same name: use --name for a binding
of its own.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "`NAMESPACE` whose images the subjects may pull (required)"},
			&cli.GenericFlag{Name: "user", Value: &stringList{}, Usage: "user `NAME` (repeatable)"},
			&cli.GenericFlag{Name: "group", Value: &stringList{}, Usage: "group `NAME` (repeatable)"},
			&cli.StringFlag{Name: "name", Usage: "name of the RoleBinding (default: system:image-puller, as oc names it)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml or json"},
		},
		Action: func(c *cli.Context) error { return runOptions(c, &grantPullOptions{e: e}) },
	}
}

// grantPullOptions are the inputs of grant-pull.
type grantPullOptions struct {
	e         *env
	output    string
	namespace string
	name      string
	nameSet   bool
	args      []string
	users     []string
	groups    []string
	subjects  []rbacv1.Subject // set by Validate
}

// Complete reads the flags and arguments.
func (o *grantPullOptions) Complete(c *cli.Context) error {
	o.output, o.namespace = c.String("output"), c.String("namespace")
	o.name, o.nameSet = c.String("name"), c.IsSet("name")
	o.args = c.Args().Slice()
	o.users, o.groups = grantPullValues(c, "user"), grantPullValues(c, "group")
	return nil
}

// Validate checks the namespace, the binding name and the subjects
// (secrets.ParseSubject), and collects the subjects.
func (o *grantPullOptions) Validate() error {
	if o.output != secrets.OutputYAML && o.output != secrets.OutputJSON {
		return usagef("grant-pull: --output %q: want yaml or json", o.output)
	}
	ns := o.namespace
	if ns == "" {
		return usagef("grant-pull: -n/--namespace is required (the namespace whose images are pulled)")
	}
	if err := secrets.ValidateNamespace(ns); err != nil {
		return fmt.Errorf("grant-pull: --namespace %q: %w", ns, err)
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

// Run prints the RoleBinding (secrets.ImagePullerBinding).
func (o *grantPullOptions) Run(context.Context) error {
	rb := secrets.ImagePullerBinding(o.namespace, o.name, o.subjects)
	fmt.Fprintf(o.e.stderr, "pullsecret: note: kubectl apply replaces the subjects of an existing RoleBinding %s/%s; use --name for a separate binding\n", o.namespace, rb.Name)
	return secrets.Encode(o.e.stdout, o.output, rb)
}

// grantPullValues returns the values of a repeatable stringList flag.
func grantPullValues(c *cli.Context, flag string) []string {
	if l, ok := c.Generic(flag).(*stringList); ok && l != nil {
		return l.values
	}
	return nil
}
