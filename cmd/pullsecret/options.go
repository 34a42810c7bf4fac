package main

import (
	"context"

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
