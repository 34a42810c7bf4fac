package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

// Exit codes, documented in the README.
const (
	exitOK            = 0
	exitError         = 1
	exitUsage         = 2
	exitNoCredentials = 3
	exitRejected      = 4
	exitNetwork       = 5
)

// env is what commands may know of the process: streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// warnf prints a warning line on stderr.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "pullsecret: warning: %s\n", printable(fmt.Sprintf(format, args...)))
}

// usageError marks an error as a usage error (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// codeError carries an explicit exit code.
type codeError struct {
	code int
	err  error
}

func (c codeError) Error() string { return c.err.Error() }
func (c codeError) Unwrap() error { return c.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return codeError{code, err}
}

// exitCode maps an error to the process exit code, in one place.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ce codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	switch {
	case errors.Is(err, dockercfg.ErrCredentialsNotFound),
		errors.Is(err, dockercfg.ErrHelperMissing),
		errors.Is(err, dockercfg.ErrHelperFailed),
		errors.Is(err, dockercfg.ErrNoCredentials),
		errors.Is(err, dockercfg.ErrEmptyResult):
		return exitNoCredentials
	case errors.Is(err, match.ErrNoCredentials):
		return exitNoCredentials
	case errors.Is(err, match.ErrUnauthorized), errors.Is(err, match.ErrForbidden):
		return exitRejected
	case errors.Is(err, match.ErrNetwork), errors.Is(err, match.ErrTLS), errors.Is(err, match.ErrTimeout):
		return exitNetwork
	}
	return exitError
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:            "pullsecret",
		Usage:           "container registry credentials and Kubernetes image pull secrets",
		Writer:          e.stdout,
		ErrWriter:       e.stderr,
		HideHelpCommand: true,
		// urfave/cli's own help flag is a package-level variable it writes
		// to on every run; each app gets its own instead, so that parallel
		// in-process runs do not race.
		HideHelp: true,
		Flags:    []cli.Flag{helpFlag()},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q (see pullsecret --help)", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		EnableBashCompletion: false,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
	}
	// One constructor per command file.
	for _, cmd := range []*cli.Command{
		newCreateCommand(e),
		newConvertCommand(e),
		newInspectCommand(e),
		newLoginCommand(e),
		newLogoutCommand(e),
		newMergeCommand(e),
		newDelegatedCommand(e),
		newLinkCommand(e),
		newUnlinkCommand(e),
		newGrantPullCommand(e),
		newMatchCommand(e),
		newTestPullCommand(e),
		newDiagnoseCommand(e),
		newResolveCommand(e),
	} {
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
		cmd.HideHelp = true
		cmd.Flags = append(cmd.Flags, helpFlag())
		action, name := cmd.Action, cmd.Name
		cmd.Action = func(c *cli.Context) error {
			if c.Bool("help") {
				return cli.ShowCommandHelp(c, name)
			}
			return action(c)
		}
		app.Commands = append(app.Commands, cmd)
	}
	return app
}

// run executes the CLI with args (args[0] is the program name) and returns the
// exit code. It is the whole program minus os.Exit, for in-process tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	app := newApp(e)
	var err error
	if name := commandName(args); name != "" && app.Command(name) == nil {
		err = usagef("unknown command %q (see pullsecret --help)", name)
	} else {
		err = app.RunContext(ctx, interspersed(app, args))
	}
	if err != nil {
		for _, line := range errorLines(err) {
			fmt.Fprintf(stderr, "pullsecret: %s\n", line)
		}
	}
	return exitCode(err)
}

// interspersed moves a command's flags in front of its positional arguments,
// so that "create NAME --docker-server=x" works as it does with kubectl.
// "--" ends flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	ci := -1
	for i := 1; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			ci = i
			break
		}
	}
	if ci < 0 {
		return args
	}
	cmd := app.Command(args[ci])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, pos []string
	rest := args[ci+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue[name] && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append([]string{}, args[:ci+1]...)
	out = append(out, flags...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}

// commandName returns the first argument that is not a flag, "" if none.
func commandName(args []string) string {
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func helpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help", DisableDefaultText: true}
}
