package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func newConvertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "turn local docker/podman credentials (helpers resolved) into a self-contained pull secret",
		ArgsUsage: "NAME",
		Flags: append([]cli.Flag{
			authfileFlag(),
			&cli.StringSliceFlag{Name: "registry", Usage: "only entries matching this registry or glob (repeatable)"},
			&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the Secret"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml, json, dockerconfigjson or dockercfg (raw files)"},
			&cli.BoolFlag{Name: "skip-unresolved", Usage: "drop entries whose credentials cannot be resolved instead of failing"},
		}, append(writeFlags(), kubeFlags()...)...),
		Action: func(c *cli.Context) error { return runOptions(c, &convertOptions{e: e}) },
	}
}

// convertOptions are the inputs of convert.
type convertOptions struct {
	e              *env
	output         string
	typeFlag       string
	format         dockercfg.Format // set by Validate
	args           []string
	namespace      string
	authfiles      []string
	registries     []string
	skipUnresolved bool
	kube           kubeConn
}

// Complete reads the flags and arguments.
func (o *convertOptions) Complete(c *cli.Context) error {
	o.output, o.typeFlag = c.String("output"), c.String("type")
	o.args = c.Args().Slice()
	o.namespace = c.String("namespace")
	o.authfiles = authfiles(c)
	o.registries = c.StringSlice("registry")
	o.skipUnresolved = c.Bool("skip-unresolved")
	o.kube.complete(c, o.e)
	return nil
}

// raw reports whether -o prints a config file rather than a Secret.
func (o *convertOptions) raw() bool { return o.output == "dockerconfigjson" || o.output == "dockercfg" }

// name is the NAME argument, "" if none.
func (o *convertOptions) name() string {
	if len(o.args) == 0 {
		return ""
	}
	return o.args[0]
}

// Validate checks -o, --type and NAME.
func (o *convertOptions) Validate() error {
	if !o.raw() && o.output != "yaml" && o.output != "json" && !(o.kube.live() && o.output == secrets.OutputName) {
		return usagef("convert: --output %q: want yaml, json, dockerconfigjson or dockercfg", o.output)
	}
	var err error
	if o.format, err = parseSecretType(o.typeFlag); err != nil {
		return err
	}
	if len(o.args) > 1 {
		return usagef("convert: exactly one NAME is required, got %d", len(o.args))
	}
	if err := o.kube.validate("convert", anySecretRef(o.authfiles)); err != nil {
		return err
	}
	if err := o.kube.validateWrite("convert", o.output); err != nil {
		return err
	}
	// Without NAME the Secret is named after the one Secret read (Run).
	return nil
}

// secretName returns the name and namespace of the Secret to write: NAME and
// -n when given, else those of the one Secret the sources were read from.
func (o *convertOptions) secretName(srcs []dockercfg.Source) (name, namespace string, err error) {
	name, namespace = o.name(), o.namespace
	if name != "" && namespace != "" {
		return name, namespace, nil
	}
	var ns, n string
	one := len(srcs) > 0
	for i, s := range srcs {
		sns, sn, ok := secrets.SourceSecret(s)
		if !ok || (i > 0 && (sns != ns || sn != n || s.Name != srcs[0].Name)) {
			one = false
			break
		}
		ns, n = sns, sn
	}
	if !one {
		if name == "" {
			return "", "", usagef("convert: NAME is required unless the input is one Secret (or -o dockerconfigjson|dockercfg for a raw file)")
		}
		return name, namespace, nil
	}
	if name == "" {
		name = n
	}
	if namespace == "" {
		namespace = ns
	}
	return name, namespace, nil
}

// Run reads the sources, resolves them with dockercfg.Convert and prints the
// config or the Secret.
func (o *convertOptions) Run(ctx context.Context) error {
	srcs, err := loadSourcesFrom(ctx, o.e, &o.kube, o.authfiles, &secrets.ReadOptions{Opaque: true})
	if err != nil {
		return err
	}
	for _, s := range srcs {
		if s.Type == string(corev1.SecretTypeOpaque) {
			o.e.warnf("%s: secret %s is type %s, which the kubelet ignores; converting its %s",
				s.Name, s.Secret, s.Type, secrets.DataKey(s.Config.Format))
		}
	}
	name, namespace := o.name(), o.namespace
	if !o.raw() {
		if name, namespace, err = o.secretName(srcs); err != nil {
			return err
		}
	}
	path := o.e.getenv("PATH")
	ctx, cancel := dockercfg.WithHelperDeadline(ctx, dockercfg.DefaultHelperDeadline)
	defer cancel()
	res, err := dockercfg.Convert(ctx, srcs, dockercfg.ConvertOptions{
		Registries:     o.registries,
		SkipUnresolved: o.skipUnresolved,
		NewHelper: func(n string) dockercfg.Helper {
			return dockercfg.NewHelper(n, &dockercfg.HelperOptions{Path: path})
		},
	})
	if res != nil {
		for _, w := range res.Warnings {
			o.e.warnf("%s", w)
		}
	}
	var re *dockercfg.ResolveError
	if err != nil && !o.skipUnresolved && errors.As(err, &re) {
		return fmt.Errorf("convert: %w (--skip-unresolved converts the rest)", err)
	}
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if o.raw() {
		return writeRawConfig(o.e, "convert", res.Config, o.output, false)
	}
	if o.kube.live() {
		s, err := buildSecret("convert", name, namespace, res.Config, o.format)
		if err != nil {
			return err
		}
		return applySecrets(ctx, o.e, "convert", &o.kube, o.output, s)
	}
	return writeSecret(o.e, "convert", name, namespace, res.Config, o.format, o.output)
}

// writeRawConfig prints cfg as a config.json (-o dockerconfigjson) or a
// legacy .dockercfg (-o dockercfg), followed by a newline. With check the
// payload is first checked as a Secret's would be (secrets.CheckPayload).
func writeRawConfig(e *env, cmd string, cfg *dockercfg.Config, output string, check bool) error {
	f := dockercfg.FormatConfigJSON
	if output == "dockercfg" {
		f = dockercfg.FormatLegacy
	}
	b, err := cfg.MarshalAs(f)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", cmd, err)
	}
	if check {
		if _, err := secrets.CheckPayload(b, f); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", b)
	return err
}

// writeSecret prints the Secret NAME holding cfg in format, checked with
// secrets.Validate, as -o yaml or json.
func writeSecret(e *env, cmd, name, namespace string, cfg *dockercfg.Config, format dockercfg.Format, output string) error {
	s, err := buildSecret(cmd, name, namespace, cfg, format)
	if err != nil {
		return err
	}
	return secrets.Encode(e.stdout, output, s)
}

// buildSecret is the Secret NAME holding cfg in format, checked with
// secrets.Validate.
func buildSecret(cmd, name, namespace string, cfg *dockercfg.Config, format dockercfg.Format) (*corev1.Secret, error) {
	s, err := secrets.FromConfig(name, namespace, cfg, format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if err := secrets.Validate(s); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return s, nil
}

// parseSecretType maps --type to a payload format.
func parseSecretType(t string) (dockercfg.Format, error) {
	switch t {
	case "dockerconfigjson", "kubernetes.io/dockerconfigjson":
		return dockercfg.FormatConfigJSON, nil
	case "dockercfg", "kubernetes.io/dockercfg":
		return dockercfg.FormatLegacy, nil
	}
	return 0, usagef("--type %q: want dockerconfigjson or dockercfg", t)
}
