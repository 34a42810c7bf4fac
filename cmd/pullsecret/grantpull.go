package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"

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
		Action: func(c *cli.Context) error { return runGrantPull(c, e) },
	}
}

func runGrantPull(c *cli.Context, e *env) error {
	out := c.String("output")
	if out != secrets.OutputYAML && out != secrets.OutputJSON {
		return usagef("grant-pull: --output %q: want yaml or json", out)
	}
	ns := c.String("namespace")
	if ns == "" {
		return usagef("grant-pull: -n/--namespace is required (the namespace whose images are pulled)")
	}
	if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
		return fmt.Errorf("grant-pull: --namespace %q: %s", ns, strings.Join(msgs, "; "))
	}
	name := c.String("name")
	if c.IsSet("name") {
		if name == "" {
			return fmt.Errorf("grant-pull: --name: empty name")
		}
		if msgs := path.IsValidPathSegmentName(name); len(msgs) > 0 {
			return fmt.Errorf("grant-pull: --name %q: %s", name, strings.Join(msgs, "; "))
		}
	}
	var subjects []rbacv1.Subject
	for _, a := range c.Args().Slice() {
		s, err := secrets.ParseSubject(a)
		if err != nil {
			return fmt.Errorf("grant-pull: %w", err)
		}
		subjects = append(subjects, s)
	}
	for _, u := range grantPullValues(c, "user") {
		s := secrets.UserSubject(u)
		if strings.HasPrefix(u, "system:serviceaccount:") || strings.TrimSpace(u) == "" {
			// oc add-role-to-user also binds a service account user name as a ServiceAccount.
			var err error
			if s, err = secrets.ParseSubject(u); err != nil {
				return fmt.Errorf("grant-pull: --user: %w", err)
			}
		}
		subjects = append(subjects, s)
	}
	for _, g := range grantPullValues(c, "group") {
		if strings.TrimSpace(g) == "" {
			return fmt.Errorf("grant-pull: --group: empty name")
		}
		subjects = append(subjects, secrets.GroupSubject(g))
	}
	if len(subjects) == 0 {
		return usagef("grant-pull: want at least one subject (SUBJECT, --user or --group)")
	}
	rb := secrets.ImagePullerBinding(ns, name, subjects)
	fmt.Fprintf(e.stderr, "pullsecret: note: kubectl apply replaces the subjects of an existing RoleBinding %s/%s; use --name for a separate binding\n", ns, rb.Name)
	return secrets.Encode(e.stdout, out, rb)
}

// grantPullValues returns the values of a repeatable stringList flag.
func grantPullValues(c *cli.Context, flag string) []string {
	if l, ok := c.Generic(flag).(*stringList); ok && l != nil {
		return l.values
	}
	return nil
}
