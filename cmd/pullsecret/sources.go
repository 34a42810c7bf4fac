package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// authfileFlag is the repeatable --authfile flag shared by every command that
// reads credentials (SPEC §0.1).
func authfileFlag() cli.Flag {
	return &cli.StringSliceFlag{
		Name:  "authfile",
		Usage: "credential source: config.json, auth.json, .dockercfg or Secret manifests (repeatable, - for stdin); default: the docker/podman search order",
	}
}

// loadSources reads the --authfile sources, or the default search when none
// is given. Every source keeps its file (and Secret) name for reports.
func loadSources(c *cli.Context, e *env) ([]dockercfg.Source, error) {
	paths := c.StringSlice("authfile")
	if len(paths) == 0 {
		paths = dockercfg.EnvFromGetenv(e.getenv).DefaultPaths()
		if len(paths) == 0 {
			return nil, withCode(exitNoCredentials, fmt.Errorf("no credential files found (looked for %v); pass --authfile", dockercfg.EnvFromGetenv(e.getenv).CandidatePaths()))
		}
	}
	var out []dockercfg.Source
	stdinUsed := false
	for _, p := range paths {
		var data []byte
		var err error
		if p == "-" {
			if stdinUsed {
				return nil, usagef("--authfile -: standard input given more than once")
			}
			stdinUsed = true
			data, err = io.ReadAll(io.LimitReader(e.stdin, dockercfg.MaxFileSize+1))
		} else {
			data, err = dockercfg.ReadFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("read credentials: %w", err)
		}
		srcs, err := secrets.ReadSource(p, data)
		if err != nil {
			return nil, err
		}
		for _, s := range srcs {
			out = append(out, dockercfg.Source{Name: s.Name, Secret: s.Secret, Config: s.Config})
		}
	}
	return out, nil
}
