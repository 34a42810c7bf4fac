package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/match"
)

func newMatchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "match",
		Usage:     "show which credentials the kubelet (or docker, podman) tries for an image, in order, and why",
		ArgsUsage: "IMAGE",
		Flags: []cli.Flag{
			authfileFlag(),
			&cli.StringFlag{Name: "semantics", Value: "kubelet", Usage: "consumer to simulate: kubelet, docker or podman"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("match: exactly one IMAGE is required, got %d", c.NArg())
			}
			out := c.String("output")
			if out != "text" && out != "json" {
				return usagef("match: --output %q: want text or json", out)
			}
			sem, err := match.ParseSemantics(c.String("semantics"))
			if err != nil {
				return usageError{fmt.Errorf("match: --semantics: %w", err)}
			}
			srcs, err := loadSources(e, authfiles(c))
			if err != nil {
				return err
			}
			res, err := match.MatchImage(c.Args().First(), match.CredentialsFromSources(srcs), sem)
			if err != nil {
				return fmt.Errorf("match: %w", err)
			}
			if out == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			renderMatch(e, res)
			return nil
		},
	}
}

func renderMatch(e *env, r *match.MatchResult) {
	w := e.stdout
	fmt.Fprintf(w, "image:       %s\n", r.Image)
	ref := fmt.Sprintf("registry %s, repository %s", r.Registry, r.Repository)
	if r.Tag != "" {
		ref += ", tag " + r.Tag
	}
	if r.Digest != "" {
		ref += ", digest " + r.Digest
	}
	fmt.Fprintf(w, "reference:   %s (%s)\n", r.Kind, ref)
	fmt.Fprintf(w, "pullPolicy:  %s (the default Kubernetes derives when imagePullPolicy is unset)\n", r.PullPolicy)
	if len(r.Credentials) == 0 {
		fmt.Fprintf(w, "%s: no credential matches; the pull is anonymous\n", r.Semantics)
	} else {
		fmt.Fprintf(w, "%s tries, in order:\n", r.Semantics)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, m := range r.Credentials {
			fmt.Fprintf(tw, "  %d.\t%s\t%s\t%s\t%s\n", i+1, m.Key, dash(m.Username), m.Reason, m.Source)
		}
		tw.Flush()
		for _, m := range r.Credentials {
			if m.Note != "" {
				fmt.Fprintf(w, "  note: %s: %s\n", m.Key, m.Note)
			}
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, a := range r.Alternatives {
		if len(a.Credentials) == 0 {
			fmt.Fprintf(w, "%s would pull anonymously\n", a.Semantics)
			continue
		}
		m := a.Credentials[0]
		fmt.Fprintf(w, "%s would use %s (%s, %s)\n", a.Semantics, m.Key, dash(m.Username), m.Reason)
	}
}
