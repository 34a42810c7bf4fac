package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
)

const kindAuditReport = "AuditReport"

func newAuditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "audit",
		Usage:     "list every pull secret of a namespace or the cluster with its problems",
		ArgsUsage: "[-n NS | -A]",
		Description: "Reads the Secrets, Pods and ServiceAccounts of -n NS (default: the context's namespace) or of every\n" +
			"namespace (-A), in pages, one namespace at a time, and lists each pull secret (types\n" +
			"kubernetes.io/dockerconfigjson and dockercfg, Opaque Secrets holding a docker config, and every\n" +
			"Secret a Pod or ServiceAccount names in imagePullSecrets) with its registries and users, never a\n" +
			"password, token or auth. Problems, by severity: error (malformed payload, type and data key that do\n" +
			"not pair, expired token, referenced but missing), warning (Opaque Secret holding a docker config,\n" +
			"token expiring within 7 days, registry keys the kubelet or docker miss, other payload lint, several\n" +
			"secrets of one pod with different credentials for an image's registry: the kubelet tries them in\n" +
			"order and the first wins, copies out of sync with their pullsecret.dev/source), info (unused: no Pod\n" +
			"or ServiceAccount of the namespace refers to it). Reads the server refuses are named; the checks\n" +
			"that need them are not made. --fail-on error|warning exits 1 when a problem of that severity or\n" +
			"worse exists, or a read was refused (the audit is incomplete). On a terminal, a progress line on stderr counts\n" +
			"the namespaces (--quiet hides it). See docs/cluster.md#audit.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "audit namespace `NS` (default: the context's)"},
			&cli.BoolFlag{Name: "all-namespaces", Aliases: []string{"A"}, Usage: "audit every namespace"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.StringFlag{Name: "fail-on", Usage: "exit 1 when a problem of `SEVERITY` (error or warning) or worse exists"},
			quietFlag(),
		}, kubeFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &auditOptions{e: e}) },
	}
}

// auditOptions are the flags of audit.
type auditOptions struct {
	e      *env
	kube   kubeOptions
	all    bool
	output string
	failOn cluster.Severity
	quiet  bool
	args   []string
}

func (o *auditOptions) Complete(c *cli.Context) error {
	o.kube.complete(c)
	o.all, o.output, o.quiet = c.Bool("all-namespaces"), c.String("output"), c.Bool("quiet")
	o.failOn = cluster.Severity(c.String("fail-on"))
	o.args = c.Args().Slice()
	return nil
}

func (o *auditOptions) Validate() error {
	if err := checkOutput("audit", o.output); err != nil {
		return err
	}
	switch {
	case len(o.args) > 0:
		return usagef("audit: unexpected argument %q (audit takes -n NS or -A)", o.args[0])
	case o.all && o.kube.namespace != "":
		return usagef("audit: -A and -n: choose one")
	}
	switch o.failOn {
	case "", cluster.SeverityError, cluster.SeverityWarning:
	default:
		return usagef("audit: --fail-on %q: want error or warning", o.failOn)
	}
	return nil
}

func (o *auditOptions) Run(ctx context.Context) error {
	c, err := o.kube.client(o.e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	p := o.e.startProgress("audit", "namespaces", 0, o.quiet)
	e := p.env(o.e)
	w := e.stdout
	var r auditRenderer = &auditText{w: w}
	if o.output == "json" {
		r = &auditJSON{s: jsonStream{w: w, kind: kindAuditReport, field: "secrets"}}
	}
	if err := r.start(); err != nil {
		p.finish()
		return fmt.Errorf("audit: write report: %w", err)
	}
	sum, err := c.Audit(ctx, cluster.AuditOptions{
		Namespace: o.kube.namespace, All: o.all,
		Progress: func(n int) { p.set(n, 0) },
	}, func(n *cluster.AuditNamespace) error {
		if err := r.namespace(n); err != nil {
			return fmt.Errorf("audit: write report: %w", err)
		}
		return nil
	})
	p.finish()
	if err != nil {
		if strings.HasPrefix(err.Error(), "audit: ") {
			return err
		}
		return fmt.Errorf("audit: %w", err)
	}
	if err := r.end(sum); err != nil {
		return fmt.Errorf("audit: write report: %w", err)
	}
	if len(sum.Unreadable) > 0 {
		o.e.warnf("audit: could not %s; the checks that need them were not made", strings.Join(sum.Unreadable, "; "))
	}
	return auditFailure(o.failOn, sum)
}

// auditFailure is the exit-1 error of --fail-on: a problem of that
// severity or worse, or a refused read (the audit is incomplete: what it
// hides is unknown).
func auditFailure(failOn cluster.Severity, sum *cluster.AuditSummary) error {
	if failOn == "" {
		return nil
	}
	n := sum.Errors + len(sum.Unreadable)
	if failOn == cluster.SeverityWarning {
		n += sum.Warnings
	}
	if n == 0 {
		return nil
	}
	return withCode(exitError, fmt.Errorf("audit: %d errors, %d warnings, %d unreadable lists (--fail-on %s)", sum.Errors, sum.Warnings, len(sum.Unreadable), failOn))
}

type auditRenderer interface {
	start() error
	namespace(n *cluster.AuditNamespace) error
	end(sum *cluster.AuditSummary) error
}

// auditText is the table: one row per secret, then each problem's message,
// namespace by namespace.
type auditText struct {
	w    io.Writer
	rows int
}

func (t *auditText) start() error { return nil }

func shortType(typ string) string {
	if s, ok := strings.CutPrefix(typ, "kubernetes.io/"); ok {
		return s
	}
	if typ == "" {
		return "-"
	}
	return typ
}

func listOrDash(v []string) string {
	if len(v) == 0 {
		return "-"
	}
	return strings.Join(v, ",")
}

func (t *auditText) namespace(n *cluster.AuditNamespace) error {
	if len(n.Secrets) > 0 {
		if t.rows > 0 {
			fmt.Fprintln(t.w)
		}
		tw := tabwriter.NewWriter(t.w, 0, 4, 2, ' ', 0)
		printRow(tw, "NAMESPACE", "NAME", "TYPE", "REGISTRIES", "USERS", "PROBLEMS")
		for i := range n.Secrets {
			s := &n.Secrets[i]
			typ := shortType(s.Type)
			if s.Missing {
				typ = "(missing)"
			}
			var kinds []string
			for _, p := range s.Problems {
				k := string(p.Severity) + ":" + p.Kind
				if !containsString(kinds, k) {
					kinds = append(kinds, k)
				}
			}
			printRow(tw, s.Namespace, s.Name, typ, listOrDash(s.Registries), listOrDash(s.Users), listOrDash(kinds))
			t.rows++
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, s := range n.Secrets {
			for _, p := range s.Problems {
				printLine(t.w, "  %s/%s: %s %s: %s", s.Namespace, s.Name, p.Severity, p.Kind, p.Message)
			}
		}
	}
	return nil
}

func containsString(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func (t *auditText) end(sum *cluster.AuditSummary) error {
	if t.rows > 0 {
		fmt.Fprintln(t.w)
	}
	for _, u := range sum.Unreadable {
		printLine(t.w, "could not read: %s", u)
	}
	_, err := fmt.Fprintf(t.w, "%d pull secrets in %d namespaces (%d pods, %d service accounts): %d errors, %d warnings, %d info\n",
		sum.Secrets, sum.Namespaces, sum.Pods, sum.ServiceAccounts, sum.Errors, sum.Warnings, sum.Infos)
	return err
}

// auditJSON streams the AuditReport: the header, "secrets" one namespace at
// a time, then "summary".
type auditJSON struct{ s jsonStream }

func (j *auditJSON) start() error { return j.s.start() }

func (j *auditJSON) namespace(n *cluster.AuditNamespace) error {
	for i := range n.Secrets {
		if err := j.s.add(&n.Secrets[i]); err != nil {
			return err
		}
	}
	return nil
}

func (j *auditJSON) end(sum *cluster.AuditSummary) error {
	return j.s.end(jsonField{"summary", sum})
}
