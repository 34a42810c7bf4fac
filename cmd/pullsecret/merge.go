package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// newMergeCommand is "pullsecret merge --authfile SOURCE... [NAME]" (docs/manifests.md#merge).
func newMergeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "one secret (NAME) or one config from many credential files and Secret manifests",
		ArgsUsage: "--authfile SOURCE... [NAME]",
		Description: "Sources are given with --authfile (repeatable, - for standard input); the one argument is the NAME of the Secret to write.\n" +
			"Entries whose keys name the same registry conflict: --prefer first keeps the earliest, last the latest;\n" +
			"conflicts are listed on stderr without secrets. credsStore/credHelpers are not resolved (use pullsecret convert).",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.StringFlag{Name: "prefer", Value: "first", Usage: "on conflict keep the `first` or the last source's entry"},
			&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the Secret"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "yaml or json (with NAME, default yaml), dockerconfigjson or dockercfg (raw; default without NAME)"},
		}, append(writeFlags(), kubeFlags()...)...),
		Action: func(c *cli.Context) error { return runOptions(c, &mergeOptions{e: e}) },
	}
}

// mergeOptions are the inputs of merge.
type mergeOptions struct {
	e         *env
	prefer    string
	typeFlag  string
	format    dockercfg.Format // set by Validate
	output    string           // defaulted by Validate
	namespace string
	sources   []string // --authfile values, in order
	args      []string // positional arguments: at most NAME
	name      string   // set by Validate
	kube      kubeConn
}

// Complete reads the flags and arguments.
func (o *mergeOptions) Complete(c *cli.Context) error {
	o.prefer, o.typeFlag, o.output = c.String("prefer"), c.String("type"), c.String("output")
	o.namespace = c.String("namespace")
	o.sources = authfiles(c)
	o.args = c.Args().Slice()
	o.kube.complete(c, o.e)
	return nil
}

// raw reports whether -o prints a config file rather than a Secret.
func (o *mergeOptions) raw() bool { return o.output == "dockerconfigjson" || o.output == "dockercfg" }

// Validate checks the flags and arguments and defaults -o: a Secret with
// NAME, a config.json without. Sources come only from --authfile; the
// command line of earlier versions (sources as arguments) is a usage error
// that shows the new form, never a guess.
func (o *mergeOptions) Validate() error {
	if len(o.sources) == 0 {
		if hint := mergeOldForm(o.args); hint != "" {
			return usagef("merge takes sources as --authfile FILE; did you mean: %s", hint)
		}
		return usagef("merge: at least one --authfile SOURCE is required")
	}
	stdin := 0
	for _, p := range o.sources {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usagef("merge: --authfile -: standard input given more than once")
	}
	switch len(o.args) {
	case 0:
	case 1:
		o.name = o.args[0]
	default:
		return usagef("merge: want at most one NAME argument (sources are given with --authfile), got %d: %s", len(o.args), strings.Join(o.args, " "))
	}
	if o.prefer != "first" && o.prefer != "last" {
		return usagef("merge: --prefer %q: want first or last", o.prefer)
	}
	var err error
	if o.format, err = parseSecretType(o.typeFlag); err != nil {
		return err
	}
	if err := o.kube.validate("merge", anySecretRef(o.sources)); err != nil {
		return err
	}
	if err := o.kube.validateWrite("merge", o.output); err != nil {
		return err
	}
	if o.kube.live() {
		if o.name == "" {
			return usagef("merge: NAME is required with --apply or --dry-run=server")
		}
		return nil
	}
	if o.output == "" {
		o.output = "dockerconfigjson"
		if o.name != "" {
			o.output = "yaml"
		}
	}
	switch {
	case !o.raw() && o.output != "yaml" && o.output != "json":
		return usagef("merge: --output %q: want yaml, json, dockerconfigjson or dockercfg", o.output)
	case !o.raw() && o.name == "":
		return usagef("merge: NAME is required for -o %s", o.output)
	case o.raw() && o.name != "":
		return usagef("merge: NAME %q given with -o %s, which writes no Secret", o.name, o.output)
	}
	return nil
}

// mergeOldForm recognises the earlier command line, "merge SOURCE...
// [NAME]", in positional arguments given without --authfile: when one of
// them is an existing file or -, it returns the same command in the current
// form (each such argument an --authfile, the others kept as arguments);
// otherwise "".
func mergeOldForm(args []string) string {
	old := false
	parts := []string{"pullsecret", "merge"}
	var rest []string
	for i, a := range args {
		st, err := os.Stat(a)
		isSource := a == "-" || (err == nil && !st.IsDir()) ||
			(i < len(args)-1 && errors.Is(err, fs.ErrNotExist)) // a mistyped source before the NAME
		if isSource {
			old = old || a == "-" || err == nil
			parts = append(parts, "--authfile", shellQuote(a))
		} else {
			rest = append(rest, shellQuote(a))
		}
	}
	if !old {
		return ""
	}
	return strings.Join(append(parts, rest...), " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// characters that need no quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Run reads the sources, merges them (dockercfg.Merge), lists the
// conflicts on stderr without secrets, and prints the config or Secret.
func (o *mergeOptions) Run(ctx context.Context) error {
	srcs, err := o.readSources(ctx)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		if s.Config != nil && (s.Config.CredsStore != "" || len(s.Config.CredHelpers) > 0) {
			o.e.warnf("merge: %s uses credential helpers, which merge does not run; entries they serve are copied as written (use pullsecret convert to resolve them)", s.Label())
		}
	}
	cfg, conflicts := dockercfg.Merge(srcs, o.prefer == "last")
	for _, cf := range conflicts {
		o.e.warnf("merge: conflict for %s: %s", cf.Key, mergeConflictText(cf))
	}
	if len(cfg.Entries) == 0 {
		return fmt.Errorf("merge: %w", dockercfg.ErrEmptyResult)
	}
	if o.raw() {
		return writeRawConfig(o.e, "merge", cfg, o.output, true)
	}
	if o.kube.live() {
		s, err := buildSecret("merge", o.name, o.namespace, cfg, o.format)
		if err != nil {
			return err
		}
		return applySecrets(ctx, o.e, "merge", &o.kube, o.output, s)
	}
	return writeSecret(o.e, "merge", o.name, o.namespace, cfg, o.format, o.output)
}

// readSources reads every --authfile SOURCE in order, standard input at
// most once (loadSources); a missing source is an error naming it.
func (o *mergeOptions) readSources(ctx context.Context) ([]dockercfg.Source, error) {
	srcs, err := loadSourcesFrom(ctx, o.e, &o.kube, o.sources, nil)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return srcs, nil
}

// mergeConflictText lists the entries of a conflict, the kept one marked,
// with their sources, keys and user names (never a secret).
func mergeConflictText(cf dockercfg.MergeConflict) string {
	parts := make([]string, len(cf.Entries))
	for i, en := range cf.Entries {
		user := en.Username
		if user == "" {
			user = "-"
		}
		mark := ""
		if i == cf.Kept {
			mark = " (kept)"
		}
		parts[i] = fmt.Sprintf("%s [key %q, user %q]%s", en.Source, en.Key, user, mark)
	}
	return strings.Join(parts, "; ")
}
