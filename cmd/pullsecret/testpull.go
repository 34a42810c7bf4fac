package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

func newTestPullCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "test-pull",
		Usage:     "check step by step whether images can be pulled with these credentials",
		ArgsUsage: "IMAGE...",
		Description: "For each image: the credentials the consumer tries (kubelet order by default), GET /v2/ " +
			"(challenge, realm, delegation), a token per candidate, the manifest (HEAD, then GET for the error), " +
			"and with --blobs the config blob. Exit 0 ok, 3 no credentials, 4 credentials rejected, " +
			"5 network/TLS/timeout, 1 other failures. On a terminal, a progress line on stderr counts the images " +
			"tested, the failures and the rate; --quiet hides it.",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.StringFlag{Name: "semantics", Value: string(match.SemanticsKubelet), Usage: "consumer whose credential order to simulate: kubelet, docker or podman"},
			&cli.BoolFlag{Name: "blobs", Usage: "also fetch the config blob"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			quietFlag(),
			podFlag(),
		}, append(networkFlags(), sourceFlags()...)...),
		Action: func(c *cli.Context) error { return runOptions(c, &testPullOptions{e: e}) },
	}
}

// testPullOptions are the inputs of test-pull.
type testPullOptions struct {
	e             *env
	output        string
	images        []string
	semanticsFlag string
	authfiles     []string
	blobs         bool
	quiet         bool
	network       networkValues
	opts          registry.TestPullOptions // set by Validate, but for the transport
	pod           string
	kube          kubeConn
}

// Complete reads the flags and arguments.
func (o *testPullOptions) Complete(c *cli.Context) error {
	o.output, o.images, o.semanticsFlag = c.String("output"), c.Args().Slice(), c.String("semantics")
	o.authfiles, o.blobs, o.quiet = authfiles(c), c.Bool("blobs"), c.Bool("quiet")
	o.network.complete(c)
	o.pod = c.String("pod")
	o.kube.complete(c, o.e)
	return nil
}

// Validate checks -o, the images (match.ParseReference), --semantics and
// the network flags.
func (o *testPullOptions) Validate() error {
	if o.output != "text" && o.output != "json" {
		return usagef("test-pull: --output %q: want text or json", o.output)
	}
	if len(o.images) == 0 {
		return usagef("test-pull: no image given")
	}
	for _, img := range o.images {
		if _, err := match.ParseReference(img); err != nil {
			return fmt.Errorf("test-pull: %w", err)
		}
	}
	sem, err := match.ParseSemantics(o.semanticsFlag)
	if err != nil {
		return usagef("test-pull: --semantics: %w", err)
	}
	nopts, err := o.network.options()
	if err != nil {
		return err
	}
	o.opts = registry.TestPullOptions{Network: nopts, Semantics: sem, Blobs: o.blobs}
	if o.pod != "" && len(o.authfiles) > 0 {
		return usagef("test-pull: --pod conflicts with --authfile (the pod's pull secrets are the credentials)")
	}
	return o.kube.validateRead("test-pull", o.pod != "" || anySecretRef(o.authfiles), "--authfile secret/NAME or --pod")
}

// Run test-pulls every image (registry.TestPull) with the credentials of
// --authfile and prints the reports; the first failure decides the exit code.
func (o *testPullOptions) Run(ctx context.Context) error {
	rt, err := o.opts.Network.Transport()
	if err != nil {
		return fmt.Errorf("test-pull: %w", err)
	}
	var creds []match.Credential
	if o.pod != "" {
		srcs, perr := podSources(ctx, o.e, "test-pull", &o.kube, o.pod)
		if perr != nil {
			return perr
		}
		// Pull secrets: the kubelet runs no credential helper.
		creds = match.CredentialsFromSources(srcs)
	} else if creds, err = loadCredentials(ctx, o.e, &o.kube, o.authfiles); err != nil {
		return err
	}
	opts := o.opts
	opts.Transport = rt
	results := make([]*registry.TestPullResult, 0, len(o.images))
	p := o.e.startProgress("test-pull", "images", len(o.images), o.quiet)
	defer p.finish()
	for _, img := range o.images {
		res, err := registry.TestPull(ctx, img, creds, opts)
		if err != nil {
			return fmt.Errorf("test-pull: %w", err)
		}
		results = append(results, res)
		p.step(res.Verdict != match.VerdictOK)
	}
	p.finish() // before the report, which may go to the same terminal
	if o.output == "json" {
		if err := writeJSON(o.e.stdout, struct {
			reportHeader
			Results []*registry.TestPullResult `json:"results"`
		}{newReportHeader(kindTestPullReport), results}); err != nil {
			return fmt.Errorf("test-pull: write report: %w", err)
		}
	} else {
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(o.e.stdout)
			}
			renderTestPull(o.e.stdout, r)
		}
	}
	return testPullError(results)
}

// testPullError summarises the failed images: the first failure decides
// the exit code.
func testPullError(results []*registry.TestPullResult) error {
	var first error
	failed := 0
	for _, r := range results {
		if err := r.Err(); err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	switch {
	case first == nil:
		return nil
	case len(results) == 1:
		return fmt.Errorf("test-pull: %w", first)
	}
	return fmt.Errorf("test-pull: %d of %d images cannot be pulled; first: %w", failed, len(results), first)
}

// renderTestPull writes the step-by-step text report of one image.
func renderTestPull(w io.Writer, r *registry.TestPullResult) {
	printLine(w, "%s", r.Reference)
	line := func(label, format string, args ...any) {
		printLine(w, "  %-11s %s", label, fmt.Sprintf(format, args...))
	}
	if len(r.Candidates) == 0 {
		line("candidates", "none for %s semantics: anonymous pull", r.Semantics)
	}
	for i, c := range r.Candidates {
		label := ""
		if i == 0 {
			label = "candidates"
		}
		s := fmt.Sprintf("%d. %s  user %q  from %s  (%s)", i+1, c.Key, c.Username, c.Source, c.Reason)
		if c.Note != "" {
			s += "  " + c.Note
		}
		line(label, "%s", s)
	}
	for _, a := range r.Attempts {
		var b strings.Builder
		switch {
		case a.Candidate > 0:
			fmt.Fprintf(&b, "[%d %s] ", a.Candidate, a.Credential)
		case a.Credential != "":
			fmt.Fprintf(&b, "[%s] ", a.Credential)
		}
		if a.Method != "" {
			fmt.Fprintf(&b, "%s %s", a.Method, a.URL)
		}
		if a.Status != 0 {
			fmt.Fprintf(&b, " -> %d %s", a.Status, a.StatusText())
		}
		if a.Detail != "" {
			fmt.Fprintf(&b, ": %s", a.Detail)
		}
		if a.Error != "" {
			fmt.Fprintf(&b, "; error: %s", a.Error)
		}
		line(string(a.Step), "%s", strings.TrimSpace(b.String()))
	}
	switch {
	case r.Verdict == match.VerdictOK && r.Credential != nil:
		line("verdict", "ok: pulled with %s (user %q, from %s)", r.Credential.Key, r.Credential.Username, r.Credential.Source)
	case r.Verdict == match.VerdictOK:
		line("verdict", "ok: pulled anonymously")
	default:
		line("verdict", "%s: %s", r.Verdict, r.Error)
	}
	if r.Digest != "" {
		line("digest", "%s", r.Digest)
	}
	for _, n := range r.Notes {
		line("note", "%s", n)
	}
}
