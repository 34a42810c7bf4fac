package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
	"k8s.io/apimachinery/pkg/runtime"

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
	flags = append(flags, writeFlags()...)
	flags = append(flags, kubeFlags()...)
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
		Flags:  flags,
		Action: func(c *cli.Context) error { return runOptions(c, &delegatedOptions{e: e}) },
	}
}

// delegatedSecretFlags are the flags naming secrets, checked before any
// request is made.
var delegatedSecretFlags = []string{"registry-secret", "auth-secret", "single"}

// delegatedOptions are the inputs of delegated.
type delegatedOptions struct {
	e        *env
	output   string
	typeFlag string
	typeSet  bool
	args     []string
	creds    credentialOptions
	network  networkValues
	nopts    registry.NetworkOptions  // set by Validate
	opts     secrets.DelegatedOptions // all but the password, set by Complete and Validate
	kube     kubeConn
}

// Complete reads the flags and arguments.
func (o *delegatedOptions) Complete(c *cli.Context) error {
	o.output, o.typeFlag, o.typeSet = c.String("output"), c.String("type"), c.IsSet("type")
	o.args = c.Args().Slice()
	o.creds.complete(c)
	o.network.complete(c)
	o.opts = secrets.DelegatedOptions{
		Registry:       c.String("registry"),
		AuthServer:     c.String("auth-server"),
		Username:       o.creds.username,
		Email:          o.creds.email,
		Namespace:      c.String("namespace"),
		RegistrySecret: c.String("registry-secret"),
		AuthSecret:     c.String("auth-secret"),
		Single:         c.String("single"),
	}
	o.kube.complete(c, o.e)
	return nil
}

// raw reports whether -o prints the config.json rather than Secrets.
func (o *delegatedOptions) raw() bool { return o.output == "dockerconfigjson" }

// Validate checks every flag, names included, before any request is made.
func (o *delegatedOptions) Validate() error {
	if !o.raw() && o.output != secrets.OutputYAML && o.output != secrets.OutputJSON && o.output != secrets.OutputName {
		return usagef("delegated: --output %q: want yaml, json, name or dockerconfigjson", o.output)
	}
	var err error
	if o.opts.Format, err = parseSecretType(o.typeFlag); err != nil {
		return err
	}
	switch {
	case o.raw() && o.typeSet && o.opts.Format != dockercfg.FormatConfigJSON:
		return usagef("delegated: --type %s conflicts with --output dockerconfigjson", o.typeFlag)
	case len(o.args) > 0:
		return usagef("delegated: unexpected argument %q (the registry goes in --registry)", o.args[0])
	case o.opts.Registry == "":
		return usagef("delegated: --registry is required")
	case o.opts.Single != "" && (o.opts.RegistrySecret != "" || o.opts.AuthSecret != ""):
		return usagef("delegated: --single conflicts with --registry-secret and --auth-secret")
	}
	for i, v := range []string{o.opts.RegistrySecret, o.opts.AuthSecret, o.opts.Single} {
		if v == "" {
			continue
		}
		if err := secrets.ValidateName(v); err != nil {
			return fmt.Errorf("delegated: --%s %q: %w", delegatedSecretFlags[i], v, err)
		}
	}
	if ns := o.opts.Namespace; ns != "" {
		if err := secrets.ValidateNamespace(ns); err != nil {
			return fmt.Errorf("delegated: --namespace %q: %w", ns, err)
		}
	}
	if err := o.kube.validate("delegated", false); err != nil {
		return err
	}
	if err := o.kube.validateWrite("delegated", o.output); err != nil {
		return err
	}
	if err := o.creds.validate("delegated", "--docker-username and a password (--password-stdin, --password-file, --password-env or --docker-password) are required"); err != nil {
		return err
	}
	o.nopts, err = o.network.options()
	return err
}

// Run reads the password, finds the auth server (registry.DiscoverRealmHost)
// unless --auth-server names it, and prints the secrets
// (secrets.DelegatedPair) or their config (secrets.DelegatedConfig).
func (o *delegatedOptions) Run(ctx context.Context) error {
	opts := o.opts
	var err error
	if opts.Password, err = o.creds.readPassword(o.e, "delegated", o.e.warnf); err != nil {
		return err
	}
	regKey, authKey, err := secrets.DelegatedKeys(opts.Registry, opts.AuthServer)
	if err != nil {
		return fmt.Errorf("delegated: %w", err)
	}
	if opts.AuthServer == "" {
		host, same, err := registry.DiscoverRealmHost(ctx, opts.Registry, o.nopts)
		if err != nil {
			return discoveryError(regKey, err)
		}
		if same {
			fmt.Fprintf(o.e.stderr, "pullsecret: note: %s does not delegate authentication to another host (realm on %s): writing the registry entry only\n", regKey, host)
		} else {
			opts.AuthServer = host
		}
	} else if authKey == "" {
		fmt.Fprintf(o.e.stderr, "pullsecret: note: --auth-server %s is the registry's own host: writing the registry entry only\n", opts.AuthServer)
	}
	if o.raw() {
		cfg, err := secrets.DelegatedConfig(opts)
		if err != nil {
			return fmt.Errorf("delegated: %w", err)
		}
		return writeRawConfig(o.e, "delegated", cfg, o.output, false)
	}
	ss, err := secrets.DelegatedPair(opts)
	if err != nil {
		return fmt.Errorf("delegated: %w", err)
	}
	if o.kube.live() {
		for _, s := range ss {
			if err := secrets.Validate(s); err != nil {
				return fmt.Errorf("delegated: %w", err)
			}
		}
		return applySecrets(ctx, o.e, "delegated", &o.kube, o.output, ss...)
	}
	objs := make([]runtime.Object, len(ss))
	for i, s := range ss {
		objs[i] = s
	}
	return secrets.Encode(o.e.stdout, o.output, objs...)
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
