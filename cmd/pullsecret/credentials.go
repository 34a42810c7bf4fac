package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/secrets"
)

// credentialFlags are the user name, password and email flags of create and
// delegated (SPEC §2.1). The password comes from exactly one of
// --password-stdin, --password-file, --password-env or --docker-password.
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

// readCredentials returns the user name and password of credentialFlags.
// cmd prefixes errors; missing is the usage message when the user name or
// every password flag is absent. A password on the command line works but
// warns through warnf.
func readCredentials(c *cli.Context, e *env, cmd, missing string, warnf func(string, ...any)) (username, password string, err error) {
	var sources []string
	for _, f := range []string{"docker-password", "password-stdin", "password-file", "password-env"} {
		if c.IsSet(f) {
			sources = append(sources, "--"+f)
		}
	}
	switch {
	case len(sources) > 1:
		return "", "", usagef("%s: %s all give the password; use exactly one", cmd, strings.Join(sources, " and "))
	case !c.IsSet("docker-username") || len(sources) == 0:
		return "", "", usagef("%s: %s", cmd, missing)
	}
	username = c.String("docker-username")
	switch {
	case username == "":
		return "", "", fmt.Errorf("%s: --docker-username: %w", cmd, secrets.ErrEmptyUsername)
	case strings.Contains(username, ":"):
		return "", "", fmt.Errorf("%s: --docker-username: %w", cmd, secrets.ErrColonInUsername)
	}
	switch sources[0] {
	case "--docker-password":
		password = c.String("docker-password")
		warnf("--docker-password exposes the password in the process list and shell history; use --password-stdin, --password-file or --password-env")
	case "--password-stdin":
		if password, err = createReadPassword(e.stdin); err != nil {
			return "", "", fmt.Errorf("%s: --password-stdin: %w", cmd, err)
		}
	case "--password-file":
		file := c.String("password-file")
		f, err := os.Open(file)
		if err != nil {
			return "", "", fmt.Errorf("%s: --password-file %s: %w", cmd, file, createPathError(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return "", "", fmt.Errorf("%s: --password-file %s: is a directory", cmd, file)
		}
		if password, err = createReadPassword(f); err != nil {
			return "", "", fmt.Errorf("%s: --password-file %s: %w", cmd, file, err)
		}
	case "--password-env":
		v := c.String("password-env")
		if password = e.getenv(v); password == "" {
			return "", "", fmt.Errorf("%s: --password-env %s: the variable is not set or empty", cmd, v)
		}
	}
	if password == "" {
		return "", "", fmt.Errorf("%s: %s: the password is empty", cmd, sources[0])
	}
	return username, password, nil
}
