package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// newLogoutCommand is "pullsecret logout SERVER --from FILE" (docs/credentials.md).
func newLogoutCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "remove the entries of one registry from a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --from FILE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Aliases: []string{"authfile"}, Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest"},
			diffFlag(),
		},
		Action: func(c *cli.Context) error { return runOptions(c, &logoutOptions{e: e}) },
	}
}

// logoutOptions are the inputs of logout.
type logoutOptions struct {
	e            *env
	args         []string
	server, file string
	diff         bool
}

// Complete reads the flags and arguments.
func (o *logoutOptions) Complete(c *cli.Context) error {
	o.args = c.Args().Slice()
	o.server, o.file = c.Args().First(), c.String("from")
	o.diff = c.Bool("diff")
	return nil
}

// Validate checks that one SERVER and the file are given.
func (o *logoutOptions) Validate() error {
	switch {
	case len(o.args) != 1:
		return usagef("logout: exactly one SERVER is required, got %d", len(o.args))
	case o.server == "":
		return usagef("logout: SERVER is empty")
	case o.file == "":
		return usagef("logout: --from FILE is required")
	}
	return nil
}

// Run removes the server's entries (dockercfg.Config.RemoveServer) from the
// file (secrets.EditCredentialFile) and says how many; --diff prints them.
func (o *logoutOptions) Run(ctx context.Context) error {
	var removed []dockercfg.Entry
	err := secrets.EditCredentialFile(ctx, o.file, false, func(cfg *dockercfg.Config) error {
		before := slices.Clone(cfg.Entries)
		if cfg.RemoveServer(o.server) == 0 {
			return fmt.Errorf("no entry for %s in %s", o.server, o.file)
		}
		for _, e := range before {
			if !slices.Contains(cfg.Entries, e) {
				removed = append(removed, *e)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if o.diff {
		writeEntryDiff(o.e.stdout, o.file, removed, nil)
	}
	n := len(removed)
	fmt.Fprintf(o.e.stderr, "Removed %d entr%s for %s from %s\n", n, map[bool]string{true: "y", false: "ies"}[n == 1], o.server, o.file)
	return nil
}
