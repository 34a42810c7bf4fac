package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

// authfileFlag is the repeatable --authfile flag shared by every command that
// reads credentials (SPEC §0.1).
func authfileFlag() cli.Flag {
	return &cli.GenericFlag{
		Name:  "authfile",
		Value: &stringList{},
		Usage: "credential source `FILE`: config.json, auth.json, .dockercfg or Secret manifests (repeatable, - for stdin); default: the docker/podman search order",
	}
}

// authfiles returns the --authfile values as given (never split at commas).
func authfiles(c *cli.Context) []string {
	if l, ok := c.Generic("authfile").(*stringList); ok && l != nil {
		return l.values
	}
	return nil
}

// loadCredentials is the credential input of commands that talk to
// registries: --authfile or the default files, with the credential helpers
// of local files resolved. With no file at all it warns and returns none,
// so the pulls are anonymous.
func loadCredentials(c *cli.Context, e *env) ([]match.Credential, error) {
	if len(authfiles(c)) == 0 && len(dockercfg.EnvFromGetenv(e.getenv).DefaultPaths()) == 0 {
		e.warnf("no credential files found; pulling anonymously (pass --authfile)")
		return nil, nil
	}
	srcs, err := loadSources(c, e)
	if err != nil {
		return nil, err
	}
	return match.CredentialsFromSources(resolveHelpers(c, e, srcs)), nil
}

// loadSources reads the --authfile sources, or the default search when none
// is given. Every source keeps its file (and Secret) name for reports.
func loadSources(c *cli.Context, e *env) ([]dockercfg.Source, error) {
	paths := authfiles(c)
	if len(paths) == 0 {
		paths = dockercfg.EnvFromGetenv(e.getenv).DefaultPaths()
		if len(paths) == 0 {
			return nil, withCode(exitNoCredentials, fmt.Errorf("no credential files found (looked for %v); pass --authfile", dockercfg.EnvFromGetenv(e.getenv).CandidatePaths()))
		}
	}
	var out []dockercfg.Source
	stdinUsed := false
	for _, p := range paths {
		if p == "-" {
			if stdinUsed {
				return nil, usagef("--authfile -: standard input given more than once")
			}
			stdinUsed = true
		}
		srcs, err := readSourceFile(e, p)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	return out, nil
}

// readSourceFile reads the credential sources of one file (or standard
// input for "-"), as --authfile reads them.
func readSourceFile(e *env, p string) ([]dockercfg.Source, error) {
	var data []byte
	var err error
	if p == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, dockercfg.MaxFileSize+1))
	} else {
		data, err = dockercfg.ReadFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	return secrets.ReadSource(p, data)
}

// resolveHelpers returns the sources with the entries of local files that use
// credsStore/credHelpers resolved to inline credentials, as docker, podman and
// crane resolve them when they read those files. Secrets are left alone: the
// kubelet never runs helpers. Entries that cannot be resolved are dropped with
// a warning naming the entry and the helper.
func resolveHelpers(c *cli.Context, e *env, srcs []dockercfg.Source) []dockercfg.Source {
	path := e.getenv("PATH")
	newHelper := func(n string) dockercfg.Helper {
		return dockercfg.NewHelper(n, &dockercfg.HelperOptions{Path: path})
	}
	out := make([]dockercfg.Source, 0, len(srcs))
	for _, s := range srcs {
		cfg := s.Config
		if s.Secret != "" || cfg == nil || (cfg.CredsStore == "" && len(cfg.CredHelpers) == 0) {
			out = append(out, s)
			continue
		}
		resolved, errs := cfg.Resolve(c.Context, newHelper)
		for _, err := range errs {
			e.warnf("%s: %v", s.Label(), err)
		}
		rc := &dockercfg.Config{Format: cfg.Format}
		for _, r := range resolved {
			rc.Entries = append(rc.Entries, r.Entry)
		}
		s.Config = rc
		out = append(out, s)
	}
	return out
}
