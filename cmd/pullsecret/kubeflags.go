package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
)

// kubeFlags are kubectl's connection flags (docs/cluster.md) of every
// command that can talk to a cluster. -n/--namespace is the command's own
// flag (several commands have it offline too); kubeOptions reads it.
func kubeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig `FILE` (default: KUBECONFIG, else ~/.kube/config, else in-cluster)"},
		&cli.StringFlag{Name: "context", Usage: "kubeconfig `CONTEXT` to use (default: its current-context)"},
		&cli.StringFlag{Name: "as", Usage: "`USER` to impersonate"},
		&cli.GenericFlag{Name: "as-group", Value: &stringList{}, Usage: "`GROUP` to impersonate (repeatable)"},
	}
}

// applyFlag is --apply: write the result to the cluster instead of
// printing it.
func applyFlag() cli.Flag {
	return &cli.BoolFlag{Name: "apply", Usage: "write to the cluster (kubeconfig, --context, -n) instead of printing a manifest"}
}

// dryRunFlag is kubectl's --dry-run of a command that can write to a
// cluster: none (default), client (print, send nothing: the offline
// output) or server (send the write with dryRun=All: validated and
// admitted, not stored). A bare --dry-run is client, as in kubectl.
func dryRunFlag() cli.Flag {
	return &cli.StringFlag{Name: "dry-run", Value: "none", Usage: "none, client (print only) or server (the cluster checks the write and stores nothing)"}
}

// kubeOptions are the values of kubeFlags, -n/--namespace, --apply and
// --dry-run.
type kubeOptions struct {
	kubeconfig, context, namespace, as string
	asGroups                           []string
	apply                              bool
	dryRun                             string // none, client or server
}

// complete reads the flags of c.
func (k *kubeOptions) complete(c *cli.Context) {
	k.kubeconfig, k.context = c.String("kubeconfig"), c.String("context")
	k.namespace, k.as = c.String("namespace"), c.String("as")
	if l, ok := c.Generic("as-group").(*stringList); ok && l != nil {
		k.asGroups = l.values
	}
	k.apply, k.dryRun = c.Bool("apply"), c.String("dry-run")
	if k.dryRun == "" {
		k.dryRun = "none"
	}
}

// live reports whether the command talks to the cluster: --apply or
// --dry-run=server.
func (k *kubeOptions) live() bool { return k.apply || k.dryRun == "server" }

// serverDryRun reports whether writes are sent with dryRun=All.
func (k *kubeOptions) serverDryRun() bool { return k.dryRun == "server" }

// validate checks --dry-run and, for a command that stays offline, that no
// connection flag is given (cmd names the command in errors).
func (k *kubeOptions) validate(cmd string) error {
	switch k.dryRun {
	case "none", "server":
	case "client":
		if k.apply {
			return usagef("%s: --apply and --dry-run=client: client dry run sends nothing (use --dry-run=server)", cmd)
		}
	default:
		return usagef("%s: --dry-run %q: want none, client or server", cmd, k.dryRun)
	}
	if !k.live() {
		return k.validateOffline(cmd)
	}
	return nil
}

// validateOffline checks the flags that make sense only with a cluster: it
// is a usage error to give them to a command that stays offline (cmd).
func (k *kubeOptions) validateOffline(cmd string) error {
	for _, f := range []struct {
		flag string
		set  bool
	}{
		{"--kubeconfig", k.kubeconfig != ""},
		{"--context", k.context != ""},
		{"--as", k.as != ""},
		{"--as-group", len(k.asGroups) > 0},
	} {
		if f.set {
			return usagef("%s: %s needs --apply (without it nothing is sent to a cluster)", cmd, f.flag)
		}
	}
	return nil
}

// options are the cluster.Options of the flags.
func (k *kubeOptions) options(e *env) cluster.Options {
	return cluster.Options{
		Kubeconfig: k.kubeconfig,
		Context:    k.context,
		Namespace:  k.namespace,
		As:         k.as,
		AsGroups:   k.asGroups,
		Getenv:     e.getenv,
	}
}

// client connects as the flags say (no request is sent yet).
func (k *kubeOptions) client(e *env) (*cluster.Client, error) {
	c, err := k.options(e).Client()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// printResult prints kubectl's one-line result of a write on stdout:
// `secret/regcred configured`, or `secret/regcred` with -o name.
func printResult(e *env, r cluster.Result, output string) {
	fmt.Fprintln(e.stdout, printable(r.Line(output)))
}

// secretTargetFlags are the flags of login and logout for a pull secret
// in the cluster (--to/--from secret/NAME).
func secretTargetFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of secret/NAME (default: the context's)"},
		dryRunFlag(),
	}
	return append(flags, kubeFlags()...)
}

// secretTarget is the secret/NAME a login or logout edits in the cluster.
type secretTarget struct {
	ref  string // as given
	name string // set by validate when ref is secret/NAME
	err  error
	ok   bool
	kube kubeOptions
}

// complete reads the flags and the --to/--from value ref.
func (t *secretTarget) complete(c *cli.Context, ref string) {
	t.ref = ref
	var names []string
	names, t.ok, t.err = cluster.ParseSecretRef(ref)
	if t.ok && t.err == nil && len(names) == 1 {
		t.name = names[0]
	}
	t.kube.complete(c)
	t.kube.apply = t.ok // the target is the ask to write to the cluster
}

// validate checks the reference (one name) and the connection flags; -n
// and the connection flags need a secret/NAME target (flag names the
// --to/--from flag in errors).
func (t *secretTarget) validate(cmd, flag string) error {
	switch {
	case t.err != nil:
		return usagef("%s: %s %w", cmd, flag, t.err)
	case t.ok && t.name == "":
		return usagef("%s: %s %q: want one secret", cmd, flag, t.ref)
	case !t.ok && t.kube.namespace != "":
		return usagef("%s: -n/--namespace needs %s secret/NAME (a pull secret in the cluster)", cmd, flag)
	case !t.ok && t.kube.dryRun == "server":
		return usagef("%s: --dry-run=server needs %s secret/NAME", cmd, flag)
	case t.ok && t.kube.dryRun == "client":
		return usagef("%s: --dry-run=client with %s secret/NAME: nothing would be done (use --dry-run=server)", cmd, flag)
	}
	if !t.ok {
		return t.kube.validateOffline(cmd)
	}
	return t.kube.validate(cmd)
}

// live reports whether the target is a Secret in the cluster.
func (t *secretTarget) live() bool { return t.ok }

// edit applies edit to the Secret (cluster.Client.EditSecret).
func (t *secretTarget) edit(ctx context.Context, e *env, edit func(*dockercfg.Config) error) (*cluster.Result, error) {
	c, err := t.kube.client(e)
	if err != nil {
		return nil, err
	}
	res, err := c.EditSecret(ctx, c.Namespace, t.name, edit, cluster.EditSecretOptions{DryRun: t.kube.serverDryRun()})
	if err != nil {
		return nil, err
	}
	return &res.Result, nil
}

// label names the target in messages: "secret NS/NAME" once the namespace
// is known (res), "secret/NAME" before.
func (t *secretTarget) label(res *cluster.Result) string {
	if res == nil {
		return "secret/" + t.name
	}
	return "secret " + res.Namespace + "/" + res.Name
}
