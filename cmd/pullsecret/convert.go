package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

func newConvertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "turn local docker/podman credentials (helpers resolved) into a self-contained pull secret",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			authfileFlag(),
			&cli.StringSliceFlag{Name: "registry", Usage: "only entries matching this registry or glob (repeatable)"},
			&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the Secret"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml, json, dockerconfigjson or dockercfg (raw files)"},
			&cli.BoolFlag{Name: "skip-unresolved", Usage: "drop entries whose credentials cannot be resolved instead of failing"},
		},
		Action: func(c *cli.Context) error {
			out := c.String("output")
			raw := out == "dockerconfigjson" || out == "dockercfg"
			if !raw && out != "yaml" && out != "json" {
				return usagef("convert: --output %q: want yaml, json, dockerconfigjson or dockercfg", out)
			}
			format, err := parseSecretType(c.String("type"))
			if err != nil {
				return err
			}
			name := c.Args().First()
			if c.NArg() > 1 {
				return usagef("convert: exactly one NAME is required, got %d", c.NArg())
			}
			if name == "" && !raw {
				return usagef("convert: NAME is required (or -o dockerconfigjson|dockercfg for a raw file)")
			}
			srcs, err := loadSources(e, authfiles(c))
			if err != nil {
				return err
			}
			path := e.getenv("PATH")
			res, err := dockercfg.Convert(c.Context, srcs, dockercfg.ConvertOptions{
				Registries:     c.StringSlice("registry"),
				SkipUnresolved: c.Bool("skip-unresolved"),
				NewHelper: func(n string) dockercfg.Helper {
					return dockercfg.NewHelper(n, &dockercfg.HelperOptions{Path: path})
				},
			})
			if err != nil {
				return fmt.Errorf("convert: %w", err)
			}
			for _, w := range res.Warnings {
				e.warnf("%s", w)
			}
			if raw {
				f := dockercfg.FormatConfigJSON
				if out == "dockercfg" {
					f = dockercfg.FormatLegacy
				}
				b, err := res.Config.MarshalAs(f)
				if err != nil {
					return fmt.Errorf("convert: encode: %w", err)
				}
				_, err = fmt.Fprintf(e.stdout, "%s\n", b)
				return err
			}
			s, err := secrets.FromConfig(name, c.String("namespace"), res.Config, format)
			if err != nil {
				return fmt.Errorf("convert: %w", err)
			}
			if err := secrets.Validate(s); err != nil {
				return fmt.Errorf("convert: %w", err)
			}
			return secrets.Encode(e.stdout, out, s)
		},
	}
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
