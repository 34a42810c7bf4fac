package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/urfave/cli/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// maxPasswordSize bounds --password-stdin and --password-file input.
const maxPasswordSize = 64 << 10

func newCreateCommand(e *env) *cli.Command {
	cmd := &cli.Command{
		Name:      "create",
		Usage:     "create an image pull secret (drop-in for kubectl create secret docker-registry)",
		ArgsUsage: "NAME",
		Description: `Prints a Secret of type kubernetes.io/dockerconfigjson (or, with --type dockercfg,
kubernetes.io/dockercfg). For kubectl's flags the output is byte-identical to
kubectl create secret docker-registry NAME ... --dry-run=client -o yaml|json.
Unlike kubectl, the default output is the YAML manifest (-o yaml): pipe it to
kubectl apply -f -, or give --apply (below).

The password comes from exactly one of --password-stdin, --password-file,
--password-env or --docker-password (which works, with a warning: it is visible
in the process list and shell history). Standard input and files are read
byte-exact except for ONE trailing newline ("\n" or "\r\n"), which is removed.

--from-file takes a docker config.json (or, with --type dockercfg, a legacy
.dockercfg) stored verbatim after it is checked: valid JSON, the format of the
type, entries with inline credentials whose auth decodes. A Secret manifest
holding one pull secret of the type (oc get secret/pull-secret -o yaml) gives
its payload instead. It cannot be combined with the credential flags (kubectl
silently ignores them).

With --apply the Secret is written to the cluster instead, with server-side
apply (field manager pullsecret), and kubectl's line is printed:
secret/NAME created, configured or unchanged (-o name: secret/NAME).
--dry-run=server has the server check it and store nothing. A field another
field manager owns is a conflict; --force-conflicts takes it over.`,
		Flags: append(credentialFlags(),
			&cli.StringFlag{Name: "docker-server", Aliases: []string{"server"}, Value: dockercfg.DockerHubKey, Usage: "registry `SERVER`, used verbatim as the entry key"},
			&cli.StringSliceFlag{Name: "from-file", Usage: "docker config file to store, `[KEY=]PATH` (comma-separated or repeated, as in kubectl), or a Secret manifest holding one pull secret"},
			&cli.BoolFlag{Name: "append-hash", Usage: "append a hash of the content to the name, as kubectl does"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace of the Secret (omitted when not given)"},
			&cli.StringFlag{Name: "type", Value: "dockerconfigjson", Usage: "secret type: dockerconfigjson or dockercfg"},
			&cli.GenericFlag{Name: "label", Value: &createKVList{flag: "--label"}, Usage: "label `KEY=VALUE` (repeatable)"},
			&cli.GenericFlag{Name: "annotation", Value: &createKVList{flag: "--annotation"}, Usage: "annotation `KEY=VALUE` (repeatable)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "yaml", Usage: "yaml, json, name, or dockerconfigjson/dockercfg (the raw payload)"},
		),
		Action: func(c *cli.Context) error { return runOptions(c, &createOptions{e: e}) },
	}
	cmd.Flags = append(append(cmd.Flags, writeFlags()...), kubeFlags()...)
	return cmd
}

// createKVList is a repeatable KEY=VALUE flag that, unlike StringSliceFlag,
// does not split values at commas.
type createKVList struct {
	flag string
	keys []string
	m    map[string]string
}

func (l *createKVList) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%s %q: want KEY=VALUE", l.flag, v)
	}
	if l.m == nil {
		l.m = map[string]string{}
	}
	if _, dup := l.m[k]; dup {
		return fmt.Errorf("%s: key %q given twice", l.flag, k)
	}
	l.keys = append(l.keys, k)
	l.m[k] = val
	return nil
}

func (l *createKVList) String() string { return strings.Join(l.keys, ",") }

// createFromFileConflicts are the flags that build an entry, which
// --from-file excludes (kubectl ignores them with --from-file).
var createFromFileConflicts = []string{"docker-server", "docker-username", "docker-password", "password-stdin", "password-file", "password-env", "docker-email"}

// createOptions are the inputs of create.
type createOptions struct {
	e           *env
	output      string
	typeFlag    string
	format      dockercfg.Format // set by Validate
	args        []string
	namespace   string
	fromFiles   []string
	conflicts   []string // createFromFileConflicts given
	server      string
	creds       credentialOptions
	labels      map[string]string
	annotations map[string]string
	appendHash  bool
	kube        kubeConn
}

// Complete reads the flags and arguments.
func (o *createOptions) Complete(c *cli.Context) error {
	o.output, o.typeFlag = c.String("output"), c.String("type")
	o.args = c.Args().Slice()
	o.namespace = c.String("namespace")
	o.fromFiles = c.StringSlice("from-file")
	o.conflicts = nil
	for _, f := range createFromFileConflicts {
		if c.IsSet(f) {
			o.conflicts = append(o.conflicts, f)
		}
	}
	o.server = c.String("docker-server")
	o.creds.complete(c)
	o.labels = c.Generic("label").(*createKVList).m
	o.annotations = c.Generic("annotation").(*createKVList).m
	o.appendHash = c.Bool("append-hash")
	o.kube.complete(c, o.e)
	return nil
}

// raw reports whether -o prints the payload rather than the Secret.
func (o *createOptions) raw() bool { return o.output == "dockerconfigjson" || o.output == "dockercfg" }

// Validate checks the flags in kubectl's order, before any file is read.
func (o *createOptions) Validate() error {
	switch o.output {
	case secrets.OutputYAML, secrets.OutputJSON, secrets.OutputName, "dockerconfigjson", "dockercfg":
	default:
		return usagef("create: --output %q: want yaml, json, name, dockerconfigjson or dockercfg", o.output)
	}
	var err error
	if o.format, err = secrets.ParseType(o.typeFlag); err != nil {
		return usageError{fmt.Errorf("create: --type: %w", err)}
	}
	if o.raw() && o.output != o.format.String() {
		return usagef("create: -o %s needs --type %s (the secret's payload is printed as is)", o.output, o.output)
	}
	if err := o.kube.validate("create", false); err != nil {
		return err
	}
	if err := o.kube.validateWrite("create", o.output); err != nil {
		return err
	}
	if len(o.args) != 1 {
		return usagef("create: exactly one NAME is required, got %d", len(o.args))
	}
	if len(o.fromFiles) > 0 {
		if len(o.conflicts) > 0 {
			return usagef("create: --from-file cannot be combined with --%s: the credentials come from the file (kubectl silently ignores the credential flags)", o.conflicts[0])
		}
		return nil
	}
	if o.server == "" {
		return usagef("create: --docker-server: must not be empty")
	}
	if _, err := dockercfg.ParseKey(o.server); err != nil {
		return fmt.Errorf("create: --docker-server: %w", err)
	}
	return o.creds.validate("create", "either --from-file or --docker-username with a password (--password-stdin, --password-file, --password-env or --docker-password) is required")
}

// Run builds the Secret from --from-file or the credential flags, checks it
// with secrets.Validate and prints it. Warnings are printed only once the
// secret is valid, so that a failure is one line on stderr.
func (o *createOptions) Run(ctx context.Context) error {
	var warnings []string
	warnf := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	name := o.args[0]
	var s *corev1.Secret
	if len(o.fromFiles) > 0 {
		payload, err := createPayloadFromFiles(warnf, o.fromFiles, o.format)
		if err != nil {
			return err
		}
		s = secrets.New(name, o.namespace, o.format, payload)
	} else {
		cfg, err := o.configFromFlags(warnf)
		if err != nil {
			return err
		}
		if s, err = secrets.FromConfig(name, o.namespace, cfg, o.format); err != nil {
			return fmt.Errorf("create: %w", err)
		}
	}
	if len(o.labels) > 0 {
		s.Labels = o.labels
	}
	if len(o.annotations) > 0 {
		s.Annotations = o.annotations
	}
	if o.appendHash {
		if _, err := secrets.AppendHash(s); err != nil {
			return fmt.Errorf("create: --append-hash: %w", err)
		}
	}
	if err := secrets.Validate(s); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	for _, w := range warnings {
		o.e.warnf("%s", w)
	}
	if o.kube.live() {
		return applySecrets(ctx, o.e, "create", &o.kube, o.output, s)
	}
	return o.render(s)
}

// render prints s as -o asks: the payload as is (ending in a newline), or
// the Secret.
func (o *createOptions) render(s *corev1.Secret) error {
	if o.raw() {
		payload := s.Data[secrets.DataKey(o.format)]
		if len(payload) > 0 && payload[len(payload)-1] != '\n' {
			payload = append(payload[:len(payload):len(payload)], '\n')
		}
		if _, err := o.e.stdout.Write(payload); err != nil {
			return fmt.Errorf("create: write output: %w", err)
		}
		return nil
	}
	if err := secrets.Encode(o.e.stdout, o.output, s); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	return nil
}

// configFromFlags builds the one-entry config of the credential flags,
// reading the password.
func (o *createOptions) configFromFlags(warnf func(string, ...any)) (*dockercfg.Config, error) {
	password, err := o.creds.readPassword(o.e, "create", warnf)
	if err != nil {
		return nil, err
	}
	for _, w := range dockercfg.KeyWarnings(o.server) {
		warnf("--docker-server: %s", w)
	}
	cfg, err := secrets.NewConfig(o.server, o.creds.username, password, o.creds.email)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	return cfg, nil
}

// createReadPassword reads a password byte-exact, removing one trailing
// newline ("\n" or "\r\n").
func createReadPassword(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPasswordSize+1))
	if err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	if len(b) > maxPasswordSize {
		return "", fmt.Errorf("longer than %d bytes; not a password", maxPasswordSize)
	}
	s := string(b)
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
	}
	if s == "" {
		return "", errors.New("the password is empty")
	}
	return s, nil
}

// createPayloadFromFiles reads the --from-file sources with kubectl's rules
// for [KEY=]PATH (secrets.ParseFileSource), then checks what kubectl does
// not: the key is the one the type needs, the file is a docker config of the
// type's format whose entries carry credentials (secrets.CheckPayload), and
// it fits in a Secret. What the kubelet would ignore is a warning
// (secrets.PayloadWarnings).
func createPayloadFromFiles(warnf func(string, ...any), sources []string, format dockercfg.Format) ([]byte, error) {
	want := secrets.DataKey(format)
	var payload []byte
	seen := false
	for _, src := range sources {
		key, file, err := secrets.ParseFileSource(src, want)
		if err != nil {
			return nil, usagef("create: --from-file %s: %v", src, err)
		}
		if errs := validation.IsConfigMapKey(key); len(errs) > 0 {
			return nil, fmt.Errorf("create: --from-file %s: %q is not valid key name for a Secret %s", src, key, strings.Join(errs, ";"))
		}
		if key != want {
			return nil, fmt.Errorf("create: --from-file %s: key %q: a %s secret keeps its credentials under %q (the kubelet ignores other keys)", src, key, secrets.Type(format), want)
		}
		if seen {
			return nil, usagef("create: --from-file %s: cannot add key %s, another key by that name already exists", src, key)
		}
		seen = true
		data, err := secrets.ReadPayloadFile(file)
		if err != nil {
			return nil, fmt.Errorf("create: --from-file %s: %w", file, err)
		}
		// A Secret manifest (oc get secret/pull-secret -o yaml) gives its
		// payload; a docker config file is stored as it is, as kubectl does.
		p, err := secrets.ReadPayload(file, data, format)
		switch {
		case errors.Is(err, secrets.ErrWrongFormat):
			return nil, fmt.Errorf("create: --from-file %w; use --type %s, or convert it with pullsecret convert NAME --type %s --authfile %s",
				err, otherTypeFlag(format), typeFlag(format), file)
		case errors.Is(err, secrets.ErrSeveralPullSecrets):
			return nil, fmt.Errorf("create: --from-file %w: merge them with pullsecret convert NAME --authfile %s", err, file)
		case err != nil:
			return nil, fmt.Errorf("create: --from-file %w", err)
		}
		if p.Source != nil {
			warnf("--from-file %s: a Secret manifest: storing data[%s] of secret %s (kubectl would store the manifest itself)", file, want, p.Source.Secret)
		}
		data = p.Data
		cfg, err := secrets.CheckPayload(data, format)
		if err != nil {
			return nil, fmt.Errorf("create: --from-file %s: %w", file, err)
		}
		for _, w := range secrets.PayloadWarnings(cfg) {
			warnf("--from-file %s: %s", file, w)
		}
		payload = data
	}
	return payload, nil
}

// typeFlag is the --type value of a payload format.
func typeFlag(f dockercfg.Format) string {
	if f == dockercfg.FormatLegacy {
		return "dockercfg"
	}
	return "dockerconfigjson"
}

// otherTypeFlag is the --type value of the other pull secret type.
func otherTypeFlag(f dockercfg.Format) string {
	if f == dockercfg.FormatLegacy {
		return "dockerconfigjson"
	}
	return "dockercfg"
}

// createPathError drops the path an *fs.PathError repeats, since the message
// already names the file.
func createPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
