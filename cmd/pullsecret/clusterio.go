package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// kubeConn is a command's connection to the cluster, made on first use:
// a command loads the kubeconfig only when it is asked to talk to the
// cluster (--apply, --dry-run=server, a secret/NAME source, --pod).
type kubeConn struct {
	e         *env
	flags     kubeOptions // kubeFlags, -n, --apply, --dry-run
	force     bool        // --force-conflicts
	outputSet bool        // -o given
	client    *cluster.Client
}

// complete reads the connection flags (kubeFlags), -n, --apply,
// --dry-run, --force-conflicts and whether -o was given.
func (k *kubeConn) complete(c *cli.Context, e *env) {
	k.e = e
	k.flags.complete(c)
	k.force = c.Bool("force-conflicts")
	k.outputSet = c.IsSet("output")
}

// live reports whether the command writes to the cluster (or asks the
// server for a dry run) instead of printing manifests.
func (k *kubeConn) live() bool { return k.flags.live() }

// validateRead checks, for a command that only reads (inspect, match,
// test-pull, resolve), that the connection flags are given only when it
// reads from the cluster (reads: a secret/NAME source, --pod).
func (k *kubeConn) validateRead(cmd string, reads bool, what string) error {
	if reads {
		return nil
	}
	for _, f := range []struct {
		flag string
		set  bool
	}{
		{"--kubeconfig", k.flags.kubeconfig != ""},
		{"--context", k.flags.context != ""},
		{"--as", k.flags.as != ""},
		{"--as-group", len(k.flags.asGroups) > 0},
	} {
		if f.set {
			return usagef("%s: %s is used only with %s (without it nothing is read from a cluster)", cmd, f.flag, what)
		}
	}
	return nil
}

// validate checks --apply and --dry-run, and that the connection flags
// are given only to a command that talks to the cluster: one that writes
// (live) or reads from it (reads: a secret/NAME source, --pod).
func (k *kubeConn) validate(cmd string, reads bool) error {
	if !reads || k.flags.live() {
		return k.flags.validate(cmd)
	}
	switch k.flags.dryRun {
	case "none", "client", "server":
		return nil
	}
	return usagef("%s: --dry-run %q: want none, client or server", cmd, k.flags.dryRun)
}

// validateWrite checks --force-conflicts and -o of a command that can
// apply: with --apply or --dry-run=server the output is kubectl's result
// line (-o name: KIND/NAME).
func (k *kubeConn) validateWrite(cmd, output string) error {
	if k.force && !k.live() {
		return usagef("%s: --force-conflicts needs --apply or --dry-run=server", cmd)
	}
	if k.live() && k.outputSet && output != secrets.OutputName {
		return usagef("%s: -o %s with --apply: want -o name, or no -o for kubectl's result line", cmd, output)
	}
	return nil
}

// get returns the client, connecting on the first call.
func (k *kubeConn) get() (*cluster.Client, error) {
	if k.client == nil {
		c, err := k.flags.client(k.e)
		if err != nil {
			return nil, err
		}
		k.client = c
	}
	return k.client, nil
}

// writeFlags are --apply, --dry-run (none, client, server) and
// --force-conflicts of a command that can apply the Secrets it builds.
func writeFlags() []cli.Flag {
	return []cli.Flag{
		applyFlag(),
		dryRunFlag(),
		&cli.BoolFlag{Name: "force-conflicts", Usage: "with --apply: take over the fields another field manager owns"},
	}
}

// applySecrets writes each Secret with server-side apply
// (cluster.Client.ApplySecret) and prints kubectl's line for it.
func applySecrets(ctx context.Context, e *env, cmd string, k *kubeConn, output string, ss ...*corev1.Secret) error {
	c, err := k.get()
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	for _, s := range ss {
		res, err := c.ApplySecret(ctx, s, cluster.ApplyOptions{DryRun: k.flags.serverDryRun(), Force: k.force})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		printResult(e, res, output)
	}
	return nil
}

// anySecretRef reports whether an --authfile value is a cluster reference
// (secret/NAME, secrets/A,B).
func anySecretRef(paths []string) bool {
	for _, p := range paths {
		if _, ok, _ := cluster.ParseSecretRef(p); ok {
			return true
		}
	}
	return false
}

// loadSourcesFrom is loadSourcesWith where an --authfile value may also be
// secret/NAME or secrets/A,B: Secrets read from the cluster (in -n, else the
// context's namespace) as the same manifests in a file would be read. A
// value not of that form is a file, as is ./secret/NAME. Without such a
// value nothing touches the cluster.
func loadSourcesFrom(ctx context.Context, e *env, k *kubeConn, paths []string, opts *secrets.ReadOptions) ([]dockercfg.Source, error) {
	if !anySecretRef(paths) {
		return loadSourcesWith(e, paths, opts)
	}
	return readSources(e, paths, opts, func(p string) ([]dockercfg.Source, bool, error) {
		names, ok, err := cluster.ParseSecretRef(p)
		if err != nil {
			return nil, false, usagef("--authfile %w", err)
		}
		if !ok {
			return nil, false, nil
		}
		c, err := k.get()
		if err != nil {
			return nil, false, fmt.Errorf("--authfile %s: %w", p, err)
		}
		srcs, err := c.SecretSources(ctx, names, opts)
		if err != nil {
			return nil, false, fmt.Errorf("read credentials: %w", err)
		}
		return srcs, true, nil
	})
}

// podSources reads exactly the pull secrets of pod, as the kubelet uses
// them (cluster.Client.PodPullSecrets), warning about each one it skips.
func podSources(ctx context.Context, e *env, cmd string, k *kubeConn, pod string) ([]dockercfg.Source, error) {
	c, err := k.get()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	ps, err := c.PodPullSecrets(ctx, pod)
	if err != nil {
		return nil, fmt.Errorf("%s: --pod %s: %w", cmd, pod, err)
	}
	for _, err := range ps.Skipped {
		e.warnf("pod %s/%s: %v (the kubelet skips it)", ps.Namespace, ps.Pod, err)
	}
	if len(ps.Names) == 0 {
		e.warnf("pod %s/%s has no image pull secrets; the kubelet pulls anonymously unless the node has credentials", ps.Namespace, ps.Pod)
	} else if ps.ServiceAccount != "" {
		e.warnf("pod %s/%s lists no imagePullSecrets: using its ServiceAccount %s's (the API server copies them into a pod only at its creation)", ps.Namespace, ps.Pod, ps.ServiceAccount)
	}
	return ps.Sources, nil
}

// sourceFlags are the flags of a command that reads credentials and may
// read them from the cluster: -n and kubectl's connection flags.
func sourceFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of --authfile secret/NAME (default: the context's)"},
	}, kubeFlags()...)
}

// podFlag is --pod NAME of match and test-pull.
func podFlag() cli.Flag {
	return &cli.StringFlag{Name: "pod", Usage: "use exactly the pull secrets of pod `NAME` in -n (its imagePullSecrets, else its ServiceAccount's), read from the cluster"}
}
