package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
	"github.com/pullsecret/pullsecret/secrets"
)

func newDiagnoseCommand(e *env) *cli.Command {
	files := &stringList{}
	return &cli.Command{
		Name:      "diagnose",
		Usage:     "predict image pulls (ImagePullBackOff) of Pods and workloads from their manifests or the cluster",
		ArgsUsage: "-f MANIFESTS... | KIND/NAME... [-n NS] | -n NS | -A",
		Description: "Reads Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, ServiceAccounts,\n" +
			"Secrets, RoleBindings and ClusterRoleBindings (e.g. kubectl get deploy,sa,secret,rolebinding -o yaml)\n" +
			"and, for every container image, reports the pull policy, the effective pull secrets (the pod's, else\n" +
			"its ServiceAccount's), secrets that are missing, ignored or malformed, and the credentials the kubelet\n" +
			"tries, in order (pod secrets, then --node-config). Predictions: ok (credentials exist), anonymous\n" +
			"(none match: works for public images only), unknown (none match and a referenced secret is missing),\n" +
			"fail (a malformed pull secret breaks every pull of the pod, or an invalid image). An image of\n" +
			"OpenShift's internal registry (image-registry.openshift-image-registry.svc:5000/PROJECT/...) in\n" +
			"another project is also checked against PROJECT's system:image-puller grants in the input (unknown\n" +
			"without them). --verify also test-pulls each image with those credentials and predicts from the\n" +
			"verdict; on a terminal, a progress line on stderr counts the images verified (--quiet hides it).\n" +
			"Exit 1 when any pull is predicted to fail.\n\n" +
			"Against the cluster (kubeconfig, --context, --as): pod/NAME, deploy/NAME (any workload kind: sts, ds,\n" +
			"rs, job, cronjob) in -n, every pod and workload of -n NS, or of every namespace with -A. It reads the\n" +
			"ServiceAccounts, Secrets and RoleBindings the pods need, OpenShift's global pull secret\n" +
			"(openshift-config/pull-secret) as the node keyring, and the pull failures Events and container states\n" +
			"report, shown beside each prediction. Reads the server refuses are listed, and what depends on them is\n" +
			"unknown.",
		Flags: append([]cli.Flag{
			&cli.GenericFlag{Name: "filename", Value: files, Usage: "manifests `FILE` (YAML stream, JSON or List; - for stdin; repeatable; also -f FILE)"},
			// A separate hidden flag sharing the value: an alias would
			// append every value twice.
			&cli.GenericFlag{Name: "f", Value: files, Hidden: true},
			&cli.StringFlag{Name: "node-config", Usage: "the node's config.json `FILE`, or the one pull secret it comes from (the kubelet's node keyring, tried after the pod's secrets)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "verify", Usage: "also test-pull each image with the credentials the kubelet would try"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "diagnose the pods and workloads of namespace `NS` in the cluster (with KIND/NAME: their namespace; default the context's)"},
			&cli.BoolFlag{Name: "all-namespaces", Aliases: []string{"A"}, Usage: "diagnose the pods and workloads of every namespace in the cluster"},
			quietFlag(),
		}, append(kubeFlags(), networkFlags()...)...),
		Action: func(c *cli.Context) error { return runOptions(c, &diagnoseOptions{e: e, files: files}) },
	}
}

// diagnoseOptions are the inputs of diagnose.
type diagnoseOptions struct {
	e          *env
	files      *stringList // -f, shared with the flags
	output     string
	args       []string
	nodeConfig string
	verify     bool
	quiet      bool
	network    networkValues
	nopts      registry.NetworkOptions // set by Validate with --verify
	stdinUsed  bool
	kube       kubeOptions
	all        bool             // -A
	targets    []cluster.Target // KIND/NAME arguments
}

// live reports whether the diagnosis reads the cluster: targets, -n or -A.
func (o *diagnoseOptions) live() bool {
	return len(o.args) > 0 || o.kube.namespace != "" || o.all
}

// Complete reads the flags and arguments.
func (o *diagnoseOptions) Complete(c *cli.Context) error {
	o.output, o.args = c.String("output"), c.Args().Slice()
	o.nodeConfig, o.verify, o.quiet = c.String("node-config"), c.Bool("verify"), c.Bool("quiet")
	o.network.complete(c)
	o.kube.complete(c)
	o.all = c.Bool("all-namespaces")
	return nil
}

// Validate checks -o, that manifests are given and, with --verify, the
// network flags.
func (o *diagnoseOptions) Validate() error {
	if o.output != "text" && o.output != "json" {
		return usagef("diagnose: --output %q: want text or json", o.output)
	}
	switch {
	case len(o.files.values) > 0 && len(o.args) > 0:
		return usagef("diagnose: unexpected argument %q with -f (manifests are given with -f FILE; KIND/NAME reads the cluster)", o.args[0])
	case len(o.files.values) > 0 && (o.kube.namespace != "" || o.all):
		return usagef("diagnose: -f reads manifests: -n and -A are for the cluster")
	case len(o.files.values) == 0 && !o.live():
		return usagef("diagnose: no manifests given (pass -f FILE, - for stdin; or KIND/NAME, -n NS or -A for the cluster)")
	case o.all && len(o.args) > 0:
		return usagef("diagnose: -A with %s: a named object is in one namespace (use -n)", o.args[0])
	case o.all && o.kube.namespace != "":
		return usagef("diagnose: -A and -n: choose one")
	}
	for _, a := range o.args {
		t, err := cluster.ParseTarget(a)
		if err != nil {
			return usagef("diagnose: %w", err)
		}
		o.targets = append(o.targets, t)
	}
	if !o.live() {
		if err := o.kube.validateOffline("diagnose"); err != nil {
			return usagef("diagnose: %s is used only with KIND/NAME, -n or -A (without them nothing is read from a cluster)", firstKubeFlag(&o.kube))
		}
	}
	if o.verify {
		var err error
		if o.nopts, err = o.network.options(); err != nil {
			return err
		}
	}
	return nil
}

// Run reads the manifests into a secrets.Inventory and the node's config,
// predicts the pulls (Inventory.Diagnose), test-pulls them with --verify,
// and prints the report. A pull predicted to fail exits 1.
func (o *diagnoseOptions) Run(ctx context.Context) error {
	if o.live() {
		return o.runLive(ctx)
	}
	inv, nodeCreds, err := o.readInputs()
	if err != nil {
		return err
	}
	d := inv.Diagnose(nodeCreds)
	if o.verify {
		p := o.e.startProgress("diagnose", "images verified", verifyCount(d), o.quiet)
		err := verifyDiagnosis(ctx, d, o.nopts, map[string]*registry.TestPullResult{}, p)
		p.finish()
		if err != nil {
			return err
		}
	}
	if o.output == "json" {
		if err := writeJSON(o.e.stdout, struct {
			reportHeader
			*secrets.Diagnosis
		}{newReportHeader(kindDiagnoseReport), d}); err != nil {
			return fmt.Errorf("diagnose: write report: %w", err)
		}
	} else {
		renderDiagnosis(o.e.stdout, d)
	}
	return diagnoseError(d)
}

// readInputs reads the manifests into an inventory and the --node-config
// file into the node's credentials.
func (o *diagnoseOptions) readInputs() (*secrets.Inventory, []match.Credential, error) {
	var inv secrets.Inventory
	for _, f := range o.files.values {
		data, err := o.read(f)
		if err != nil {
			return nil, nil, fmt.Errorf("diagnose: read manifests: %w", err)
		}
		if err := inv.Add(f, data); err != nil {
			return nil, nil, fmt.Errorf("diagnose: %w", err)
		}
	}
	node := o.nodeConfig
	if node == "" {
		return &inv, nil, nil
	}
	creds, err := o.readNodeConfig()
	if err != nil {
		return nil, nil, err
	}
	return &inv, creds, nil
}

// readNodeConfig reads --node-config: the node's config.json, or the pull
// secret it is copied from.
func (o *diagnoseOptions) readNodeConfig() ([]match.Credential, error) {
	node := o.nodeConfig
	data, err := o.read(node)
	if err != nil {
		return nil, fmt.Errorf("diagnose: --node-config: %w", err)
	}
	// The node's config.json, or the pull secret it is copied from (oc get
	// secret/pull-secret -n openshift-config -o yaml).
	src, err := secrets.ReadOneSource(node, data)
	if errors.Is(err, secrets.ErrSeveralPullSecrets) {
		return nil, fmt.Errorf("diagnose: --node-config %w: the node has one config.json", err)
	}
	if err != nil {
		return nil, fmt.Errorf("diagnose: --node-config: %w", err)
	}
	return match.CredentialsFromConfig(src.Config, src.Label()), nil
}

// diagnoseError counts the pulls predicted to fail (exit 1).
func diagnoseError(d *secrets.Diagnosis) error {
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

// read reads a manifest or node config file, "-" for standard input (once).
func (o *diagnoseOptions) read(p string) ([]byte, error) {
	if p != "-" {
		return dockercfg.ReadFile(p)
	}
	if o.stdinUsed {
		return nil, usagef("diagnose: standard input (-) given more than once")
	}
	o.stdinUsed = true
	return io.ReadAll(io.LimitReader(o.e.stdin, dockercfg.MaxFileSize+1))
}

// verifyCount is how many container images verifyDiagnosis looks at.
func verifyCount(d *secrets.Diagnosis) int {
	n := 0
	for _, p := range d.Pods {
		for _, ctr := range p.Containers {
			if ctr.Prediction != secrets.PredictFail {
				n++
			}
		}
	}
	return n
}

// verifyDiagnosis test-pulls every container image whose pull is not
// already known to fail, with the credentials the kubelet would try, and
// sets the predictions from the verdicts. Identical pulls are tested once.
// Each image counts one step of prog.
func verifyDiagnosis(ctx context.Context, d *secrets.Diagnosis, nopts registry.NetworkOptions, done map[string]*registry.TestPullResult, prog *progress) error {
	rt, err := nopts.Transport()
	if err != nil {
		return fmt.Errorf("diagnose: %w", err)
	}
	opts := registry.TestPullOptions{Network: nopts, Transport: rt, Semantics: match.SemanticsKubelet}
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
				if res, err = registry.TestPull(ctx, ctr.Image, creds, o); err != nil {
					return fmt.Errorf("diagnose: %w", err)
				}
				done[key] = res
			}
			ctr.SetVerdict(res.Verdict, res.Error)
			prog.step(res.Verdict != match.VerdictOK)
		}
	}
	return nil
}

// renderDiagnosis writes one block per pod: the pod line, its pull secrets,
// then one line per container with its problems and credentials. Every line
// goes through printLine: names, images and messages come from manifests.
func renderDiagnosis(w io.Writer, d *secrets.Diagnosis) {
	if len(d.Pods) == 0 {
		printLine(w, "no Pods or workloads found")
		return
	}
	renderPods(w, d, false)
}

// renderPods writes the blocks of d's pods; after says whether pods were
// written before (a blank line separates every two).
func renderPods(w io.Writer, d *secrets.Diagnosis, after bool) {
	for i, p := range d.Pods {
		if i > 0 || after {
			fmt.Fprintln(w) // a blank line between pods
		}
		printLine(w, "%s %s/%s  (%s)", p.Kind, p.Namespace, p.Name, p.File)
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
		printLine(w, "  pull secrets: %s", secretsLine)
		common := commonProblems(p.Containers)
		if common != nil {
			for _, pr := range p.Containers[0].Problems {
				if common[pr] {
					printLine(w, "  %s: %s", pr.Severity, pr.Message)
				}
			}
		}
		for _, ctr := range p.Containers {
			policy := string(ctr.PullPolicy)
			if ctr.PullPolicyDefaulted {
				policy += " (default)"
			}
			kind := ""
			if ctr.Type != secrets.ContainerRegular {
				kind = string(ctr.Type) + " "
			}
			printLine(w, "  %scontainer %s: %s  pullPolicy %s  -> %s", kind, ctr.Name, ctr.Image, policy, ctr.Prediction)
			if ctr.Verdict != "" {
				printLine(w, "    verified: %s", ctr.Verdict)
			}
			for _, ev := range ctr.Events {
				renderEvent(w, ev)
			}
			for j, cr := range ctr.Credentials {
				printLine(w, "    credential %d: %s  user %q  from %s  (%s)", j+1, cr.Key, cr.Username, cr.Source, cr.Reason)
			}
			shown := map[secrets.Problem]bool{}
			for _, pr := range ctr.Problems {
				if common[pr] || shown[pr] {
					continue
				}
				shown[pr] = true
				printLine(w, "    %s: %s", pr.Severity, pr.Message)
			}
		}
	}
}

// commonProblems returns the problems every container of a pod has (the
// pod's own findings, such as a missing ServiceAccount), which the text
// report prints once under the pod; nil for a pod with fewer than two
// containers.
func commonProblems(ctrs []*secrets.ContainerDiagnosis) map[secrets.Problem]bool {
	if len(ctrs) < 2 {
		return nil
	}
	common := map[secrets.Problem]bool{}
	for _, pr := range ctrs[0].Problems {
		common[pr] = true
	}
	for _, c := range ctrs[1:] {
		has := map[secrets.Problem]bool{}
		for _, pr := range c.Problems {
			has[pr] = true
		}
		for pr := range common {
			if !has[pr] {
				delete(common, pr)
			}
		}
	}
	return common
}

// firstKubeFlag names the first connection flag given.
func firstKubeFlag(k *kubeOptions) string {
	switch {
	case k.kubeconfig != "":
		return "--kubeconfig"
	case k.context != "":
		return "--context"
	case k.as != "":
		return "--as"
	}
	return "--as-group"
}

// runLive diagnoses the pods and workloads of the cluster
// (cluster.Client.Diagnose), writing each namespace's report as it comes:
// the text blocks, or the pods of one JSON document.
func (o *diagnoseOptions) runLive(ctx context.Context) error {
	c, err := o.kube.client(o.e)
	if err != nil {
		return fmt.Errorf("diagnose: %w", err)
	}
	opts := cluster.DiagnoseOptions{AllNamespaces: o.all, Namespace: o.kube.namespace, Targets: o.targets}
	if o.nodeConfig != "" {
		if opts.Node, err = o.readNodeConfig(); err != nil {
			return err
		}
		if opts.Node == nil {
			opts.Node = []match.Credential{}
		}
	}
	w := o.e.stdout
	js := &jsonPods{s: jsonStream{w: w, kind: kindDiagnoseReport, field: "pods"}}
	if o.output == "json" {
		if err := js.start(); err != nil {
			return fmt.Errorf("diagnose: write report: %w", err)
		}
	}
	var (
		pods, failed, total int
		verified            = map[string]*registry.TestPullResult{}
	)
	sum, err := c.Diagnose(ctx, opts, func(d *secrets.Diagnosis) error {
		if o.verify {
			p := o.e.startProgress("diagnose", "images verified", verifyCount(d), o.quiet)
			err := verifyDiagnosis(ctx, d, o.nopts, verified, p)
			p.finish()
			if err != nil {
				return err
			}
		}
		for _, p := range d.Pods {
			for _, ctr := range p.Containers {
				total++
				if ctr.Prediction == secrets.PredictFail {
					failed++
				}
			}
		}
		if o.output == "json" {
			if err := js.pods(d.Pods); err != nil {
				return fmt.Errorf("diagnose: write report: %w", err)
			}
		} else {
			renderPods(w, d, pods > 0)
		}
		pods += len(d.Pods)
		return nil
	})
	if err != nil {
		if strings.HasPrefix(err.Error(), "diagnose: ") {
			return err
		}
		return fmt.Errorf("diagnose: %w", err)
	}
	if o.output == "json" {
		if err := js.end(sum.Unreadable); err != nil {
			return fmt.Errorf("diagnose: write report: %w", err)
		}
	} else {
		if pods == 0 {
			printLine(w, "no Pods or workloads found")
		}
		renderUnreadable(w, sum.Unreadable)
	}
	if len(sum.Unreadable) > 0 {
		reads := make([]string, len(sum.Unreadable))
		for i, u := range sum.Unreadable {
			reads[i] = u.Read
		}
		o.e.warnf("could not %s (the report says why and what each leaves unknown)", strings.Join(reads, ", "))
	}
	if failed > 0 {
		return withCode(exitError, fmt.Errorf("diagnose: %d of %d image pulls predicted to fail", failed, total))
	}
	return nil
}

// renderUnreadable writes the reads that failed, each with what it leaves
// unknown.
func renderUnreadable(w io.Writer, us []secrets.Unreadable) {
	if len(us) == 0 {
		return
	}
	fmt.Fprintln(w)
	printLine(w, "could not read:")
	for _, u := range us {
		printLine(w, "  %s: %s", u.Read, u.Error)
		printLine(w, "    unknown: %s", u.Unknown)
	}
}

// renderEvent writes one pull failure the cluster reported.
func renderEvent(w io.Writer, ev secrets.PullEvent) {
	head := "    happened: "
	if ev.Pod != "" {
		head += "pod " + ev.Pod + ": "
	}
	if ev.From == "status" {
		head += "waiting "
	}
	head += ev.Reason
	if ev.Class != "" {
		head += " (" + string(ev.Class) + ")"
	}
	if ev.Count > 1 {
		head += fmt.Sprintf(" x%d", ev.Count)
	}
	if ev.Last != "" {
		head += " at " + ev.Last
	}
	printLine(w, "%s: %s", head, ev.Message)
}

// jsonPods writes a DiagnoseReport one namespace at a time, in the layout
// writeJSON gives the whole report: the header, the pods as they come,
// then the reads that failed.
type jsonPods struct{ s jsonStream }

func (j *jsonPods) start() error { return j.s.start() }

func (j *jsonPods) pods(ps []secrets.PodDiagnosis) error {
	for i := range ps {
		if err := j.s.add(&ps[i]); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonPods) end(us []secrets.Unreadable) error {
	if len(us) > 0 {
		return j.s.end(jsonField{"unreadable", us})
	}
	return j.s.end()
}
