package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

func newMatchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "match",
		Usage:     "show which credentials the kubelet (or docker, podman) tries for an image, in order, and why",
		ArgsUsage: "IMAGE",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.StringFlag{Name: "semantics", Value: "kubelet", Usage: "consumer to simulate: kubelet, docker or podman"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			podFlag(),
		}, sourceFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &matchOptions{e: e}) },
	}
}

// matchOptions are the inputs of match.
type matchOptions struct {
	e             *env
	args          []string
	output        string
	semanticsFlag string
	semantics     match.Semantics // set by Validate
	authfiles     []string
	pod           string
	kube          kubeConn
}

// Complete reads the flags and arguments.
func (o *matchOptions) Complete(c *cli.Context) error {
	o.args, o.output, o.semanticsFlag, o.authfiles = c.Args().Slice(), c.String("output"), c.String("semantics"), authfiles(c)
	o.pod = c.String("pod")
	o.kube.complete(c, o.e)
	return nil
}

// Validate checks IMAGE, -o and --semantics.
func (o *matchOptions) Validate() error {
	if len(o.args) != 1 {
		return usagef("match: exactly one IMAGE is required, got %d", len(o.args))
	}
	if o.output != "text" && o.output != "json" {
		return usagef("match: --output %q: want text or json", o.output)
	}
	var err error
	if o.semantics, err = match.ParseSemantics(o.semanticsFlag); err != nil {
		return usageError{fmt.Errorf("match: --semantics: %w", err)}
	}
	if o.pod != "" && len(o.authfiles) > 0 {
		return usagef("match: --pod conflicts with --authfile (the pod's pull secrets are the credentials)")
	}
	return o.kube.validateRead("match", o.pod != "" || anySecretRef(o.authfiles), "--authfile secret/NAME or --pod")
}

// Run reads the sources, matches the image (match.MatchImage) and prints
// the result.
func (o *matchOptions) Run(ctx context.Context) error {
	var srcs []dockercfg.Source
	var err error
	if o.pod != "" {
		srcs, err = podSources(ctx, o.e, "match", &o.kube, o.pod)
	} else {
		srcs, err = loadSourcesFrom(ctx, o.e, &o.kube, o.authfiles, nil)
	}
	if err != nil {
		return err
	}
	res, err := match.MatchImage(o.args[0], match.CredentialsFromSources(srcs), o.semantics)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	if o.output == "json" {
		if err := writeJSON(o.e.stdout, matchReport{newReportHeader(kindMatchReport), []*match.MatchResult{res}}); err != nil {
			return fmt.Errorf("match: write report: %w", err)
		}
	} else {
		renderMatch(o.e, res)
	}
	if len(res.Credentials) == 0 {
		// Nothing to use: exit 3, as for every "no usable credentials".
		return fmt.Errorf("match %s: %w: no credential matches for %s; the pull would be anonymous",
			o.args[0], match.ErrNoCredentials, res.Semantics)
	}
	return nil
}

// matchReport is match's JSON document: one result, in a list as the
// other reports have.
type matchReport struct {
	reportHeader
	Results []*match.MatchResult `json:"results"`
}

// renderMatch writes the text report: the reference, the credentials tried
// in order, notes, and what the other consumers would do.
func renderMatch(e *env, r *match.MatchResult) {
	w := e.stdout
	printLine(w, "image:       %s", r.Image)
	ref := fmt.Sprintf("registry %s, repository %s", r.Registry, r.Repository)
	if r.Tag != "" {
		ref += ", tag " + r.Tag
	}
	if r.Digest != "" {
		ref += ", digest " + r.Digest
	}
	printLine(w, "reference:   %s (%s)", r.Kind, ref)
	printLine(w, "pullPolicy:  %s (the default Kubernetes derives when imagePullPolicy is unset)", r.PullPolicy)
	if len(r.Credentials) == 0 {
		printLine(w, "%s: no credential matches; the pull is anonymous", r.Semantics)
	} else {
		printLine(w, "%s tries, in order:", r.Semantics)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, m := range r.Credentials {
			printRow(tw, fmt.Sprintf("  %d.", i+1), m.Key, dash(m.Username), string(m.Reason), m.Source)
		}
		tw.Flush()
		for _, m := range r.Credentials {
			if m.Note != "" {
				printLine(w, "  note: %s: %s", m.Key, m.Note)
			}
		}
	}
	for _, n := range r.Notes {
		printLine(w, "note: %s", n)
	}
	for _, a := range r.Alternatives {
		if len(a.Credentials) == 0 {
			printLine(w, "%s would pull anonymously", a.Semantics)
			continue
		}
		m := a.Credentials[0]
		printLine(w, "%s would use %s (%s, %s)", a.Semantics, m.Key, dash(m.Username), m.Reason)
	}
}
