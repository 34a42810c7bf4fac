package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

// authfileFlag is the repeatable --authfile flag shared by every command that
// reads credentials (docs/credentials.md).
func authfileFlag() cli.Flag {
	return &cli.GenericFlag{
		Name:  "authfile",
		Value: &stringList{},
		Usage: "credential source `FILE`: config.json, auth.json, .dockercfg or Secret manifests (repeatable, - for stdin), or secret/NAME, secrets/A,B: live Secrets in -n; default: the docker/podman search order",
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
// registries: the --authfile paths or the default files, with the
// credential helpers of local files resolved (dockercfg.ResolveSources;
// entries that cannot be resolved are dropped with a warning naming the
// entry and the helper). With no file at all it warns and returns none, so
// the pulls are anonymous. An --authfile secret/NAME is read from the
// cluster through k (loadSourcesFrom).
func loadCredentials(ctx context.Context, e *env, k *kubeConn, paths []string) ([]match.Credential, error) {
	if len(paths) == 0 && len(dockercfg.EnvFromGetenv(e.getenv).DefaultPaths()) == 0 {
		e.warnf("no credential files found; pulling anonymously (pass --authfile)")
		return nil, nil
	}
	srcs, err := loadSourcesFrom(ctx, e, k, paths, nil)
	if err != nil {
		return nil, err
	}
	path := e.getenv("PATH")
	ctx, cancel := dockercfg.WithHelperDeadline(ctx, dockercfg.DefaultHelperDeadline)
	defer cancel()
	srcs, errs := dockercfg.ResolveSources(ctx, srcs, func(n string) dockercfg.Helper {
		return dockercfg.NewHelper(n, &dockercfg.HelperOptions{Path: path})
	})
	for _, err := range errs {
		e.warnf("%v", err)
	}
	return match.CredentialsFromSources(srcs), nil
}

// loadSources reads the --authfile paths, or the default search when none
// is given. Every source keeps its file (and Secret) name for reports.
func loadSources(e *env, paths []string) ([]dockercfg.Source, error) {
	return loadSourcesWith(e, paths, nil)
}

// loadSourcesWith is loadSources reading manifests with opts
// (secrets.ReadSourceWith); nil reads as loadSources does.
func loadSourcesWith(e *env, paths []string, opts *secrets.ReadOptions) ([]dockercfg.Source, error) {
	return readSources(e, paths, opts, nil)
}

// readSources reads the --authfile values in order (the default search when
// there are none). cluster, when not nil, reads the values that are
// cluster references (secret/NAME, secrets/A,B) and reports ok; every
// other value is a file, or standard input for "-" (once).
func readSources(e *env, paths []string, opts *secrets.ReadOptions, cluster func(p string) (srcs []dockercfg.Source, ok bool, err error)) ([]dockercfg.Source, error) {
	if len(paths) == 0 {
		paths = dockercfg.EnvFromGetenv(e.getenv).DefaultPaths()
		if len(paths) == 0 {
			return nil, withCode(exitNoCredentials, fmt.Errorf("no credential files found (looked for %v); pass --authfile", dockercfg.EnvFromGetenv(e.getenv).CandidatePaths()))
		}
	}
	var out []dockercfg.Source
	stdinUsed := false
	for _, p := range paths {
		if cluster != nil {
			srcs, ok, err := cluster(p)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, srcs...)
				continue
			}
		}
		if p == "-" {
			if stdinUsed {
				return nil, usagef("--authfile -: standard input given more than once")
			}
			stdinUsed = true
		}
		srcs, err := readSourceFileWith(e, p, opts)
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
	return readSourceFileWith(e, p, nil)
}

// readSourceFileWith is readSourceFile with opts for the manifests
// (secrets.ReadSourceWith); nil reads as readSourceFile does.
func readSourceFileWith(e *env, p string, opts *secrets.ReadOptions) ([]dockercfg.Source, error) {
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
	return secrets.ReadSourceWith(p, data, opts)
}
