package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/secrets"
)

// kindSyncReport is the kind of sync's JSON report.
const kindSyncReport = "SyncReport"

func newSyncCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "sync",
		Usage:     "copy a pull secret into many namespaces and link it to their ServiceAccounts",
		ArgsUsage: " ",
		Description: `Copies the pull secret --from NAMESPACE/SECRET (its type and payload, no other
metadata) into every namespace selected by --namespaces (a label selector),
--namespace-glob (repeatable) or --all-namespaces, and adds it to the
imagePullSecrets of the ServiceAccounts of --link (default: default) with the
conflict-safe edit of link --apply. kube-* and openshift-* namespaces are left
out unless a --namespace-glob names them. Copies carry the label
pullsecret.dev/managed-by=pullsecret-sync and annotations naming the source
and the hash of its payload; a Secret of the same name without that label is
left alone and reported. --prune deletes (and unlinks) copies of the source in
namespaces no longer selected, or all of them once the source is gone. A
namespace where nothing differs gets no write. --dry-run=server sends the
writes with dryRun=All; --diff sends none and lists what would change.
Exit 1 when any namespace failed.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "source pull secret `NAMESPACE/SECRET`"},
			&cli.StringFlag{Name: "namespaces", Aliases: []string{"l"}, Usage: "label `SELECTOR` of the namespaces"},
			&cli.GenericFlag{Name: "namespace-glob", Value: &stringList{}, Usage: "namespace name `GLOB` (repeatable)"},
			&cli.BoolFlag{Name: "all-namespaces", Aliases: []string{"A"}, Usage: "every namespace (but kube-* and openshift-*)"},
			&cli.StringFlag{Name: "link", Value: "default", Usage: "ServiceAccounts to link the copy to, `SA,...` (\"\" for none)"},
			&cli.StringFlag{Name: "name", Usage: "`NAME` of the copies (default: the source's)"},
			&cli.BoolFlag{Name: "prune", Usage: "delete and unlink copies outside the selection, or all when the source is gone"},
			&cli.StringFlag{Name: "dry-run", Value: "none", Usage: "none or server (the cluster checks each write and stores nothing)"},
			&cli.BoolFlag{Name: "diff", Usage: "send no write; list what would change"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "watch", Usage: "run as a controller: keep every selected namespace in sync until SIGTERM"},
			&cli.BoolFlag{Name: "leader-elect", Value: true, Usage: "with --watch: run only while holding a Lease in the source's namespace"},
			&cli.BoolFlag{Name: "print-deploy", Usage: "print (offline) the Deployment, ServiceAccount and least RBAC that run these flags with --watch, as YAML"},
			&cli.StringFlag{Name: "image", Value: "pullsecret:latest", Usage: "with --print-deploy: container `IMAGE` whose entrypoint is pullsecret"},
			&cli.DurationFlag{Name: "resync", Value: cluster.DefaultWatchResync, Usage: "with --watch: reconcile every namespace again this often"},
		}, kubeFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &syncOptions{e: e}) },
	}
}

// syncOptions are the inputs of sync.
type syncOptions struct {
	e      *env
	from   string
	sel    string
	globs  []string
	all    bool
	link   string
	links  []string // set by Validate
	name   string
	prune  bool
	diff   bool
	output string
	watch  bool
	elect  bool
	resync time.Duration
	deploy bool
	image  string
	args   []string
	kube   kubeOptions
}

// Complete reads the flags.
func (o *syncOptions) Complete(c *cli.Context) error {
	o.from, o.sel, o.all = c.String("from"), c.String("namespaces"), c.Bool("all-namespaces")
	if l, ok := c.Generic("namespace-glob").(*stringList); ok && l != nil {
		o.globs = l.values
	}
	o.link = c.String("link")
	o.name, o.prune, o.diff = c.String("name"), c.Bool("prune"), c.Bool("diff")
	o.output = c.String("output")
	o.watch, o.elect, o.resync = c.Bool("watch"), c.Bool("leader-elect"), c.Duration("resync")
	o.deploy, o.image = c.Bool("print-deploy"), c.String("image")
	o.args = c.Args().Slice()
	o.kube.complete(c)
	return nil
}

// Validate checks the flags: one source, one way to select namespaces,
// valid names.
func (o *syncOptions) Validate() error {
	if err := checkOutput("sync", o.output); err != nil {
		return err
	}
	if len(o.args) > 0 {
		return usagef("sync: unexpected argument %q", o.args[0])
	}
	switch o.kube.dryRun {
	case "none", "server":
	default:
		return usagef("sync: --dry-run %q: want none or server", o.kube.dryRun)
	}
	if (o.watch || o.deploy) && (o.diff || o.kube.dryRun != "none" || o.output != "text") {
		return usagef("sync: --watch and --print-deploy take no --diff, --dry-run or --output")
	}
	ns, name, ok := strings.Cut(o.from, "/")
	if o.from == "" || !ok {
		return usagef("sync: --from NAMESPACE/SECRET is required")
	}
	if err := secrets.ValidateNamespace(ns); err != nil {
		return fmt.Errorf("sync: --from %q: namespace: %w", o.from, err)
	}
	if err := secrets.ValidateName(name); err != nil {
		return fmt.Errorf("sync: --from %q: name: %w", o.from, err)
	}
	if o.name != "" {
		if err := secrets.ValidateName(o.name); err != nil {
			return fmt.Errorf("sync: --name %q: %w", o.name, err)
		}
	}
	n := 0
	for _, set := range []bool{o.sel != "", len(o.globs) > 0, o.all} {
		if set {
			n++
		}
	}
	if n != 1 {
		return usagef("sync: want one of --namespaces SELECTOR, --namespace-glob GLOB or --all-namespaces")
	}
	o.links = []string{}
	for _, sa := range strings.Split(o.link, ",") {
		sa = strings.TrimSpace(sa)
		if sa == "" {
			continue
		}
		if err := secrets.ValidateName(sa); err != nil {
			return fmt.Errorf("sync: --link %q: %w", sa, err)
		}
		o.links = append(o.links, sa)
	}
	return nil
}

// Run syncs (cluster.Client.Sync) and prints the report: a table, or one
// JSON document. Any failed namespace is exit 1.
func (o *syncOptions) Run(ctx context.Context) error {
	if o.deploy {
		return o.printDeploy()
	}
	c, err := o.kube.client(o.e)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	so := cluster.SyncOptions{
		From: o.from, Selector: o.sel, NameGlobs: o.globs, All: o.all, Link: o.links, Name: o.name,
		Prune: o.prune, DryRun: o.kube.serverDryRun(), Diff: o.diff,
	}
	if o.watch {
		return o.runWatch(ctx, c, so)
	}
	rep, err := c.Sync(ctx, so)
	if err != nil {
		return err
	}
	if o.output == "json" {
		if err := writeJSON(o.e.stdout, struct {
			reportHeader
			*cluster.SyncReport
		}{newReportHeader(kindSyncReport), rep}); err != nil {
			return fmt.Errorf("sync: write report: %w", err)
		}
	} else if err := o.writeText(rep); err != nil {
		return fmt.Errorf("sync: write report: %w", err)
	}
	for _, n := range rep.Namespaces {
		for _, w := range n.Warnings {
			o.e.warnf("sync: %s", w)
		}
	}
	if rep.Failed() {
		return reportedWithCode(exitError, errors.New("sync: failed in some namespaces"))
	}
	return nil
}

// writeText prints one line per namespace and a summary line.
func (o *syncOptions) writeText(rep *cluster.SyncReport) error {
	tw := tabwriter.NewWriter(o.e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tRESULT\tDETAIL")
	for _, n := range rep.Namespaces {
		detail := n.Reason
		if detail == "" {
			detail = strings.Join(n.Changes, "; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(n.Namespace), n.Outcome, printable(detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	suffix := ""
	switch {
	case rep.Diff:
		suffix = " (diff: nothing sent)"
	case rep.DryRun:
		suffix = " (server dry run)"
	}
	var parts []string
	for _, oc := range []cluster.SyncOutcome{cluster.SyncCreated, cluster.SyncUpdated, cluster.SyncUnchanged, cluster.SyncSkipped, cluster.SyncFailed, cluster.SyncPruned} {
		parts = append(parts, fmt.Sprintf("%d %s", rep.Count(oc), oc))
	}
	_, err := fmt.Fprintf(o.e.stdout, "secret %s from %s: %s%s\n", rep.Name, rep.Source, strings.Join(parts, ", "), suffix)
	return err
}

// runWatch runs the controller (cluster.Client.Watch) until ctx ends (the
// CLI's signal context: SIGTERM, SIGINT), printing one line per namespace
// that changed or failed.
func (o *syncOptions) runWatch(ctx context.Context, c *cluster.Client, so cluster.SyncOptions) error {
	var mu sync.Mutex
	err := c.Watch(ctx, cluster.WatchOptions{
		SyncOptions: so, Resync: o.resync, LeaderElect: o.elect,
		Report: func(n cluster.SyncNamespace) {
			mu.Lock()
			defer mu.Unlock()
			line := fmt.Sprintf("%s\t%s", n.Namespace, n.Outcome)
			if len(n.Changes) > 0 {
				line += "\t" + strings.Join(n.Changes, "; ")
			}
			if n.Reason != "" {
				line += "\t" + n.Reason
			}
			fmt.Fprintln(o.e.stdout, line)
			for _, w := range n.Warnings {
				o.e.warnf("sync: %s", w)
			}
		},
		OnLeading: func(leading bool) {
			if leading {
				o.e.warnf("sync: leading: controller started")
			} else {
				o.e.warnf("sync: lease lost or released: controller stopped")
			}
		},
	})
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// printDeploy writes the objects that run this sync with --watch in the
// source's namespace (cluster.SyncDeployYAML); no cluster access.
func (o *syncOptions) printDeploy() error {
	ns, _, _ := strings.Cut(o.from, "/")
	args := []string{"--from", o.from}
	switch {
	case o.sel != "":
		args = append(args, "--namespaces", o.sel)
	case o.all:
		args = append(args, "--all-namespaces")
	}
	for _, g := range o.globs {
		args = append(args, "--namespace-glob", g)
	}
	args = append(args, "--link", strings.Join(o.links, ","))
	if o.name != "" {
		args = append(args, "--name", o.name)
	}
	if o.prune {
		args = append(args, "--prune")
	}
	args = append(args, "--watch")
	if o.resync != cluster.DefaultWatchResync {
		args = append(args, "--resync", o.resync.String())
	}
	y, err := cluster.SyncDeployYAML(cluster.DeployOptions{Namespace: ns, Image: o.image, Args: args})
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if _, err := o.e.stdout.Write(y); err != nil {
		return fmt.Errorf("sync: write deploy: %w", err)
	}
	return nil
}
