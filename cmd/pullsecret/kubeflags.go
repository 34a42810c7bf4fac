package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
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
