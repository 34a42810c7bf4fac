package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func newInspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "inspect",
		Usage: "list the credentials in config files and Secrets, redacted, with lint warnings",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "show-secrets", Usage: "reveal passwords and tokens"},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 when there is any warning"},
		}, sourceFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &inspectOptions{e: e}) },
	}
}

// inspectOptions are the inputs of inspect.
type inspectOptions struct {
	e           *env
	output      string
	args        []string
	authfiles   []string
	showSecrets bool
	strict      bool
	kube        kubeConn
}

// Complete reads the flags and arguments.
func (o *inspectOptions) Complete(c *cli.Context) error {
	o.output, o.args, o.authfiles = c.String("output"), c.Args().Slice(), authfiles(c)
	o.showSecrets, o.strict = c.Bool("show-secrets"), c.Bool("strict")
	o.kube.complete(c, o.e)
	return nil
}

// Validate checks -o and that no argument is given.
func (o *inspectOptions) Validate() error {
	if o.output != "text" && o.output != "json" {
		return usagef("inspect: --output %q: want text or json", o.output)
	}
	if len(o.args) > 0 {
		return usagef("inspect: unexpected argument %q (credential files go in --authfile)", o.args[0])
	}
	return o.kube.validateRead("inspect", anySecretRef(o.authfiles), "--authfile secret/NAME")
}

// Run reads the sources, reports them with dockercfg.Inspect and prints the
// report; with --strict a warning fails.
func (o *inspectOptions) Run(ctx context.Context) error {
	srcs, err := loadSourcesFrom(ctx, o.e, &o.kube, o.authfiles, nil)
	if err != nil {
		return err
	}
	rep := dockercfg.Inspect(srcs, dockercfg.InspectOptions{ShowSecrets: o.showSecrets})
	if o.output == "json" {
		if err := writeJSON(o.e.stdout, struct {
			reportHeader
			*dockercfg.InspectReport
		}{newReportHeader(kindInspectReport), rep}); err != nil {
			return fmt.Errorf("inspect: write report: %w", err)
		}
	} else {
		renderInspect(o.e, rep, o.showSecrets)
	}
	if o.strict && rep.WarningCount() > 0 {
		return fmt.Errorf("inspect: %d warning(s) with --strict", rep.WarningCount())
	}
	return nil
}

// renderInspect writes the text report: a table of entries, then warnings.
func renderInspect(e *env, rep *dockercfg.InspectReport, show bool) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	printRow(tw, "SOURCE", "KEY", "REGISTRY", "PATH", "USERNAME", "KIND", "SECRET")
	for _, en := range rep.Entries {
		secret := en.Secret
		if show && en.Password != "" {
			secret = en.Password
		}
		if en.Kind == dockercfg.KindHelper {
			secret = "(helper " + en.Helper + ")"
		}
		printRow(tw, en.Source, en.Key, dash(en.Registry), dash(en.Path), dash(en.Username), en.Kind, dash(secret))
	}
	tw.Flush()
	for _, w := range rep.Warnings {
		printLine(e.stdout, "warning: %s", w)
	}
	for _, en := range rep.Entries {
		for _, w := range en.Warnings {
			printLine(e.stdout, "warning: %s %s: %s", en.Source, en.Key, w)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
