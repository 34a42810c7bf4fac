package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

// newLoginCommand is "pullsecret login SERVER --to FILE" (SPEC §2.4).
func newLoginCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "to", Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest (created as config.json if missing)"},
		&cli.BoolFlag{Name: "check", Usage: "verify the credentials against the registry (ping and token request) before saving"},
	}
	flags = append(flags, credentialFlags()...)
	flags = append(flags, networkFlags()...)
	return &cli.Command{
		Name:      "login",
		Usage:     "add or replace one entry in a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --to FILE",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("login: exactly one SERVER is required, got %d", c.NArg())
			}
			server, file := c.Args().First(), c.String("to")
			if server == "" {
				return usagef("login: SERVER is empty")
			}
			if file == "" {
				return usagef("login: --to FILE is required")
			}
			user, pass, err := readCredentials(c, e, "login", "--docker-username and a password (--password-stdin, --password-file, --password-env or --docker-password) are required", e.warnf)
			if err != nil {
				return err
			}
			for _, w := range dockercfg.KeyWarnings(server) {
				e.warnf("%s: %s", server, w)
			}
			if c.Bool("check") {
				opts, err := networkOptions(c)
				if err != nil {
					return err
				}
				if err := loginCheck(c.Context, e, server, user, pass, opts); err != nil {
					return fmt.Errorf("login: --check %s: %w", server, err)
				}
			}
			email, emailSet := c.String("docker-email"), c.IsSet("docker-email")
			err = editCredentialFile(file, true, func(cfg *dockercfg.Config) error {
				ne := &dockercfg.Entry{Key: server, Username: user, Password: pass, Auth: dockercfg.EncodeAuth(user, pass), Email: email}
				if old := cfg.Entry(server); old != nil {
					if !emailSet {
						ne.Email = old.Email
					}
					ne.Extra = old.Extra
				}
				cfg.Set(ne)
				return nil
			})
			if err != nil {
				return fmt.Errorf("login: %w", err)
			}
			fmt.Fprintf(e.stderr, "Saved credentials for %s into %s\n", server, file)
			return nil
		},
	}
}

// newLogoutCommand is "pullsecret logout SERVER --from FILE" (SPEC §2.4).
func newLogoutCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "remove the entries of one registry from a credential file or Secret manifest, keeping everything else",
		ArgsUsage: "SERVER --from FILE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "`FILE` to edit: config.json, auth.json, .dockercfg or a Secret manifest"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("logout: exactly one SERVER is required, got %d", c.NArg())
			}
			server, file := c.Args().First(), c.String("from")
			if server == "" {
				return usagef("logout: SERVER is empty")
			}
			if file == "" {
				return usagef("logout: --from FILE is required")
			}
			removed := 0
			err := editCredentialFile(file, false, func(cfg *dockercfg.Config) error {
				removed = removeServer(cfg, server)
				if removed == 0 {
					return fmt.Errorf("no entry for %s in %s", server, file)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("logout: %w", err)
			}
			fmt.Fprintf(e.stderr, "Removed %d entr%s for %s from %s\n", removed, map[bool]string{true: "y", false: "ies"}[removed == 1], server, file)
			return nil
		},
	}
}

// removeServer deletes the entries keyed server exactly or whose key
// normalises (ParseKey) to the same key as server, and counts them.
func removeServer(cfg *dockercfg.Config, server string) int {
	want := ""
	if k, err := dockercfg.ParseKey(server); err == nil {
		want = k.String()
	}
	kept := cfg.Entries[:0]
	n := 0
	for _, en := range cfg.Entries {
		match := en.Key == server
		if !match && want != "" {
			k, err := dockercfg.ParseKey(en.Key)
			match = err == nil && k.String() == want
		}
		if match {
			n++
			continue
		}
		kept = append(kept, en)
	}
	cfg.Entries = kept
	return n
}

// editCredentialFile applies edit to the credentials in file, a docker
// config of either format or a Secret manifest, and writes the result back
// atomically in the same layout, keeping every other entry and member. A
// missing file (or an empty one) is a new config.json when create is set.
// Nothing is written when edit (or validation) fails.
func editCredentialFile(file string, create bool, edit func(*dockercfg.Config) error) error {
	var data []byte
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
	case err != nil:
		return fmt.Errorf("read %s: %w", file, createPathError(err))
	case st.IsDir():
		return fmt.Errorf("read %s: is a directory", file)
	default:
		if data, err = dockercfg.ReadFile(file); err != nil {
			return err
		}
	}
	var out []byte
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		// A missing or empty file is an empty config.json, as for docker.
		cfg := &dockercfg.Config{Format: dockercfg.FormatConfigJSON}
		if err := edit(cfg); err != nil {
			return err
		}
		if out, err = cfg.Marshal(); err != nil {
			return fmt.Errorf("encode %s: %w", file, err)
		}
	case secrets.IsManifest(data):
		if out, err = secrets.EditManifest(file, data, edit); err != nil {
			return err
		}
	default:
		cfg, err := dockercfg.ParseNamed(data, file)
		if err != nil {
			return err
		}
		if err := edit(cfg); err != nil {
			return err
		}
		if out, err = cfg.Marshal(); err != nil {
			return fmt.Errorf("encode %s: %w", file, err)
		}
	}
	return dockercfg.WriteFileAtomic(file, out)
}

// loginCheck verifies user:pass against the registry of server without
// pulling anything: it pings GET /v2/; for a Bearer challenge it requests a
// token for pull access to a repository (SERVER's path, or a placeholder)
// with the credentials, for a Basic challenge it repeats GET /v2/ with
// them. A 401 or 403 from the token server or registry is
// match.ErrUnauthorized; a token (even one granting nothing) means the
// credentials were accepted. A registry that needs no authentication
// cannot check them: that is a warning, not an error.
func loginCheck(ctx context.Context, e *env, server, user, pass string, opts registry.NetworkOptions) error {
	res, err := registry.CheckLogin(ctx, server, match.Credential{Username: user, Password: pass}, opts)
	if err != nil {
		return err
	}
	if !res.Checked {
		e.warnf("--check: %s needs no authentication; the credentials were not checked", res.Host)
	}
	return nil
}
