package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// newMergeCommand is "pullsecret merge SOURCE... [NAME]" (docs/credentials.md).
func newMergeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "one secret (NAME) or one config from many credential files and Secret manifests",
		ArgsUsage: "SOURCE... [NAME]",
		Description: "Every argument that is an existing file is a SOURCE; a last argument that is not is the NAME of the Secret to write.\n" +
			"Entries whose keys name the same registry conflict: --prefer first keeps the earliest, last the latest;\n" +
			"conflicts are listed on stderr without secrets. credsStore/credHelpers are not resolved (use pullsecret convert).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "prefer", Value: "first", Usage: "on conflict keep the `first` or the last source's entry"},
			&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the Secret"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "yaml or json (with NAME, default yaml), dockerconfigjson or dockercfg (raw; default without NAME)"},
		},
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
	sources   []string // the arguments; Validate takes NAME off
	name      string   // set by Validate
}

// Complete reads the flags and arguments.
func (o *mergeOptions) Complete(c *cli.Context) error {
	o.prefer, o.typeFlag, o.output = c.String("prefer"), c.String("type"), c.String("output")
	o.namespace = c.String("namespace")
	o.sources = c.Args().Slice()
	return nil
}

// raw reports whether -o prints a config file rather than a Secret.
func (o *mergeOptions) raw() bool { return o.output == "dockerconfigjson" || o.output == "dockercfg" }

// Validate checks the flags, tells NAME from the SOURCEs (looksLikeName)
// and defaults -o: a Secret with NAME, a config.json without.
func (o *mergeOptions) Validate() error {
	if o.prefer != "first" && o.prefer != "last" {
		return usagef("merge: --prefer %q: want first or last", o.prefer)
	}
	var err error
	if o.format, err = parseSecretType(o.typeFlag); err != nil {
		return err
	}
	args := o.sources
	if len(args) == 0 {
		return usagef("merge: at least one SOURCE is required")
	}
	if last := args[len(args)-1]; len(args) > 1 && !o.raw() && looksLikeName(last) {
		o.name, o.sources = last, args[:len(args)-1]
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

// Run reads the sources, merges them (dockercfg.Merge), lists the
// conflicts on stderr without secrets, and prints the config or Secret.
func (o *mergeOptions) Run(context.Context) error {
	srcs, err := o.readSources()
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
	return writeSecret(o.e, "merge", o.name, o.namespace, cfg, o.format, o.output)
}

// readSources reads every SOURCE, standard input at most once.
func (o *mergeOptions) readSources() ([]dockercfg.Source, error) {
	var srcs []dockercfg.Source
	stdinUsed := false
	for _, p := range o.sources {
		if p == "-" {
			if stdinUsed {
				return nil, usagef("merge: standard input given more than once")
			}
			stdinUsed = true
		}
		s, err := readSourceFile(o.e, p)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		srcs = append(srcs, s...)
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

// looksLikeName reports whether a merge argument is the Secret NAME rather
// than a SOURCE: it is not an existing path, "-", or a name with a path
// separator or a credential file extension (a mistyped file name is then an
// error rather than a Secret name).
func looksLikeName(arg string) bool {
	if arg == "-" || strings.ContainsAny(arg, "/\\") {
		return false
	}
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".json", ".yaml", ".yml", ".dockercfg":
		return false
	}
	_, err := os.Lstat(arg)
	return errors.Is(err, fs.ErrNotExist)
}
