package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// linkMaxManifestSize bounds a ServiceAccount manifest read by link and unlink.
const linkMaxManifestSize = dockercfg.MaxFileSize

func newLinkCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "link",
		Usage:     "add pull secrets to a ServiceAccount (oc secrets link, defaulting to --for pull)",
		ArgsUsage: "SA SECRET...",
		Description: `Appends the secrets to imagePullSecrets (--for pull, the default), secrets
(--for mount) or both of the ServiceAccount read from -f (a file, or - for
standard input), keeping every other field and entry; names already linked are
not added again, new ones follow in argument order. Without -f it prints a new
ServiceAccount. oc secrets link defaults to --for mount, which does not give
pods the credentials to pull images. A secret may be written NAME, secret/NAME
or secrets/NAME. Existing pods keep their pull secrets: the ServiceAccount
admission copies imagePullSecrets into a pod only when it is created.

With --apply, the ServiceAccount in the cluster (kubeconfig, --context, -n)
is changed instead, as oc secrets link does: read, edited and written back
with its resourceVersion, again from a fresh read when another writer changed
it in between, so no entry is lost. A secret that does not exist or is not a
pull secret is a warning. --dry-run=server sends the change without storing it.`,
		Flags:  linkFlags(),
		Action: func(c *cli.Context) error { return runOptions(c, &linkOptions{e: e, cmd: "link"}) },
	}
}

func newUnlinkCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "unlink",
		Usage:     "remove pull secrets from a ServiceAccount",
		ArgsUsage: "SA SECRET...",
		Description: `Removes the secrets from imagePullSecrets (--for pull, the default), secrets
(--for mount) or both of the ServiceAccount read from -f (a file, or - for
standard input), keeping every other field and entry. A secret that is not
linked is a warning. Existing pods keep the pull secrets they were created with.
With --apply, the ServiceAccount in the cluster is changed (as link --apply);
unlinking OpenShift's generated SA-dockercfg-XXXXX secret is a warning.`,
		Flags:  linkFlags(),
		Action: func(c *cli.Context) error { return runOptions(c, &linkOptions{e: e, cmd: "unlink"}) },
	}
}

func linkFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "for", Value: "pull", Usage: "which list: pull (imagePullSecrets), mount (secrets) or both"},
		&cli.StringFlag{Name: "filename", Aliases: []string{"f"}, Usage: "ServiceAccount manifest `FILE` to change (- for stdin); default: a new ServiceAccount"},
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the ServiceAccount (with --apply: default the context's; else checked against the file's)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml or json; with --apply: name"},
		applyFlag(),
		dryRunFlag(),
	}
	return append(flags, kubeFlags()...)
}

// linkParseFor maps --for to the lists it selects.
func linkParseFor(cmd, v string) (pull, mount bool, err error) {
	switch strings.ToLower(v) {
	case "pull":
		return true, false, nil
	case "mount":
		return false, true, nil
	case "both", "pull,mount", "mount,pull":
		return true, true, nil
	}
	return false, false, usagef("%s: --for %q: want pull, mount or both", cmd, v)
}

// linkOptions are the inputs of link and unlink (cmd).
type linkOptions struct {
	e         *env
	cmd       string // "link" or "unlink"
	output    string
	forFlag   string
	forPull   bool // set by Validate
	forMount  bool // set by Validate
	args      []string
	saName    string
	namespace string
	file      string
	names     []string // secret names, set by Validate
	outputSet bool
	kube      kubeOptions
}

// Complete reads the flags and arguments.
func (o *linkOptions) Complete(c *cli.Context) error {
	o.output, o.forFlag = c.String("output"), c.String("for")
	o.args = c.Args().Slice()
	o.saName = c.Args().First()
	o.namespace, o.file = c.String("namespace"), c.String("filename")
	o.outputSet = c.IsSet("output")
	o.kube.complete(c)
	return nil
}

// Validate checks the flags, the ServiceAccount name and the secret names
// (secrets.ValidateName, secrets.ParseSecretName).
func (o *linkOptions) Validate() error {
	cmd := o.cmd
	if err := o.kube.validate(cmd); err != nil {
		return err
	}
	if o.kube.live() {
		if o.file != "" {
			return usagef("%s: -f and --apply: with --apply the ServiceAccount is read from the cluster", cmd)
		}
		if o.outputSet && o.output != "name" {
			return usagef("%s: --output %q: with --apply want name", cmd, o.output)
		}
	} else if o.output != secrets.OutputYAML && o.output != secrets.OutputJSON {
		return usagef("%s: --output %q: want yaml or json", cmd, o.output)
	}
	var err error
	if o.forPull, o.forMount, err = linkParseFor(cmd, o.forFlag); err != nil {
		return err
	}
	if len(o.args) < 2 {
		return usagef("%s: want a ServiceAccount name and at least one secret name", cmd)
	}
	if err := secrets.ValidateName(o.saName); err != nil {
		return fmt.Errorf("%s: ServiceAccount %q: %w", cmd, o.saName, err)
	}
	if o.namespace != "" {
		if err := secrets.ValidateNamespace(o.namespace); err != nil {
			return fmt.Errorf("%s: --namespace %q: %w", cmd, o.namespace, err)
		}
	}
	o.names = nil
	for _, a := range o.args[1:] {
		n, err := secrets.ParseSecretName(a)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		o.names = append(o.names, n)
	}
	if o.file == "" && cmd == "unlink" && !o.kube.live() {
		return usagef("unlink: -f FILE or --apply is required (the ServiceAccount to remove secrets from)")
	}
	return nil
}

// Run reads the ServiceAccount (or makes a new one for link), links or
// unlinks the secrets (secrets.LinkServiceAccount, UnlinkServiceAccount)
// and prints it.
func (o *linkOptions) Run(ctx context.Context) error {
	if o.kube.live() {
		return o.runLive(ctx)
	}
	cmd, saName, ns := o.cmd, o.saName, o.namespace
	var sa *corev1.ServiceAccount
	if file := o.file; file != "" {
		var err error
		sa, err = linkReadServiceAccount(o.e, file, saName)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if ns != "" && sa.Namespace != "" && sa.Namespace != ns {
			return fmt.Errorf("%s: %s: ServiceAccount %q is in namespace %q, not --namespace %q", cmd, file, saName, sa.Namespace, ns)
		}
		if ns != "" && sa.Namespace == "" {
			sa.Namespace = ns
		}
	} else {
		sa = secrets.NewServiceAccount(saName, ns)
	}
	if cmd == "link" {
		o.link(sa)
	} else {
		o.unlink(sa)
	}
	return secrets.Encode(o.e.stdout, o.output, sa)
}

// runLive links or unlinks on the cluster (cluster.Client.LinkServiceAccount)
// and prints kubectl's result line.
func (o *linkOptions) runLive(ctx context.Context) error {
	c, err := o.kube.client(o.e)
	if err != nil {
		return fmt.Errorf("%s: %w", o.cmd, err)
	}
	res, err := c.LinkServiceAccount(ctx, c.Namespace, o.saName, cluster.LinkOptions{
		Secrets: o.names, Pull: o.forPull, Mount: o.forMount, Unlink: o.cmd == "unlink", DryRun: o.kube.serverDryRun(),
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		o.e.warnf("%s: %s", o.cmd, w)
	}
	if o.cmd == "unlink" {
		done := map[string]bool{}
		for _, n := range res.Changed {
			done[n] = true
		}
		for _, n := range linkDedupe(o.names) {
			if !done[n] {
				o.e.warnf("unlink: secret %q is not linked to ServiceAccount %s/%s (%s)", n, res.Namespace, o.saName, linkForDescription(o.forPull, o.forMount))
			}
		}
	}
	if len(res.Changed) > 0 && o.forPull {
		if o.cmd == "link" {
			fmt.Fprintf(o.e.stderr, "pullsecret: note: existing pods keep their pull secrets; only pods created from now on get %s\n", printable(strings.Join(res.Changed, ", ")))
		} else {
			fmt.Fprintf(o.e.stderr, "pullsecret: note: existing pods keep the pull secrets they were created with\n")
		}
	}
	printResult(o.e, res.Result, o.output)
	return nil
}

// link adds the secrets to sa and notes what changed on stderr.
func (o *linkOptions) link(sa *corev1.ServiceAccount) {
	added := secrets.LinkServiceAccount(sa, o.names, o.forPull, o.forMount)
	switch {
	case len(added) > 0 && o.forPull:
		fmt.Fprintf(o.e.stderr, "pullsecret: note: existing pods keep their pull secrets; only pods created from now on get %s (the ServiceAccount's imagePullSecrets are copied into a pod when it is created)\n", strings.Join(added, ", "))
	case len(added) == 0:
		fmt.Fprintf(o.e.stderr, "pullsecret: note: %s already linked to ServiceAccount %q (%s); nothing changed\n", strings.Join(linkDedupe(o.names), ", "), o.saName, linkForDescription(o.forPull, o.forMount))
	}
}

// unlink removes the secrets from sa, warning about those not linked.
func (o *linkOptions) unlink(sa *corev1.ServiceAccount) {
	removed := secrets.UnlinkServiceAccount(sa, o.names, o.forPull, o.forMount)
	done := map[string]bool{}
	for _, n := range removed {
		done[n] = true
	}
	for _, n := range linkDedupe(o.names) {
		if !done[n] {
			o.e.warnf("unlink: secret %q is not linked to ServiceAccount %q (%s)", n, o.saName, linkForDescription(o.forPull, o.forMount))
		}
	}
	if len(removed) > 0 && o.forPull {
		fmt.Fprintf(o.e.stderr, "pullsecret: note: existing pods keep the pull secrets they were created with\n")
	}
}

// linkForDescription names the lists --for selected, for messages.
func linkForDescription(pull, mount bool) string {
	switch {
	case pull && mount:
		return "imagePullSecrets and secrets"
	case pull:
		return "imagePullSecrets"
	}
	return "secrets"
}

// linkReadServiceAccount reads the -f manifest (a file, or - for stdin).
func linkReadServiceAccount(e *env, file, want string) (*corev1.ServiceAccount, error) {
	var r io.Reader
	label := file
	if file == "-" {
		r, label = e.stdin, "standard input"
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, linkMaxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", label, err)
	}
	if len(data) > linkMaxManifestSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes", label, linkMaxManifestSize)
	}
	return secrets.ReadServiceAccount(label, data, want)
}

// linkDedupe returns ss without repeated values, in first-seen order.
func linkDedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
