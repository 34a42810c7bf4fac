package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// DefaultExpiryWindow is how soon a token expiry must be for audit to warn.
const DefaultExpiryWindow = 7 * 24 * time.Hour

// Severity ranks an audit problem.
type Severity string

// Severities, worst first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rank orders severities: error 3, warning 2, info 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Problem kinds of an audit (AuditProblem.Kind). Their strings are a stable
// interface (docs/json-output.md#audit).
const (
	ProblemMalformed     = "malformed"      // the payload does not parse
	ProblemWrongKey      = "wrong-type-key" // type and data key (or payload format) disagree
	ProblemOpaque        = "opaque"         // an Opaque Secret holds a docker config
	ProblemNotPullSecret = "not-pull-secret"
	ProblemExpired       = "expired"
	ProblemExpiring      = "expiring"
	ProblemKeySpelling   = "key-spelling" // a registry key consumers miss or read differently
	ProblemLint          = "lint"         // other payload warnings of inspect
	ProblemUnused        = "unused"
	ProblemMissing       = "missing"
	ProblemConflict      = "conflict" // different credentials for one registry in a pod's chain
	ProblemOutOfSync     = "out-of-sync"
)

// AuditProblem is one finding. Message never holds a credential.
type AuditProblem struct {
	Severity Severity `json:"severity"`
	Kind     string   `json:"kind"`
	Message  string   `json:"message"`
}

// AuditSecret is one pull secret (or one referenced name) of a namespace,
// redacted: its registries and users, never a password, token or auth.
type AuditSecret struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Type is the Secret's type; "" for a Secret that does not exist
	// (Missing).
	Type       string   `json:"type,omitempty"`
	Missing    bool     `json:"missing,omitempty"`
	Registries []string `json:"registries"`
	Users      []string `json:"users"`
	// Pods counts the pods whose pull-secret chain names the Secret (their
	// own imagePullSecrets, or their ServiceAccount's).
	Pods int `json:"pods"`
	// ServiceAccounts name the ServiceAccounts whose imagePullSecrets name it.
	ServiceAccounts []string `json:"serviceAccounts"`
	// Source is the pullsecret.dev/source annotation of a synced copy.
	Source   string         `json:"source,omitempty"`
	Problems []AuditProblem `json:"problems"`
}

// Worst is the highest severity among the problems, "" when there are none.
func (s *AuditSecret) Worst() Severity {
	var w Severity
	for _, p := range s.Problems {
		if p.Severity.Rank() > w.Rank() {
			w = p.Severity
		}
	}
	return w
}

// AuditNamespace is the audit of one namespace: its pull secrets in name
// order, and the lists of it the server refused (auditing one namespace;
// under All a refused list of all namespaces is named in the summary only).
type AuditNamespace struct {
	Namespace  string        `json:"namespace"`
	Secrets    []AuditSecret `json:"secrets"`
	Unreadable []string      `json:"unreadable,omitempty"`
}

// AuditSummary counts what an audit saw.
type AuditSummary struct {
	Namespaces      int `json:"namespaces"`
	Secrets         int `json:"secrets"` // rows: pull secrets and missing references
	Pods            int `json:"pods"`
	ServiceAccounts int `json:"serviceAccounts"`
	Errors          int `json:"errors"`
	Warnings        int `json:"warnings"`
	Infos           int `json:"infos"`
	// Unreadable names the reads the server refused or could not answer
	// ("list secrets in all namespaces: ...").
	Unreadable []string `json:"unreadable,omitempty"`
}

// Worst is the highest severity counted, "" when there is no problem.
func (s *AuditSummary) Worst() Severity {
	switch {
	case s.Errors > 0:
		return SeverityError
	case s.Warnings > 0:
		return SeverityWarning
	case s.Infos > 0:
		return SeverityInfo
	}
	return ""
}

// AuditOptions choose the scope of an audit.
type AuditOptions struct {
	// Namespace to audit; "" means the client's namespace. Ignored with All.
	Namespace string
	// All audits every namespace (-A).
	All bool
	// PageSize is the limit of each list request; 0 means DefaultPageSize.
	PageSize int64
	// Now is the clock for token expiry; zero means time.Now.
	Now time.Time
	// ExpiryWindow: tokens expiring sooner are reported; 0 means
	// DefaultExpiryWindow.
	ExpiryWindow time.Duration
	// Progress, when set, is called after each namespace with the number
	// of namespaces audited so far.
	Progress func(namespaces int)
}

// Audit reads every pull secret in scope with the Pods and ServiceAccounts
// that refer to them, and reports each Secret's registries, users and
// problems, one namespace at a time: Secrets, Pods and ServiceAccounts are
// paged lists (in namespace order) of which only the current namespace is
// held, so memory stays flat however many namespaces there are. emit is
// called once per namespace that has pull secrets, references or
// unreadable objects, in namespace order; its error stops the audit.
//
// A list the server refuses is not guessed around: it is named in
// AuditNamespace.Unreadable and AuditSummary.Unreadable, and the checks
// that need it (unused, missing) are not made. The error return is for
// emit's error and the context's.
func (c *Client) Audit(ctx context.Context, opts AuditOptions, emit func(*AuditNamespace) error) (*AuditSummary, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.ExpiryWindow <= 0 {
		opts.ExpiryWindow = DefaultExpiryWindow
	}
	ns := ""
	if !opts.All {
		ns = opts.Namespace
		if ns == "" {
			ns = c.Namespace
		}
	}
	a := &auditor{c: c, opts: opts, sum: &AuditSummary{}, sources: map[string]sourceState{}}
	core := c.Clientset.CoreV1()
	secretsS := pagedStream(opts.PageSize, "secrets", ns, core.Secrets(ns).List,
		func(l *corev1.SecretList) ([]corev1.Secret, string) { return l.Items, l.Continue },
		func(p *corev1.Secret) *metav1.ObjectMeta { return &p.ObjectMeta })
	podsS := pagedStream(opts.PageSize, "pods", ns, core.Pods(ns).List,
		func(l *corev1.PodList) ([]corev1.Pod, string) { return l.Items, l.Continue },
		func(p *corev1.Pod) *metav1.ObjectMeta { return &p.ObjectMeta })
	sasS := pagedStream(opts.PageSize, "serviceaccounts", ns, core.ServiceAccounts(ns).List,
		func(l *corev1.ServiceAccountList) ([]corev1.ServiceAccount, string) { return l.Items, l.Continue },
		func(p *corev1.ServiceAccount) *metav1.ObjectMeta { return &p.ObjectMeta })

	// failed records a stream's error once, for the summary; a list of one
	// namespace is also named in that namespace's report, a list of all
	// namespaces only in the summary (not once per namespace).
	reported := map[string]bool{}
	failed := func(o *auditNS, read string, err error) {
		msg := read + ": " + reason(err)
		if !reported[read] {
			reported[read] = true
			a.sum.Unreadable = append(a.sum.Unreadable, msg)
		}
		if !opts.All {
			o.unreadable = append(o.unreadable, msg)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return a.sum, fmt.Errorf("audit: %w", err)
		}
		next := ""
		found := false
		if !opts.All {
			if a.sum.Namespaces == 0 {
				next, found = ns, true
			}
		} else {
			for _, h := range []func(context.Context) (string, bool){secretsS.head, podsS.head, sasS.head} {
				if n, ok := h(ctx); ok && (!found || n < next) {
					next, found = n, true
				}
			}
		}
		if !found {
			// A list that failed before its first namespace (a refused
			// list of all namespaces) is named too.
			for _, st := range []struct {
				read string
				err  error
			}{{secretsS.read(), secretsS.err}, {podsS.read(), podsS.err}, {sasS.read(), sasS.err}} {
				if st.err != nil {
					failed(&auditNS{}, st.read, st.err)
				}
			}
			break
		}
		o := &auditNS{ns: next}
		// Only pull secrets are kept whole; of the others (TLS, Helm
		// releases, tokens: often large) a name and type, for references.
		var others []*corev1.Secret
		secs, err := secretsS.take(ctx, next, func(s *corev1.Secret) bool {
			if isCandidate(s) {
				return true
			}
			others = append(others, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name}, Type: s.Type})
			return false
		})
		secs = append(secs, others...)
		if err != nil {
			failed(o, secretsS.read(), err)
			o.secretsUnknown = true
		}
		pods, err := podsS.take(ctx, next, nil)
		if err != nil {
			failed(o, podsS.read(), err)
			o.podsUnknown = true
		}
		sas, err := sasS.take(ctx, next, nil)
		if err != nil {
			failed(o, sasS.read(), err)
			o.sasUnknown = true
		}
		if ctx.Err() != nil {
			return a.sum, fmt.Errorf("audit: %w", ctx.Err())
		}
		out := a.namespace(ctx, o, secs, pods, sas)
		a.sum.Namespaces++
		if opts.Progress != nil {
			opts.Progress(a.sum.Namespaces)
		}
		if len(out.Secrets) == 0 && len(out.Unreadable) == 0 {
			continue
		}
		if err := emit(out); err != nil {
			return a.sum, err
		}
	}
	return a.sum, nil
}

// reason is an API error's message; a refusal says so first.
func reason(err error) string {
	if apierrors.IsForbidden(err) {
		return "forbidden: " + err.Error()
	}
	return err.Error()
}

type auditor struct {
	c    *Client
	opts AuditOptions
	sum  *AuditSummary
	// sources caches the payload hash of each sync source ("ns/name").
	sources map[string]sourceState
}

type sourceState struct {
	hash string // "" when unreadable or missing
	err  string // why it could not be read
}

// auditNS is one namespace's objects being audited.
type auditNS struct {
	ns                                      string
	secretsUnknown, podsUnknown, sasUnknown bool
	unreadable                              []string
}

// row is one audited Secret while its namespace is being audited.
type row struct {
	out AuditSecret
	src *dockercfg.Source // the usable payload, nil when none
}

func (r *row) problem(sev Severity, kind, format string, args ...any) {
	r.out.Problems = append(r.out.Problems, AuditProblem{Severity: sev, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// dockerKeys are the data keys of pull secret payloads.
var dockerKeys = []string{corev1.DockerConfigJsonKey, corev1.DockerConfigKey}

// isCandidate reports whether a Secret is audited without a reference: a
// pull secret type, or an Opaque Secret holding a docker config.
func isCandidate(s *corev1.Secret) bool {
	if _, ok := secrets.FormatOf(s.Type); ok {
		return true
	}
	if s.Type == corev1.SecretTypeOpaque || s.Type == "" {
		for _, k := range dockerKeys {
			if _, ok := s.Data[k]; ok {
				return true
			}
		}
	}
	return false
}

func (a *auditor) namespace(ctx context.Context, o *auditNS, secs []*corev1.Secret, pods []*corev1.Pod, sas []*corev1.ServiceAccount) *AuditNamespace {
	a.sum.Pods += len(pods)
	a.sum.ServiceAccounts += len(sas)
	byName := make(map[string]*corev1.Secret, len(secs))
	for _, s := range secs {
		byName[s.Name] = s
	}
	rows := map[string]*row{}
	get := func(name string) *row {
		if r := rows[name]; r != nil {
			return r
		}
		s := byName[name]
		r := &row{out: AuditSecret{Namespace: o.ns, Name: name, Registries: []string{}, Users: []string{}, ServiceAccounts: []string{}, Problems: []AuditProblem{}}}
		if s == nil {
			r.out.Missing = true
		} else {
			a.check(ctx, r, s)
		}
		rows[name] = r
		return r
	}
	for _, s := range secs {
		if isCandidate(s) {
			get(s.Name)
		}
	}
	// References: ServiceAccounts, then pods (own list or their SA's).
	saRefs := make(map[string][]string, len(sas))
	for _, sa := range sas {
		var names []string
		for _, ref := range sa.ImagePullSecrets {
			if ref.Name == "" || slices.Contains(names, ref.Name) {
				continue
			}
			names = append(names, ref.Name)
			r := get(ref.Name)
			r.out.ServiceAccounts = append(r.out.ServiceAccounts, sa.Name)
		}
		saRefs[sa.Name] = names
	}
	chains := map[string]*chainResult{}
	for _, p := range pods {
		var names []string
		if len(p.Spec.ImagePullSecrets) > 0 {
			for _, ref := range p.Spec.ImagePullSecrets {
				if ref.Name != "" && !slices.Contains(names, ref.Name) {
					names = append(names, ref.Name)
				}
			}
		} else {
			names = saRefs[serviceAccountOf(&p.Spec)]
		}
		for _, n := range names {
			get(n).out.Pods++
		}
		if len(names) > 1 {
			a.chain(o.ns, p, names, rows, chains)
		}
	}
	for _, k := range sortedKeys(chains) {
		chains[k].report(rows)
	}
	out := &AuditNamespace{Namespace: o.ns, Secrets: make([]AuditSecret, 0, len(rows)), Unreadable: o.unreadable}
	for _, name := range sortedKeys(rows) {
		r := rows[name]
		if r.out.Missing {
			if o.secretsUnknown {
				continue // not known to be missing: the list was refused
			}
			who := refDescription(&r.out)
			r.problem(SeverityError, ProblemMissing, "referenced by %s but the Secret does not exist; the kubelet skips it", who)
		} else if r.out.Pods == 0 && len(r.out.ServiceAccounts) == 0 && !o.podsUnknown && !o.sasUnknown {
			r.problem(SeverityInfo, ProblemUnused, "no Pod or ServiceAccount in %s refers to it", o.ns)
		}
		for _, p := range r.out.Problems {
			switch p.Severity {
			case SeverityError:
				a.sum.Errors++
			case SeverityWarning:
				a.sum.Warnings++
			default:
				a.sum.Infos++
			}
		}
		a.sum.Secrets++
		out.Secrets = append(out.Secrets, r.out)
	}
	return out
}

func refDescription(s *AuditSecret) string {
	var parts []string
	if len(s.ServiceAccounts) > 0 {
		parts = append(parts, "serviceaccount "+strings.Join(s.ServiceAccounts, ", "))
	}
	if s.Pods > 0 {
		parts = append(parts, fmt.Sprintf("%d pod(s)", s.Pods))
	}
	return strings.Join(parts, " and ")
}

// check audits one existing Secret: payload, type and key, tokens, keys and
// sync state.
func (a *auditor) check(ctx context.Context, r *row, s *corev1.Secret) {
	r.out.Type = string(s.Type)
	if r.out.Type == "" {
		r.out.Type = string(corev1.SecretTypeOpaque)
	}
	label := s.Namespace + "/" + s.Name
	f, typed := secrets.FormatOf(s.Type)
	var key string
	if typed {
		key = secrets.DataKey(f)
		if _, ok := s.Data[key]; !ok {
			other := secrets.DataKey(otherFormat(f))
			if _, has := s.Data[other]; has {
				r.problem(SeverityError, ProblemWrongKey, "type %s but data key %q; the kubelet ignores this secret", s.Type, other)
				key, f = other, otherFormat(f)
			} else {
				r.problem(SeverityError, ProblemWrongKey, "type %s but no data key %q; the kubelet ignores this secret", s.Type, key)
				return
			}
		}
	} else {
		var found []string
		for _, k := range dockerKeys {
			if _, ok := s.Data[k]; ok {
				found = append(found, k)
			}
		}
		switch {
		case len(found) == 0:
			r.problem(SeverityError, ProblemNotPullSecret, "type %s is not a pull secret type; the kubelet skips it (it uses only %s and %s)", r.out.Type, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
			return
		default:
			key = found[0]
			if key == corev1.DockerConfigKey {
				f = dockercfg.FormatLegacy
			} else {
				f = dockercfg.FormatConfigJSON
			}
			r.problem(SeverityWarning, ProblemOpaque, "type %s holds a docker config in %q: the kubelet ignores it; pullsecret convert writes it as type %s", r.out.Type, key, secrets.Type(f))
		}
	}
	payload := s.Data[key]
	if len(payload) == 0 {
		r.problem(SeverityError, ProblemMalformed, "data[%s] is empty", key)
		return
	}
	cfg, err := dockercfg.Parse(payload)
	if err != nil {
		r.problem(SeverityError, ProblemMalformed, "data[%s]: %s", key, redactedParseError(err))
		return
	}
	if typed && len(cfg.Entries) > 0 && cfg.Format != f {
		r.problem(SeverityError, ProblemWrongKey, "data[%s] holds the %s format, not %s; the kubelet cannot read it", key, cfg.Format, f)
	}
	src := dockercfg.Source{Name: SourceName, Secret: label, Type: r.out.Type, Config: cfg}
	r.src = &src
	for _, e := range cfg.Entries {
		reg := e.Key
		if k, err := dockercfg.ParseKey(e.Key); err == nil {
			reg = k.String()
		}
		if !slices.Contains(r.out.Registries, reg) {
			r.out.Registries = append(r.out.Registries, reg)
		}
		if e.Username != "" && !slices.Contains(r.out.Users, e.Username) {
			r.out.Users = append(r.out.Users, e.Username)
		}
	}
	a.lint(r, src)
	a.syncState(ctx, r, s)
}

// redactedParseError is a parse error's message; dockercfg's errors name
// fields and positions, never values.
func redactedParseError(err error) string { return err.Error() }

func otherFormat(f dockercfg.Format) dockercfg.Format {
	if f == dockercfg.FormatLegacy {
		return dockercfg.FormatConfigJSON
	}
	return dockercfg.FormatLegacy
}

// lint turns inspect's warnings into problems and adds token expiry.
func (a *auditor) lint(r *row, src dockercfg.Source) {
	rep := dockercfg.Inspect([]dockercfg.Source{src}, dockercfg.InspectOptions{Now: a.opts.Now})
	for _, w := range rep.Warnings {
		r.problem(SeverityWarning, ProblemLint, "%s", strings.TrimPrefix(w, src.Label()+": "))
	}
	for i, ie := range rep.Entries {
		for _, w := range ie.Warnings {
			switch {
			case strings.HasPrefix(w, "token expired") || strings.HasPrefix(w, "token expires"):
				// reported below with the window
			case isKeyWarning(ie.Key, w):
				r.problem(SeverityWarning, ProblemKeySpelling, "%s", w)
			default:
				r.problem(SeverityWarning, ProblemLint, "%s: %s", ie.Key, w)
			}
		}
		if i < len(src.Config.Entries) {
			a.tokens(r, src.Config.Entries[i])
		}
	}
	for _, e := range src.Config.Entries {
		if w := kubeletMissesHub(e.Key); w != "" {
			r.problem(SeverityWarning, ProblemKeySpelling, "%s", w)
		}
	}
}

func isKeyWarning(key, w string) bool { return slices.Contains(dockercfg.KeyWarnings(key), w) }

// tokens reports expired and soon-expiring tokens of an entry: JWT exp, and
// the known formats of cloud registry tokens.
func (a *auditor) tokens(r *row, e *dockercfg.Entry) {
	for _, tok := range []string{e.Password, e.IdentityToken, e.RegistryToken} {
		exp, what, ok := tokenExpiry(e.Username, tok)
		if !ok {
			continue
		}
		d := exp.Sub(a.opts.Now)
		at := exp.UTC().Format(time.RFC3339)
		switch {
		case d <= 0:
			r.problem(SeverityError, ProblemExpired, "%s for %s (user %q) expired %s ago (%s)", what, e.Key, e.Username, (-d).Round(time.Second), at)
		case d <= a.opts.ExpiryWindow:
			r.problem(SeverityWarning, ProblemExpiring, "%s for %s (user %q) expires in %s (%s)", what, e.Key, e.Username, d.Round(time.Second), at)
		}
	}
	if e.Username == "oauth2accesstoken" && e.Password != "" {
		if _, _, ok := tokenExpiry(e.Username, e.Password); !ok {
			r.problem(SeverityWarning, ProblemExpiring, "%s: user oauth2accesstoken is a Google access token, valid for one hour; use a service account key (_json_key) or a credential provider", e.Key)
		}
	}
}

// syncState compares a synced copy with its annotation and its source.
func (a *auditor) syncState(ctx context.Context, r *row, s *corev1.Secret) {
	source := s.Annotations[SyncSourceAnnotation]
	if source == "" {
		return
	}
	r.out.Source = source
	own := SyncHash(s.Type, s.Data)
	if h := strings.TrimPrefix(s.Annotations[SyncHashAnnotation], "sha256:"); h != "" && len(h) == 64 && h != own {
		r.problem(SeverityWarning, ProblemOutOfSync, "type or payload changed since it was copied from %s (its %s annotation does not match)", source, SyncHashAnnotation)
	}
	st, ok := a.sources[source]
	if !ok {
		st = a.readSource(ctx, source)
		a.sources[source] = st
	}
	switch {
	case st.err != "":
		r.problem(SeverityWarning, ProblemOutOfSync, "source %s: %s", source, st.err)
	case st.hash != own:
		r.problem(SeverityWarning, ProblemOutOfSync, "type or payload differs from its source %s; the next pullsecret sync updates it", source)
	}
}

func (a *auditor) readSource(ctx context.Context, source string) sourceState {
	ns, name, ok := strings.Cut(source, "/")
	if !ok || ns == "" || name == "" {
		return sourceState{err: fmt.Sprintf("annotation %s is not namespace/name", SyncSourceAnnotation)}
	}
	s, err := a.c.Clientset.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return sourceState{err: "the source Secret does not exist (pullsecret sync --prune removes this copy)"}
	case err != nil:
		msg := (&AccessError{Verb: "get", Resource: "secret", Namespace: ns, Name: name, Err: err}).Error()
		if apierrors.IsForbidden(err) {
			a.sum.Unreadable = append(a.sum.Unreadable, msg)
		}
		return sourceState{err: "cannot compare: " + msg}
	}
	return sourceState{hash: SyncHash(s.Type, s.Data)}
}
