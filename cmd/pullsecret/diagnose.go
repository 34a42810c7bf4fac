package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

func newDiagnoseCommand(e *env) *cli.Command {
	files := &stringList{}
	return &cli.Command{
		Name:      "diagnose",
		Usage:     "predict image pulls (ImagePullBackOff) of Pods and workloads from their manifests",
		ArgsUsage: "-f MANIFESTS...",
		Description: "Reads Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, ServiceAccounts\n" +
			"and Secrets (e.g. kubectl get deploy,sa,secret -o yaml) and, for every container image, reports the\n" +
			"pull policy, the effective pull secrets (the pod's, else its ServiceAccount's), secrets that are\n" +
			"missing, ignored or malformed, and the credentials the kubelet tries, in order (pod secrets, then\n" +
			"--node-config). Predictions: ok (credentials exist), anonymous (none match: works for public\n" +
			"images only), unknown (none match and a referenced secret is missing), fail (a malformed pull\n" +
			"secret breaks every pull of the pod, or an invalid image). --verify also test-pulls each image\n" +
			"with those credentials and predicts from the verdict. Exit 1 when any pull is predicted to fail.",
		Flags: append([]cli.Flag{
			&cli.GenericFlag{Name: "filename", Value: files, Usage: "manifests `FILE` (YAML stream, JSON or List; - for stdin; repeatable; also -f FILE)"},
			// A separate hidden flag sharing the value: an alias would
			// append every value twice.
			&cli.GenericFlag{Name: "f", Value: files, Hidden: true},
			&cli.StringFlag{Name: "node-config", Usage: "the node's config.json `FILE` (the kubelet's node keyring, tried after the pod's secrets)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "verify", Usage: "also test-pull each image with the credentials the kubelet would try"},
		}, networkFlags()...),
		Action: func(c *cli.Context) error { return runDiagnose(c, e, files.values) },
	}
}

func runDiagnose(c *cli.Context, e *env, files []string) error {
	out := c.String("output")
	if out != "text" && out != "json" {
		return usagef("diagnose: --output %q: want text or json", out)
	}
	if c.NArg() > 0 {
		return usagef("diagnose: unexpected argument %q (manifests are given with -f FILE)", c.Args().First())
	}
	if len(files) == 0 {
		return usagef("diagnose: no manifests given (pass -f FILE, - for stdin)")
	}
	node := c.String("node-config")
	stdinUsed := false
	read := func(p string) ([]byte, error) {
		if p != "-" {
			return dockercfg.ReadFile(p)
		}
		if stdinUsed {
			return nil, usagef("diagnose: standard input (-) given more than once")
		}
		stdinUsed = true
		return io.ReadAll(io.LimitReader(e.stdin, dockercfg.MaxFileSize+1))
	}
	var nopts registry.NetworkOptions
	if c.Bool("verify") {
		var err error
		if nopts, err = networkOptions(c); err != nil {
			return err
		}
	}
	var inv secrets.Inventory
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			return fmt.Errorf("diagnose: read manifests: %w", err)
		}
		if err := inv.Add(f, data); err != nil {
			return fmt.Errorf("diagnose: %w", err)
		}
	}
	var nodeCreds []match.Credential
	if node != "" {
		data, err := read(node)
		if err != nil {
			return fmt.Errorf("diagnose: --node-config: %w", err)
		}
		cfg, err := dockercfg.ParseNamed(data, node)
		if err != nil {
			return fmt.Errorf("diagnose: --node-config: %w", err)
		}
		nodeCreds = match.CredentialsFromConfig(cfg, node)
	}
	d := inv.Diagnose(nodeCreds)
	if c.Bool("verify") {
		if err := verifyDiagnosis(c, d, nopts); err != nil {
			return err
		}
	}
	if out == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("diagnose: write report: %w", err)
		}
	} else {
		renderDiagnosis(e.stdout, d)
	}
	failed, total := 0, 0
	for _, p := range d.Pods {
		for _, ctr := range p.Containers {
			total++
			if ctr.Prediction == secrets.PredictFail {
				failed++
			}
		}
	}
	if failed > 0 {
		return withCode(exitError, fmt.Errorf("diagnose: %d of %d image pulls predicted to fail", failed, total))
	}
	return nil
}

// verifyDiagnosis test-pulls every container image whose pull is not
// already known to fail, with the credentials the kubelet would try, and
// sets the predictions from the verdicts. Identical pulls are tested once.
func verifyDiagnosis(c *cli.Context, d *secrets.Diagnosis, nopts registry.NetworkOptions) error {
	rt, err := nopts.Transport()
	if err != nil {
		return fmt.Errorf("diagnose: %w", err)
	}
	opts := registry.TestPullOptions{Network: nopts, Transport: rt, Semantics: match.SemanticsKubelet}
	done := map[string]*registry.TestPullResult{}
	for _, p := range d.Pods {
		for _, ctr := range p.Containers {
			if ctr.Prediction == secrets.PredictFail {
				continue // the kubelet does not get as far as pulling
			}
			creds := make([]match.Credential, 0, len(ctr.Matches))
			key := ctr.Image
			for _, m := range ctr.Matches {
				creds = append(creds, m.Credential)
				key += "\x00" + m.Source + "\x00" + m.Key
			}
			res, ok := done[key]
			if !ok {
				o := opts
				// The kubelet's order: the pod's keyring, then the node's.
				o.Candidates = append([]match.Match{}, ctr.Matches...)
				if res, err = registry.TestPull(c.Context, ctr.Image, creds, o); err != nil {
					return fmt.Errorf("diagnose: %w", err)
				}
				done[key] = res
			}
			ctr.SetVerdict(res.Verdict, res.Error)
		}
	}
	return nil
}

// renderDiagnosis writes one block per pod: the pod line, its pull secrets,
// then one line per container with its problems and credentials.
func renderDiagnosis(w io.Writer, d *secrets.Diagnosis) {
	if len(d.Pods) == 0 {
		fmt.Fprintln(w, "no Pods or workloads found")
		return
	}
	for i, p := range d.Pods {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s/%s  (%s)\n", p.Kind, p.Namespace, p.Name, p.File)
		var secretsLine string
		names := []string{}
		if len(p.Containers) > 0 {
			names = p.Containers[0].PullSecrets
		}
		switch p.PullSecretsFrom {
		case "pod":
			secretsLine = strings.Join(names, ", ")
		case "serviceaccount":
			secretsLine = strings.Join(names, ", ") + " (from ServiceAccount " + p.ServiceAccount + ")"
		default:
			secretsLine = "none (ServiceAccount " + p.ServiceAccount + ")"
		}
		fmt.Fprintf(w, "  pull secrets: %s\n", secretsLine)
		for _, ctr := range p.Containers {
			policy := string(ctr.PullPolicy)
			if ctr.PullPolicyDefaulted {
				policy += " (default)"
			}
			kind := ""
			if ctr.Type != secrets.ContainerRegular {
				kind = string(ctr.Type) + " "
			}
			fmt.Fprintf(w, "  %scontainer %s: %s  pullPolicy %s  -> %s\n", kind, ctr.Name, ctr.Image, policy, ctr.Prediction)
			if ctr.Verdict != "" {
				fmt.Fprintf(w, "    verified: %s\n", ctr.Verdict)
			}
			for j, cr := range ctr.Credentials {
				fmt.Fprintf(w, "    credential %d: %s  user %q  from %s  (%s)\n", j+1, cr.Key, cr.Username, cr.Source, cr.Reason)
			}
			for _, pr := range ctr.Problems {
				fmt.Fprintf(w, "    %s: %s\n", pr.Severity, pr.Message)
			}
		}
	}
}
