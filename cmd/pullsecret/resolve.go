package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// maxReferenceLine bounds one line of a -f file.
const maxReferenceLine = 64 << 10

func newResolveCommand(e *env) *cli.Command {
	// -f is a flag of its own sharing --file's list: urfave/cli would copy
	// a repeatable generic value between alias names, doubling it.
	files := &stringList{}
	return &cli.Command{
		Name:      "resolve",
		Usage:     "pin image tags to the digests they point at now",
		ArgsUsage: "IMAGE... [-f FILE|-]",
		Description: "Prints REGISTRY/REPOSITORY@sha256:... for every image, in input order, e.g.\n" +
			"docker.io/library/ruby@sha256:... for ruby:2.0. Images come from the arguments and from -f files\n" +
			"(one a line; blank lines and # comments skipped; - is stdin). A digest input is checked and echoed.\n" +
			"\n" +
			"For a multi-platform image the digest is the index (manifest list) digest: that is what the\n" +
			"reference resolves to and what the kubelet and containerd pin. --platform os/arch[/variant]\n" +
			"gives the platform manifest's digest instead, as `crane digest --platform` does; -o json then\n" +
			"shows both (digest and indexDigest).\n" +
			"\n" +
			"Credentials: the first one the kubelet would try for each image (--semantics to simulate\n" +
			"docker or podman); anonymous when none matches. One ping per registry, tokens shared by all\n" +
			"workers and asked for many repositories at once, kept-alive connections, HEAD requests.\n" +
			"\n" +
			"A failing image is reported on stderr with its failure class (as in test-pull) and has no stdout\n" +
			"line (-o json keeps one entry per input); the others still print. Exit 0 when all resolved, else\n" +
			"the code of the first failure: 3 no credentials, 4 credentials rejected, 5 network/TLS/timeout,\n" +
			"1 other (not found, bad reference).\n" +
			"\n" +
			"On a terminal, a progress line on stderr counts the images done (of how many, when all are\n" +
			"arguments), the failures and the rate; --quiet hides it.",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.GenericFlag{Name: "filename", Value: files, Usage: "read images from `FILE`, one a line (- for stdin; repeatable; also -f FILE)"},
			// Separate hidden flags sharing the value (an alias would append
			// every value twice): -f, and --file, its name before --filename.
			&cli.GenericFlag{Name: "f", Value: files, Hidden: true},
			&cli.GenericFlag{Name: "file", Value: files, Hidden: true},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text (one pinned reference a line) or json"},
			&cli.StringFlag{Name: "platform", Usage: "resolve an index to the manifest of this platform (os/arch[/variant], e.g. linux/arm64)"},
			&cli.IntFlag{Name: "concurrency", Value: registry.DefaultConcurrency, Usage: "images resolved at once"},
			&cli.StringFlag{Name: "semantics", Value: string(match.SemanticsKubelet), Usage: "consumer whose credential choice to simulate: kubelet, docker or podman"},
			quietFlag(),
		}, append(networkFlags(), sourceFlags()...)...),
		Action: func(c *cli.Context) error { return runOptions(c, &resolveOptions{e: e, files: files}) },
	}
}

// resolveOptions are the inputs of resolve.
type resolveOptions struct {
	e             *env
	files         *stringList // -f, shared with the flags
	output        string
	concurrency   int
	semanticsFlag string
	platform      string
	authfiles     []string
	args          []string
	quiet         bool
	network       networkValues
	opts          registry.ResolveOptions // set by Validate, but for the credentials
	kube          kubeConn
}

// Complete reads the flags and arguments.
func (o *resolveOptions) Complete(c *cli.Context) error {
	o.output, o.concurrency, o.semanticsFlag = c.String("output"), c.Int("concurrency"), c.String("semantics")
	o.platform, o.authfiles, o.args = c.String("platform"), authfiles(c), c.Args().Slice()
	o.quiet = c.Bool("quiet")
	o.network.complete(c)
	o.kube.complete(c, o.e)
	return nil
}

// Validate checks the flags, that some image is given and that standard
// input is read once at most.
func (o *resolveOptions) Validate() error {
	if o.output != "text" && o.output != "json" {
		return usagef("resolve: --output %q: want text or json", o.output)
	}
	if o.concurrency < 1 {
		return usagef("resolve: --concurrency %d: want at least 1", o.concurrency)
	}
	sem, err := match.ParseSemantics(o.semanticsFlag)
	if err != nil {
		return usagef("resolve: --semantics: %w", err)
	}
	stdinFiles := 0
	for _, f := range append(append([]string{}, o.files.values...), o.authfiles...) {
		if f == "-" {
			stdinFiles++
		}
	}
	if stdinFiles > 1 {
		return usagef("resolve: standard input (-) given more than once in -f and --authfile")
	}
	if len(o.args) == 0 && len(o.files.values) == 0 {
		return usagef("resolve: no image given (pass IMAGE... or -f FILE)")
	}
	nopts, err := o.network.options()
	if err != nil {
		return err
	}
	o.opts = registry.ResolveOptions{Network: nopts, Semantics: sem, Platform: o.platform, Concurrency: o.concurrency}
	return o.kube.validateRead("resolve", anySecretRef(o.authfiles), "--authfile secret/NAME")
}

// Run pins every image (registry.Resolver.ResolveEach), printing the
// results as they come; the first failure decides the exit code.
func (o *resolveOptions) Run(ctx context.Context) error {
	creds, err := loadCredentials(ctx, o.e, &o.kube, o.authfiles)
	if err != nil {
		return err
	}
	readers, closeAll, err := o.openFiles()
	if err != nil {
		return err
	}
	defer closeAll()
	// Progress on stderr: of len(args) images when there is no -f stream.
	total := 0
	if len(o.files.values) == 0 {
		total = len(o.args)
	}
	p := o.e.startProgress("resolve", "images", total, o.quiet)
	defer p.finish()
	e := p.env(o.e)
	opts := o.opts
	opts.Credentials = creds
	opts.Progress = func(ev registry.ProgressEvent) { p.set(ev.Done, ev.Failed) }
	r, err := registry.NewResolver(opts)
	if err != nil {
		return usagef("resolve: %w", err)
	}
	images, inputErr := resolveImages(o.args, readers)
	out := bufio.NewWriter(e.stdout)
	w := &resolveWriter{e: e, out: out, json: o.output == "json",
		js: jsonStream{w: out, kind: kindResolveReport, field: "results"}}
	err = r.ResolveEach(ctx, images, w.write)
	if ferr := w.finish(); err == nil {
		err = ferr
	}
	p.finish()
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	if *inputErr != nil {
		return *inputErr
	}
	if w.failed > 0 {
		// Each failed image is already one line on stderr.
		return reportedWithCode(exitCode(w.first), fmt.Errorf("resolve: %d of %d images failed (first: %s, %s)",
			w.failed, w.total, w.first.Image, w.first.Verdict))
	}
	return nil
}

// openFiles opens the -f files; closeAll closes them.
func (o *resolveOptions) openFiles() (readers []namedReader, closeAll func(), err error) {
	var files []*os.File
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, f := range o.files.values {
		if f == "-" {
			readers = append(readers, namedReader{name: "standard input", r: o.e.stdin})
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("resolve: read images: %w", err)
		}
		files = append(files, fh)
		readers = append(readers, namedReader{name: f, r: fh})
	}
	return readers, closeAll, nil
}

// resolveImages yields the arguments, then the lines of the -f readers
// (blank lines and # comments skipped). A read error stops it and is left
// in *inputErr.
func resolveImages(args []string, readers []namedReader) (images func(yield func(string) bool), inputErr *error) {
	inputErr = new(error)
	images = func(yield func(string) bool) {
		for _, a := range args {
			if !yield(a) {
				return
			}
		}
		for _, nr := range readers {
			sc := bufio.NewScanner(nr.r)
			sc.Buffer(make([]byte, 0, 4096), maxReferenceLine)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if !yield(line) {
					return
				}
			}
			if err := sc.Err(); err != nil {
				*inputErr = fmt.Errorf("resolve: read images from %s: %w", nr.name, err)
				return
			}
		}
	}
	return images, inputErr
}

// namedReader is one -f source.
type namedReader struct {
	name string
	r    io.Reader
}

// resolveWriter renders results as they come: pinned references (text) or
// the elements of {"results":[...]} (json) on stdout, failures on stderr.
type resolveWriter struct {
	e      *env
	out    *bufio.Writer
	json   bool
	js     jsonStream // the JSON document, when json
	total  int
	failed int
	first  *registry.OutcomeError
}

func (w *resolveWriter) write(res registry.ResolveResult) error {
	w.total++
	if err := res.Err(); err != nil {
		w.failed++
		var re *registry.OutcomeError
		if errors.As(err, &re) && w.first == nil {
			w.first = re
		}
		// Keep stdout and stderr in order on a terminal.
		if err := w.out.Flush(); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		fmt.Fprintf(w.e.stderr, "pullsecret: %s\n", oneLine(err.Error()))
	}
	if w.json {
		if err := w.js.add(res); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		return nil
	}
	if res.Verdict == match.VerdictOK {
		if _, err := fmt.Fprintln(w.out, printable(res.Reference)); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	return nil
}

// finish closes the JSON document and flushes stdout.
func (w *resolveWriter) finish() error {
	if w.json {
		if err := w.js.end(); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	if err := w.out.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// oneLine makes a message one printable line: surrounding white space
// dropped, control characters escaped (printable).
func oneLine(s string) string {
	return printable(strings.TrimSpace(s))
}
