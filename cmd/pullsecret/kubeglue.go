package main

// TEMPORARY: stands in for helper core's kubeflags.go until c9core is merged.

import (
	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
)

func kubeFlagsNoNamespace() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig `FILE`"},
		&cli.StringFlag{Name: "context", Usage: "kubeconfig `CONTEXT`"},
		&cli.StringFlag{Name: "as", Usage: "impersonate `USER`"},
		&cli.StringSliceFlag{Name: "as-group", Usage: "impersonate `GROUP`"},
	}
}

func kubeNamespaceFlag() cli.Flag {
	return &cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace (default: the context's)"}
}

func kubeOptionsFrom(c *cli.Context, e *env) cluster.Options {
	return cluster.Options{
		Kubeconfig: c.String("kubeconfig"), Context: c.String("context"), Namespace: c.String("namespace"),
		As: c.String("as"), AsGroups: c.StringSlice("as-group"), Getenv: e.getenv,
	}
}
