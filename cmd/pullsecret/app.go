package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

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
	// terminal reports whether a stream is a terminal (progress is drawn
	// only on one); nil means isTerminal. Tests force it.
	terminal func(io.Writer) bool
	// now is the clock of progress lines; nil means time.Now.
	now    func() time.Time
	plugin bool // run as kubectl-pullsecret: help says "kubectl pullsecret"
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

// codeError carries an explicit exit code. A reported error has already
// been written to stderr, one line per failure (resolve's failed images):
// run prints nothing more for it.
type codeError struct {
	code     int
	err      error
	reported bool
}

func (c codeError) Error() string { return c.err.Error() }
func (c codeError) Unwrap() error { return c.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return codeError{code: code, err: err}
}

// reportedWithCode is withCode for a failure whose lines are already on
// stderr.
func reportedWithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return codeError{code: code, err: err, reported: true}
}

// alreadyReported reports whether err's lines are already on stderr.
func alreadyReported(err error) bool {
	var ce codeError
	return errors.As(err, &ce) && ce.reported
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
		Name:            e.progName(),
		Usage:           "container registry credentials and Kubernetes image pull secrets",
		Writer:          e.stdout,
		ErrWriter:       e.stderr,
		HideHelpCommand: true,
		// urfave/cli's own help flag is a package-level variable it writes
		// to on every run; each app gets its own instead, so that parallel
		// in-process runs do not race.
		HideHelp: true,
		Flags: []cli.Flag{
			helpFlag(),
			&cli.BoolFlag{Name: "version", Usage: "print the version (as the version command)", DisableDefaultText: true},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				return printVersion(e, "text")
			}
			if c.NArg() > 0 {
				return unknownCommand(c.App, c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		EnableBashCompletion: false,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{flagErrorAsTyped(err)}
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
		newSyncCommand(e),
		newMatchCommand(e),
		newTestPullCommand(e),
		newDiagnoseCommand(e),
		newAuditCommand(e),
		newResolveCommand(e),
		newVersionCommand(e),
		newCompletionCommand(e),
		newHelpCommand(),
	} {
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{flagErrorAsTyped(err)} }
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

// newHelpCommand lists "help [COMMAND]" among the commands; run rewrites
// "help COMMAND" to "COMMAND --help" before the command line is parsed.
func newHelpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the commands, or the help of one command (as COMMAND --help)",
		ArgsUsage: "[COMMAND]",
		Action:    cli.ShowAppHelp,
	}
}

// run executes the CLI with args (args[0] is the program name) and returns the
// exit code. It is the whole program minus os.Exit, for in-process tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return runEnv(ctx, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}, args)
}

// runEnv is run with the environment e built by the caller (tests set its
// terminal check and clock).
func runEnv(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		e.plugin = isKubectlPlugin(args[0])
	}
	app := newApp(e)
	var err error
	if len(args) > 1 && args[len(args)-1] == completionFlag {
		err = complete(app, e.stdout, args[1:len(args)-1])
	} else if args, err = interspersed(app, args); err == nil {
		err = app.RunContext(ctx, args)
	}
	if err != nil && !alreadyReported(err) {
		for _, line := range errorLines(err) {
			fmt.Fprintf(e.stderr, "pullsecret: %s\n", line)
		}
	}
	return exitCode(err)
}

// isKubectlPlugin reports whether the program runs as the kubectl plugin
// kubectl-pullsecret (what kubectl runs for "kubectl pullsecret").
func isKubectlPlugin(argv0 string) bool {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	return base == "kubectl-pullsecret"
}

// progName is the name help and usage lines show: "kubectl pullsecret" when
// run as the kubectl plugin, else "pullsecret".
func (e *env) progName() string {
	if e.plugin {
		return "kubectl pullsecret"
	}
	return "pullsecret"
}

// bareFlagValue is the value of a flag given without one, for the flags
// that take an optional value as kubectl's do (pflag's NoOptDefVal):
// kubectl takes a bare --dry-run as --dry-run=client.
func bareFlagValue(name string) (string, bool) {
	if name == "dry-run" {
		return "client", true
	}
	return "", false
}

// interspersed checks the flags of the command line and moves a command's
// flags in front of its positional arguments, so that "create NAME
// --docker-server=x" works as it does with kubectl. "--" ends flags. It
// rewrites "help COMMAND" to "COMMAND --help" and a bare --dry-run to
// --dry-run=client. An unknown command, an unknown flag and a flag missing
// its value are usage errors naming the command or the flag as typed, with
// the nearest name when one is close.
func interspersed(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	ci := -1
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args, nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			ci = i
			break
		}
		if _, err := checkFlag(a, app.Flags); err != nil {
			return nil, err
		}
	}
	if ci < 0 {
		return args, nil
	}
	if args[ci] == "help" {
		if ci+1 >= len(args) {
			return []string{args[0], "--help"}, nil
		}
		return interspersed(app, []string{args[0], args[ci+1], "--help"})
	}
	cmd := app.Command(args[ci])
	if cmd == nil {
		return nil, unknownCommand(app, args[ci])
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
		f, err := checkFlag(a, cmd.Flags)
		if err != nil {
			return nil, err
		}
		typed, _, hasValue := strings.Cut(a, "=")
		if hasValue || !takesValue(f) {
			flags = append(flags, a)
			continue
		}
		if v, ok := bareFlagValue(f.Names()[0]); ok {
			flags = append(flags, a+"="+v)
			continue
		}
		if i+1 >= len(rest) || rest[i+1] == "--" {
			return nil, usagef("flag needs an argument: %s", typed)
		}
		flags = append(flags, a, rest[i+1])
		i++
	}
	out := append([]string{}, args[:ci+1]...)
	out = append(out, flags...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out, nil
}

// checkFlag returns the flag of flags that arg ("-n", "--namespace=x")
// names. An unknown flag is a usage error naming it as typed (never its
// value), with the nearest flag name when one is close. A bool flag's value
// must be a bool.
func checkFlag(arg string, flags []cli.Flag) (cli.Flag, error) {
	typed, value, hasValue := strings.Cut(arg, "=")
	name := strings.TrimPrefix(strings.TrimPrefix(typed, "-"), "-")
	if name == "" || strings.HasPrefix(name, "-") {
		return nil, usagef("bad flag syntax: %s", typed)
	}
	var names []string
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if _, isBool := f.(*cli.BoolFlag); isBool && hasValue {
					if _, err := strconv.ParseBool(value); err != nil {
						return nil, usagef("flag %s: want true or false", typed)
					}
				}
				return f, nil
			}
			if vf, ok := f.(cli.VisibleFlag); !ok || vf.IsVisible() {
				names = append(names, n)
			}
		}
	}
	if s := nearest(name, names); s != "" {
		return nil, usagef("unknown flag: %s; did you mean %s?", typed, dashed(s))
	}
	return nil, usagef("unknown flag: %s", typed)
}

// takesValue reports whether f needs a value (every flag but a bool).
func takesValue(f cli.Flag) bool {
	_, isBool := f.(*cli.BoolFlag)
	return !isBool
}

// dashed is a flag name as typed on the command line: -n, --namespace.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// unknownCommand is the usage error for a command name that is not one,
// suggesting the nearest command when one is close.
func unknownCommand(app *cli.App, name string) error {
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Names()...)
	}
	if s := nearest(name, names); s != "" {
		return usagef("unknown command %q; did you mean %q?", name, s)
	}
	return usagef("unknown command %q (see %s --help)", name, app.Name)
}

// goFlagName matches a flag name in the errors of Go's flag package, which
// prints every flag with one dash ("invalid value "x" for flag -timeout").
var goFlagName = regexp.MustCompile(`(^|\s)-([A-Za-z0-9][A-Za-z0-9-]+)\b`)

// flagErrorAsTyped rewrites the long flags in an error of Go's flag package
// (through urfave/cli) with two dashes, as the user typed them.
func flagErrorAsTyped(err error) error {
	msg := err.Error()
	fixed := goFlagName.ReplaceAllString(msg, "$1--$2")
	if fixed == msg {
		return err
	}
	return errors.New(fixed)
}

// nearest returns the candidate closest to s by edit distance (optimal
// string alignment: a transposition is one edit), "" when none is close: at
// most one edit for names up to five characters, two for longer ones, and
// never for names under three characters.
func nearest(s string, candidates []string) string {
	if len(s) < 3 {
		return ""
	}
	limit := 1
	if len(s) > 5 {
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if len(c) < 2 {
			continue
		}
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and adjacent transpositions).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func helpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help", DisableDefaultText: true}
}
