package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

// newLoginCommand is "pullsecret login SERVER --to FILE" (docs/manifests.md#login-and-logout).
func newLoginCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "to", Aliases: []string{"authfile"}, Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest (created as config.json if missing); secret/NAME: the pull secret in the cluster"},
		&cli.BoolFlag{Name: "check", Usage: "verify the credentials against the registry (ping and token request) before saving"},
		diffFlag(),
	}
	flags = append(flags, secretTargetFlags()...)
	flags = append(flags, credentialFlags()...)
	flags = append(flags, networkFlags()...)
	return &cli.Command{
		Name:      "login",
		Usage:     "add or replace one entry in a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --to FILE|secret/NAME",
		Description: `Adds or replaces the entry of SERVER in FILE, keeping every other entry and
member. With --to secret/NAME, the pull secret NAME in the cluster (kubeconfig,
--context, -n) is edited instead: read, changed the same way and written back
with its resourceVersion, again from a fresh read when another writer changed
it in between, so no entry is lost; every other entry, field, label and
annotation is kept. OpenShift's global pull secret:
  pullsecret login quay.io --to secret/pull-secret -n openshift-config -u USER --password-stdin
--dry-run=server sends the change without storing it.`,
		Flags:  flags,
		Action: func(c *cli.Context) error { return runOptions(c, &loginOptions{e: e}) },
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
	diff    bool
	network networkValues
	nopts   registry.NetworkOptions // set by Validate when check
	target  secretTarget
}

// Complete reads the flags and arguments.
func (o *loginOptions) Complete(c *cli.Context) error {
	o.args = c.Args().Slice()
	o.server, o.file = c.Args().First(), c.String("to")
	o.creds.complete(c)
	o.check = c.Bool("check")
	o.diff = c.Bool("diff")
	o.network.complete(c)
	o.target.complete(c, o.file)
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
	if err := o.target.validate("login", "--to"); err != nil {
		return err
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

// Run reads the password, checks the credentials with --check, sets the
// entry in the file (secrets.EditCredentialFile, dockercfg.Config.SetLogin)
// and says whether it added or replaced one; --diff prints the change.
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
	var email *string
	if o.creds.emailSet {
		email = &o.creds.email
	}
	var old, now dockercfg.Entry
	replaced := false
	edit := func(cfg *dockercfg.Config) error {
		replaced = false // called again after a conflict, on a fresh read
		if prev := cfg.SetLogin(o.server, user, pass, email); prev != nil {
			old, replaced = *prev, true
		}
		now = *cfg.Entry(o.server)
		return nil
	}
	label := o.file
	var res *cluster.Result
	if o.target.live() {
		if res, err = o.target.edit(ctx, o.e, edit); err != nil {
			return fmt.Errorf("login: %w", err)
		}
		label = o.target.label(res)
	} else if err = secrets.EditCredentialFile(ctx, o.file, true, edit); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if o.diff {
		var removed []dockercfg.Entry
		if replaced {
			removed = []dockercfg.Entry{old}
		}
		writeEntryDiff(o.e.stdout, label, removed, &now)
	}
	switch {
	case !replaced:
		fmt.Fprintf(o.e.stderr, "Added credentials for %s to %s\n", o.server, label)
	case old.Username == "":
		fmt.Fprintf(o.e.stderr, "Replaced credentials for %s in %s (was an entry without a user name)\n", o.server, label)
	default:
		fmt.Fprintf(o.e.stderr, "Replaced credentials for %s in %s (was user %q)\n", o.server, label, old.Username)
	}
	if res != nil {
		printResult(o.e, *res, "")
	}
	return nil
}

// diffFlag is --diff of login and logout.
func diffFlag() cli.Flag {
	return &cli.BoolFlag{Name: "diff", Usage: "print the change to the file on stdout, as unified-diff-like lines with secrets redacted"}
}

// writeEntryDiff prints the change of one edit of file as unified-diff-like
// lines: the removed entries ("-"), then the added one ("+"), each with its
// key, user name and email, and its secrets redacted (dockercfg.Redact).
func writeEntryDiff(w io.Writer, file string, removed []dockercfg.Entry, added *dockercfg.Entry) {
	fmt.Fprintf(w, "--- %s\n+++ %s\n", file, file)
	for i := range removed {
		fmt.Fprintln(w, entryDiffLine('-', &removed[i]))
	}
	if added != nil {
		fmt.Fprintln(w, entryDiffLine('+', added))
	}
}

// entryDiffLine describes one entry on one line, never with a secret.
func entryDiffLine(sign byte, e *dockercfg.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%c%q: {", sign, e.Key)
	sep := ""
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s%q: %q", sep, k, v)
			sep = ", "
		}
	}
	redact := func(v string) string {
		if v == "" {
			return ""
		}
		return dockercfg.Redact(v)
	}
	add("username", e.Username)
	add("password", redact(e.RawPassword))
	add("email", e.Email)
	add("auth", redact(e.Auth))
	add("identitytoken", redact(e.IdentityToken))
	add("registrytoken", redact(e.RegistryToken))
	b.WriteByte('}')
	return b.String()
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
