package main

import (
	"context"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// options is the shape of every command, as in kubectl's
// create_secret_docker.go: Complete reads the flags, arguments and
// environment into the options struct (no I/O, no checks), Validate checks
// them (usage errors exit 2), and Run makes the library call and renders its
// result. A command's Action is runOptions with a new options struct.
type options interface {
	Complete(c *cli.Context) error
	Validate() error
	Run(ctx context.Context) error
}

// runOptions completes, validates and runs o.
func runOptions(c *cli.Context, o options) error {
	if err := o.Complete(c); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return o.Run(c.Context)
}

// outputValues are the -o values a command accepts, as its help lists them
// (docs/README.md, "Conventions for every command"); nil for a command
// without -o. Completion offers them; checkOutput names them.
func outputValues(command string) []string {
	switch command {
	case "create":
		return []string{"yaml", "json", "name", "dockerconfigjson", "dockercfg"}
	case "convert":
		return []string{"yaml", "json", "dockerconfigjson", "dockercfg"}
	case "merge":
		return []string{"yaml", "json", "dockerconfigjson", "dockercfg"}
	case "delegated":
		return []string{"yaml", "json", "name", "dockerconfigjson"}
	case "link", "unlink", "grant-pull":
		return []string{"yaml", "json"}
	case "inspect", "match", "test-pull", "diagnose", "resolve", "version":
		return []string{"text", "json"}
	case "sync", "audit":
		return []string{"text", "json"}
	}
	return nil
}

// checkOutput returns nil when output is one of the command's -o values,
// else the usage error every command gives for a bad -o value:
// `CMD: --output "x": want text or json`.
func checkOutput(command, output string) error {
	values := outputValues(command)
	if slices.Contains(values, output) {
		return nil
	}
	return usagef("%s: --output %q: want %s", command, output, orList(values))
}

// orList joins values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
