package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/registry"
)

// stringList is a repeatable string flag value that, unlike
// cli.StringSliceFlag, never splits a value at commas (a --resolve value
// may list several addresses: HOST:PORT:ADDR1,ADDR2).
type stringList struct{ values []string }

// Set appends one occurrence of the flag.
func (l *stringList) Set(v string) error {
	l.values = append(l.values, v)
	return nil
}

// String returns the values joined by spaces (for help output).
func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.values, " ")
}

// networkFlags returns the network flags (docs/registry.md) of every
// command that talks to registries. Read them with networkValues.
func networkFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "ca-file", Usage: "PEM file of extra CA certificates to trust (added to the system roots)"},
		&cli.BoolFlag{Name: "skip-tls-verify", Usage: "do not verify registry certificates (insecure)"},
		&cli.BoolFlag{Name: "plain-http", Usage: "allow http:// registries and token realms (HTTPS is tried first)"},
		&cli.DurationFlag{Name: "timeout", Value: registry.DefaultTimeout, Usage: "time limit per request"},
		&cli.GenericFlag{Name: "resolve", Value: &stringList{}, Usage: "connect to ADDR for HOST:PORT, keeping the name for TLS and Host, as curl --resolve HOST:PORT:ADDR[,ADDR...] (repeatable)"},
	}
}

// networkValues are the values of networkFlags, read by complete and
// checked by options.
type networkValues struct{ o registry.NetworkOptions }

// complete reads the network flags.
func (n *networkValues) complete(c *cli.Context) {
	n.o = registry.NetworkOptions{
		CAFile:        c.String("ca-file"),
		SkipTLSVerify: c.Bool("skip-tls-verify"),
		PlainHTTP:     c.Bool("plain-http"),
		Timeout:       c.Duration("timeout"),
	}
	if l, ok := c.Generic("resolve").(*stringList); ok && l != nil {
		n.o.Resolve = append([]string(nil), l.values...)
	}
}

// options checks the network flags and returns them as registry options.
// Invalid values are usage errors naming the flag.
func (n *networkValues) options() (registry.NetworkOptions, error) {
	o := n.o
	if o.Timeout <= 0 {
		return o, usagef("--timeout %v: must be positive", o.Timeout)
	}
	if o.SkipTLSVerify && o.CAFile != "" {
		return o, usagef("--skip-tls-verify and --ca-file conflict: certificates are either not verified or verified with the CA")
	}
	if err := o.Validate(); err != nil {
		return o, usagef("--resolve: %w", err)
	}
	return o, nil
}
