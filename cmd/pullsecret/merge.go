package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// newMergeCommand is "pullsecret merge SOURCE... [NAME]" (SPEC §2.4).
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
		Action: func(c *cli.Context) error {
			prefer := c.String("prefer")
			if prefer != "first" && prefer != "last" {
				return usagef("merge: --prefer %q: want first or last", prefer)
			}
			format, err := parseSecretType(c.String("type"))
			if err != nil {
				return err
			}
			args := c.Args().Slice()
			if len(args) == 0 {
				return usagef("merge: at least one SOURCE is required")
			}
			out := c.String("output")
			name := ""
			if last := args[len(args)-1]; len(args) > 1 && out != "dockerconfigjson" && out != "dockercfg" && looksLikeName(last) {
				name, args = last, args[:len(args)-1]
			}
			if out == "" {
				out = "dockerconfigjson"
				if name != "" {
					out = "yaml"
				}
			}
			raw := out == "dockerconfigjson" || out == "dockercfg"
			switch {
			case !raw && out != "yaml" && out != "json":
				return usagef("merge: --output %q: want yaml, json, dockerconfigjson or dockercfg", out)
			case !raw && name == "":
				return usagef("merge: NAME is required for -o %s", out)
			case raw && name != "":
				return usagef("merge: NAME %q given with -o %s, which writes no Secret", name, out)
			}
			var srcs []dockercfg.Source
			stdinUsed := false
			for _, p := range args {
				if p == "-" {
					if stdinUsed {
						return usagef("merge: standard input given more than once")
					}
					stdinUsed = true
				}
				s, err := readSourceFile(e, p)
				if err != nil {
					return fmt.Errorf("merge: %w", err)
				}
				srcs = append(srcs, s...)
			}
			for _, s := range srcs {
				if s.Config != nil && (s.Config.CredsStore != "" || len(s.Config.CredHelpers) > 0) {
					e.warnf("merge: %s uses credential helpers, which merge does not run; entries they serve are copied as written (use pullsecret convert to resolve them)", s.Label())
				}
			}
			cfg, conflicts := dockercfg.Merge(srcs, prefer == "last")
			for _, cf := range conflicts {
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
				e.warnf("merge: conflict for %s: %s", cf.Key, strings.Join(parts, "; "))
			}
			if len(cfg.Entries) == 0 {
				return fmt.Errorf("merge: %w", dockercfg.ErrEmptyResult)
			}
			if raw {
				f := dockercfg.FormatConfigJSON
				if out == "dockercfg" {
					f = dockercfg.FormatLegacy
				}
				b, err := cfg.MarshalAs(f)
				if err != nil {
					return fmt.Errorf("merge: encode: %w", err)
				}
				if _, err := secrets.CheckPayload(b, f); err != nil {
					return fmt.Errorf("merge: %w", err)
				}
				_, err = fmt.Fprintf(e.stdout, "%s\n", b)
				return err
			}
			s, err := secrets.FromConfig(name, c.String("namespace"), cfg, format)
			if err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			if err := secrets.Validate(s); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			return secrets.Encode(e.stdout, out, s)
		},
	}
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
