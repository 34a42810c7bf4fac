package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// newLogoutCommand is "pullsecret logout SERVER --from FILE" (docs/credentials.md).
func newLogoutCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "remove the entries of one registry from a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --from FILE|secret/NAME",
		Description: `Removes every entry of SERVER from FILE, keeping everything else. With
--from secret/NAME, the pull secret NAME in the cluster (kubeconfig, --context,
-n) is edited instead, with its resourceVersion and again from a fresh read on
a conflict (see login).`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "from", Aliases: []string{"authfile"}, Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest; secret/NAME: the pull secret in the cluster"},
			diffFlag(),
		}, secretTargetFlags()...),
		Action: func(c *cli.Context) error { return runOptions(c, &logoutOptions{e: e}) },
	}
}

// logoutOptions are the inputs of logout.
type logoutOptions struct {
	e            *env
	args         []string
	server, file string
	diff         bool
	target       secretTarget
}

// Complete reads the flags and arguments.
func (o *logoutOptions) Complete(c *cli.Context) error {
	o.args = c.Args().Slice()
	o.server, o.file = c.Args().First(), c.String("from")
	o.diff = c.Bool("diff")
	o.target.complete(c, o.file)
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
	return o.target.validate("logout", "--from")
}

// Run removes the server's entries (dockercfg.Config.RemoveServer) from the
// file (secrets.EditCredentialFile) and says how many; --diff prints them.
func (o *logoutOptions) Run(ctx context.Context) error {
	var removed []dockercfg.Entry
	label := o.file
	if o.target.live() {
		label = o.target.label(nil)
	}
	edit := func(cfg *dockercfg.Config) error {
		removed = nil // called again after a conflict, on a fresh read
		before := slices.Clone(cfg.Entries)
		if cfg.RemoveServer(o.server) == 0 {
			return fmt.Errorf("no entry for %s in %s", o.server, label)
		}
		for _, e := range before {
			if !slices.Contains(cfg.Entries, e) {
				removed = append(removed, *e)
			}
		}
		return nil
	}
	var res *cluster.Result
	var err error
	if o.target.live() {
		if res, err = o.target.edit(ctx, o.e, edit); err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		label = o.target.label(res)
	} else if err = secrets.EditCredentialFile(ctx, o.file, false, edit); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if o.diff {
		writeEntryDiff(o.e.stdout, label, removed, nil)
	}
	n := len(removed)
	fmt.Fprintf(o.e.stderr, "Removed %d entr%s for %s from %s\n", n, map[bool]string{true: "y", false: "ies"}[n == 1], o.server, label)
	if res != nil {
		printResult(o.e, *res, "")
	}
	return nil
}
