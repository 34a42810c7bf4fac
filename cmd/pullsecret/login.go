package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

// newLoginCommand is "pullsecret login SERVER --to FILE" (docs/manifests.md#login-and-logout).
func newLoginCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "to", Aliases: []string{"authfile"}, Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest (created as config.json if missing)"},
		&cli.BoolFlag{Name: "check", Usage: "verify the credentials against the registry (ping and token request) before saving"},
	}
	flags = append(flags, credentialFlags()...)
	flags = append(flags, networkFlags()...)
	return &cli.Command{
		Name:      "login",
		Usage:     "add or replace one entry in a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --to FILE",
		Flags:     flags,
		Action:    func(c *cli.Context) error { return runOptions(c, &loginOptions{e: e}) },
	}
}

// loginOptions are the inputs of login.
type loginOptions struct {
	e       *env
	args    []string
	server  string
	file    string
	creds   credentialOptions
	check   bool
	network networkValues
	nopts   registry.NetworkOptions // set by Validate when check
}

// Complete reads the flags and arguments.
func (o *loginOptions) Complete(c *cli.Context) error {
	o.args = c.Args().Slice()
	o.server, o.file = c.Args().First(), c.String("to")
	o.creds.complete(c)
	o.check = c.Bool("check")
	o.network.complete(c)
	return nil
}

// Validate checks the arguments, the credential flags and, with --check,
// the network flags.
func (o *loginOptions) Validate() error {
	switch {
	case len(o.args) != 1:
		return usagef("login: exactly one SERVER is required, got %d", len(o.args))
	case o.server == "":
		return usagef("login: SERVER is empty")
	case o.file == "":
		return usagef("login: --to FILE is required")
	}
	if err := o.creds.validate("login", "--docker-username and a password (--password-stdin, --password-file, --password-env or --docker-password) are required"); err != nil {
		return err
	}
	if o.check {
		var err error
		if o.nopts, err = o.network.options(); err != nil {
			return err
		}
	}
	return nil
}

// Run reads the password, checks the credentials with --check, and sets the
// entry in the file (secrets.EditCredentialFile).
func (o *loginOptions) Run(ctx context.Context) error {
	user := o.creds.username
	pass, err := o.creds.readPassword(o.e, "login", o.e.warnf)
	if err != nil {
		return err
	}
	for _, w := range dockercfg.KeyWarnings(o.server) {
		o.e.warnf("%s: %s", o.server, w)
	}
	if o.check {
		if err := loginCheck(ctx, o.e, o.server, user, pass, o.nopts); err != nil {
			return fmt.Errorf("login: --check %s: %w", o.server, err)
		}
	}
	err = secrets.EditCredentialFile(o.file, true, func(cfg *dockercfg.Config) error {
		ne := &dockercfg.Entry{Key: o.server, Username: user, Password: pass, Auth: dockercfg.EncodeAuth(user, pass), Email: o.creds.email}
		if old := cfg.Entry(o.server); old != nil {
			if !o.creds.emailSet {
				ne.Email = old.Email
			}
			ne.Extra = old.Extra
		}
		cfg.Set(ne)
		return nil
	})
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintf(o.e.stderr, "Saved credentials for %s into %s\n", o.server, o.file)
	return nil
}

// loginCheck verifies user:pass against the registry of server without
// pulling anything: it pings GET /v2/; for a Bearer challenge it requests a
// token for pull access to a repository (SERVER's path, or a placeholder)
// with the credentials, for a Basic challenge it repeats GET /v2/ with
// them. A 401 or 403 from the token server or registry is
// match.ErrUnauthorized; a token (even one granting nothing) means the
// credentials were accepted. A registry that needs no authentication
// cannot check them: that is a warning, not an error.
func loginCheck(ctx context.Context, e *env, server, user, pass string, opts registry.NetworkOptions) error {
	res, err := registry.CheckLogin(ctx, server, match.Credential{Username: user, Password: pass}, opts)
	if err != nil {
		return err
	}
	if !res.Checked {
		e.warnf("--check: %s needs no authentication; the credentials were not checked", res.Host)
	}
	return nil
}
