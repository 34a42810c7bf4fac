package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

func newDelegatedCommand(e *env) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "registry", Usage: "the registry, HOST[:PORT][/PATH] (required)"},
		&cli.StringFlag{Name: "auth-server", Usage: "HOST[:PORT] of the token server; default: the host of the Bearer realm the registry names (GET https://HOST/v2/)"},
	}
	flags = append(flags, credentialFlags()...)
	flags = append(flags,
		&cli.StringFlag{Name: "registry-secret", Usage: "name of the registry's secret (default: derived from the registry, e.g. registry-example-com-5000)"},
		&cli.StringFlag{Name: "auth-secret", Usage: "name of the auth server's secret (default: derived from its host, e.g. sso-example-com)"},
		&cli.StringFlag{Name: "single", Usage: "emit one secret NAME holding both entries instead of two secrets"},
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the secrets"},
		&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml, json, name, or dockerconfigjson (the raw config.json holding both entries)"},
	)
	flags = append(flags, networkFlags()...)
	return &cli.Command{
		Name:  "delegated",
		Usage: "pull secrets for a registry and the auth server it delegates authentication to",
		Description: "Writes the same credentials under the registry's key and under the host of its token " +
			"realm, as OpenShift requires for registries that delegate authentication (its image import looks " +
			"credentials up by the realm's host; the kubelet only needs the registry's). Without --auth-server " +
			"the registry is asked (GET https://HOST/v2/) for its Bearer realm. Two secrets by default " +
			"(auth server first), one with --single; only the registry's when the realm is on the registry's " +
			"own host. Default names: the key lower-cased, every run of other characters than a-z and 0-9 " +
			"replaced by '-', at most 63 characters.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			out := c.String("output")
			raw := out == "dockerconfigjson"
			if !raw && out != secrets.OutputYAML && out != secrets.OutputJSON && out != secrets.OutputName {
				return usagef("delegated: --output %q: want yaml, json, name or dockerconfigjson", out)
			}
			format, err := parseSecretType(c.String("type"))
			if err != nil {
				return err
			}
			if raw && c.IsSet("type") && format != dockercfg.FormatConfigJSON {
				return usagef("delegated: --type %s conflicts with --output dockerconfigjson", c.String("type"))
			}
			if c.NArg() > 0 {
				return usagef("delegated: unexpected argument %q (the registry goes in --registry)", c.Args().First())
			}
			if c.String("registry") == "" {
				return usagef("delegated: --registry is required")
			}
			if c.String("single") != "" && (c.String("registry-secret") != "" || c.String("auth-secret") != "") {
				return usagef("delegated: --single conflicts with --registry-secret and --auth-secret")
			}
			// Names are checked before any request is made.
			for _, f := range []string{"registry-secret", "auth-secret", "single"} {
				if v := c.String(f); v != "" {
					if msgs := validation.IsDNS1123Subdomain(v); len(msgs) > 0 {
						return fmt.Errorf("delegated: --%s %q: %s", f, v, strings.Join(msgs, "; "))
					}
				}
			}
			if ns := c.String("namespace"); ns != "" {
				if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
					return fmt.Errorf("delegated: --namespace %q: %s", ns, strings.Join(msgs, "; "))
				}
			}
			user, pass, err := readCredentials(c, e, "delegated", "--docker-username and a password (--password-stdin, --password-file, --password-env or --docker-password) are required", e.warnf)
			if err != nil {
				return err
			}
			nopts, err := networkOptions(c)
			if err != nil {
				return err
			}
			opts := secrets.DelegatedOptions{
				Registry:       c.String("registry"),
				AuthServer:     c.String("auth-server"),
				Username:       user,
				Password:       pass,
				Email:          c.String("docker-email"),
				Namespace:      c.String("namespace"),
				RegistrySecret: c.String("registry-secret"),
				AuthSecret:     c.String("auth-secret"),
				Single:         c.String("single"),
				Format:         format,
			}
			regKey, authKey, err := secrets.DelegatedKeys(opts.Registry, opts.AuthServer)
			if err != nil {
				return fmt.Errorf("delegated: %w", err)
			}
			if opts.AuthServer == "" {
				host, same, err := registry.DiscoverRealmHost(c.Context, opts.Registry, nopts)
				if err != nil {
					return discoveryError(regKey, err)
				}
				if same {
					fmt.Fprintf(e.stderr, "pullsecret: note: %s does not delegate authentication to another host (realm on %s): writing the registry entry only\n", regKey, host)
				} else {
					opts.AuthServer = host
				}
			} else if authKey == "" {
				fmt.Fprintf(e.stderr, "pullsecret: note: --auth-server %s is the registry's own host: writing the registry entry only\n", opts.AuthServer)
			}
			if raw {
				cfg, err := secrets.DelegatedConfig(opts)
				if err != nil {
					return fmt.Errorf("delegated: %w", err)
				}
				b, err := cfg.MarshalAs(dockercfg.FormatConfigJSON)
				if err != nil {
					return fmt.Errorf("delegated: encode: %w", err)
				}
				_, err = fmt.Fprintf(e.stdout, "%s\n", b)
				return err
			}
			ss, err := secrets.DelegatedPair(opts)
			if err != nil {
				return fmt.Errorf("delegated: %w", err)
			}
			objs := make([]runtime.Object, len(ss))
			for i, s := range ss {
				objs[i] = s
			}
			return secrets.Encode(e.stdout, out, objs...)
		},
	}
}

// discoveryError wraps a failed realm discovery with advice, keeping the
// exit code of its failure class (5 for network, TLS and timeouts).
func discoveryError(reg string, err error) error {
	err = fmt.Errorf("delegated: discover the auth server of %s (or pass --auth-server): %w", reg, err)
	if _, sentinel := registry.Classify(err); sentinel != nil {
		return withCode(exitCode(sentinel), err)
	}
	return err
}
