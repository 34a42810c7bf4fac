package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/secrets"
)

// credentialFlags are the user name, password and email flags of create,
// delegated and login (docs/credentials.md). The password comes from exactly
// one of --password-stdin, --password-file, --password-env or
// --docker-password.
func credentialFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "docker-username", Aliases: []string{"u", "username"}, Usage: "user name"},
		&cli.StringFlag{Name: "docker-password", Aliases: []string{"p", "password"}, Usage: "password (visible to other processes; prefer --password-stdin or --password-file)"},
		&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from standard input (one trailing newline removed)"},
		&cli.StringFlag{Name: "password-file", Usage: "read the password from `FILE` (one trailing newline removed)"},
		&cli.StringFlag{Name: "password-env", Usage: "read the password from the environment variable `VAR`"},
		&cli.StringFlag{Name: "docker-email", Aliases: []string{"email"}, Usage: "email (optional)"},
	}
}

// credentialOptions are the values of credentialFlags.
type credentialOptions struct {
	username    string
	usernameSet bool
	// passwordFlags are the password flags given, as "--flag", in the
	// order of credentialFlags.
	passwordFlags []string
	password      string // --docker-password
	passwordFile  string
	passwordEnv   string
	email         string
	emailSet      bool
}

// complete reads credentialFlags.
func (o *credentialOptions) complete(c *cli.Context) {
	o.username, o.usernameSet = c.String("docker-username"), c.IsSet("docker-username")
	o.passwordFlags = nil
	for _, f := range []string{"docker-password", "password-stdin", "password-file", "password-env"} {
		if c.IsSet(f) {
			o.passwordFlags = append(o.passwordFlags, "--"+f)
		}
	}
	o.password = c.String("docker-password")
	o.passwordFile = c.String("password-file")
	o.passwordEnv = c.String("password-env")
	o.email, o.emailSet = c.String("docker-email"), c.IsSet("docker-email")
}

// validate checks that a user name and exactly one password source are
// given. cmd prefixes errors; missing is the usage message when the user
// name or every password flag is absent.
func (o *credentialOptions) validate(cmd, missing string) error {
	switch {
	case len(o.passwordFlags) > 1:
		return usagef("%s: %s all give the password; use exactly one", cmd, strings.Join(o.passwordFlags, " and "))
	case !o.usernameSet || len(o.passwordFlags) == 0:
		return usagef("%s: %s", cmd, missing)
	case o.username == "":
		return fmt.Errorf("%s: --docker-username: %w", cmd, secrets.ErrEmptyUsername)
	case strings.Contains(o.username, ":"):
		return fmt.Errorf("%s: --docker-username: %w", cmd, secrets.ErrColonInUsername)
	}
	return nil
}

// readPassword returns the password from its one source (validate first).
// cmd prefixes errors. A password on the command line works but warns
// through warnf.
func (o *credentialOptions) readPassword(e *env, cmd string, warnf func(string, ...any)) (password string, err error) {
	source := o.passwordFlags[0]
	switch source {
	case "--docker-password":
		password = o.password
		warnf("--docker-password exposes the password in the process list and shell history; use --password-stdin, --password-file or --password-env")
	case "--password-stdin":
		if password, err = createReadPassword(e.stdin); err != nil {
			return "", fmt.Errorf("%s: --password-stdin: %w", cmd, err)
		}
	case "--password-file":
		file := o.passwordFile
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("%s: --password-file %s: %w", cmd, file, createPathError(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return "", fmt.Errorf("%s: --password-file %s: is a directory", cmd, file)
		}
		if password, err = createReadPassword(f); err != nil {
			return "", fmt.Errorf("%s: --password-file %s: %w", cmd, file, err)
		}
	case "--password-env":
		if password = e.getenv(o.passwordEnv); password == "" {
			return "", fmt.Errorf("%s: --password-env %s: the variable is not set or empty", cmd, o.passwordEnv)
		}
	}
	if password == "" {
		return "", fmt.Errorf("%s: %s: the password is empty", cmd, source)
	}
	return password, nil
}
