package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// Errors wrapped by ReadSource.
var (
	// ErrNoPullSecrets: the manifests hold no Secret of a pull secret type.
	ErrNoPullSecrets = errors.New("no pull secrets (types kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg) found")
	// ErrNotPullSecret: a Secret of another type, or whose data key does not
	// match its type; the kubelet ignores it.
	ErrNotPullSecret = errors.New("not a usable pull secret")
	// ErrNotManifest: content that is neither a docker config nor
	// Kubernetes manifests.
	ErrNotManifest = errors.New("not a docker config or Kubernetes manifest")
)

// SecretError is a problem with one Secret of a manifest file: another type
// than the two pull secret types (errors.Is ErrNotPullSecret), a data key
// that does not match the type, an empty payload, or a payload that is not a
// docker config of the type's format (a *dockercfg.ParseError, or
// ErrWrongFormat). Err says what is wrong without naming the file or the
// secret, and never holds a credential.
type SecretError struct {
	File   string // the file name as given to the reader ("-" for standard input)
	Secret string // "namespace/name", "name", or "(unnamed, document N)"
	Err    error
}

// Error returns "FILE: secret SECRET: " and the cause.
func (e *SecretError) Error() string {
	return e.File + ": secret " + e.Secret + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SecretError) Unwrap() error { return e.Err }

// maxListDepth bounds List nesting (a List of Lists is legal but rare).
const maxListDepth = 3

// ReadSource reads credentials from the content of the file name (used in
// errors only; "-" for standard input). The format is detected from content:
//
//   - a JSON object without a string "kind" member is a docker config.json,
//     containers auth.json or legacy .dockercfg, giving one
//     [dockercfg.Source] with Secret and Type empty;
//   - otherwise the content is Kubernetes manifests, YAML or JSON: one object,
//     a v1 List or SecretList, a YAML stream separated by "---" (its
//     documents YAML or JSON), or JSON objects one after another. Each Secret
//     of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg gives
//     one Source, in file order; stringData overrides data. Objects of other
//     kinds are skipped.
//
// Secrets of other types (Opaque, tls, service-account-token...) are skipped,
// so that the output of kubectl get secret -o yaml can be read; when nothing
// but such Secrets is found, the error names the first (errors.Is
// ErrNotPullSecret). A pull-secret type whose data key does not match, or
// whose payload is not a docker config of the type's format, is an error
// naming the file and the secret (a *SecretError; errors.Is ErrNotPullSecret,
// or a *dockercfg.ParseError for a payload that does not parse): the kubelet
// ignores or fails on such a secret. Manifests
// without any pull secret are ErrNoPullSecrets. Errors never contain
// credential values.
func ReadSource(name string, data []byte) ([]dockercfg.Source, error) {
	return ReadSourceWith(name, data, nil)
}

// ReadOptions configures ReadSourceWith. The zero value (or nil) reads as
// ReadSource does.
type ReadOptions struct {
	// Opaque also reads a Secret of type Opaque (or without a type, which
	// the API server makes Opaque) that holds a pull secret's data key,
	// .dockerconfigjson or .dockercfg, as a pull secret of that key's
	// format: the mistake of the seed's example pull secret, which the
	// kubelet ignores. Its Source has Type "Opaque", so that the caller can
	// say so; it is for a command that repairs such a Secret (convert),
	// never for one that predicts what the kubelet does. An Opaque Secret
	// with both keys is an error (errors.Is ErrNotPullSecret); one with
	// neither is skipped like any other Secret type.
	Opaque bool
}

// ReadSourceWith is ReadSource with options; opts may be nil.
func ReadSourceWith(name string, data []byte, opts *ReadOptions) ([]dockercfg.Source, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	if len(data) > dockercfg.MaxFileSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", name, dockercfg.ErrTooLarge, len(data), dockercfg.MaxFileSize)
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0, bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		// dockercfg reports an empty file and a byte-order mark.
		_, err := dockercfg.ParseNamed(data, name)
		return nil, err
	case trimmed[0] == '[':
		return nil, fmt.Errorf("%s: %w: found a JSON array", name, ErrNotManifest)
	case trimmed[0] == '{' && !hasKind(trimmed):
		cfg, err := dockercfg.ParseNamed(data, name)
		if err != nil {
			return nil, err
		}
		return []dockercfg.Source{{Name: name, Config: cfg}}, nil
	}
	r := &reader{name: name, skipOtherTypes: true, opaque: opts.Opaque}
	if err := r.stream(data); err != nil {
		return nil, err
	}
	if len(r.out) == 0 {
		if len(r.skipped) > 0 {
			// Only Secrets of other types: name the first one.
			return nil, r.skipped[0]
		}
		return nil, fmt.Errorf("%s: %w", name, ErrNoPullSecrets)
	}
	return r.out, nil
}

type reader struct {
	name string
	doc  int // 1-based document number in the stream
	out  []dockercfg.Source
	// skipOtherTypes skips Secrets of types other than the two pull secret
	// types (Opaque, tls, service-account-token...), as in the output of
	// kubectl get secret -o yaml, recording why in skipped.
	skipOtherTypes bool
	skipped        []error
	// opaque reads Opaque Secrets holding a pull secret's data key
	// (ReadOptions.Opaque).
	opaque bool
	// payloads holds, when not nil, the decoded payload of each Source in
	// out, at the same index.
	payloads *[][]byte
}

// object is the part of any Kubernetes object that decides what it is.
type object struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func (r *reader) stream(data []byte) error {
	for doc, err := range documents(data) {
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		r.doc = doc.N
		if err := r.object(doc.JSON, 0); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) object(js []byte, depth int) error {
	var o object
	if err := json.Unmarshal(js, &o); err != nil {
		return fmt.Errorf("%s: document %d: %w: %s", r.name, r.doc, ErrNotManifest, jsonKindOf(js))
	}
	if o.Kind == "" {
		return fmt.Errorf("%s: document %d: %w: no kind", r.name, r.doc, ErrNotManifest)
	}
	if o.APIVersion != "v1" {
		return nil // not a core object: no Secret, List or SecretList
	}
	switch o.Kind {
	case "List", "SecretList":
		if depth >= maxListDepth {
			return fmt.Errorf("%s: document %d: Lists nested more than %d deep", r.name, r.doc, maxListDepth)
		}
		for _, item := range o.Items {
			if err := r.object(item, depth+1); err != nil {
				return err
			}
		}
	case "Secret":
		return r.secret(js)
	}
	return nil
}

func (r *reader) secret(js []byte) error {
	var s corev1.Secret
	if err := json.Unmarshal(js, &s); err != nil {
		if se := r.dataError(js); se != nil {
			return se
		}
		return fmt.Errorf("%s: document %d: decode Secret: %w", r.name, r.doc, cleanDecodeError(err))
	}
	label := r.label(s.Namespace, s.Name)
	fail := func(format string, args ...any) error {
		return &SecretError{File: r.name, Secret: label, Err: fmt.Errorf(format, args...)}
	}
	data := mergedData(&s)
	typ := s.Type
	if typ == "" {
		typ = corev1.SecretTypeOpaque
	}
	f, ok := FormatOf(s.Type)
	if !ok && typ == corev1.SecretTypeOpaque && r.opaque {
		_, hasJSON := data[DataKey(dockercfg.FormatConfigJSON)]
		_, hasLegacy := data[DataKey(dockercfg.FormatLegacy)]
		switch {
		case hasJSON && hasLegacy:
			return fail("%w: type %s with both %q and %q; cannot tell which one is meant", ErrNotPullSecret, typ,
				DataKey(dockercfg.FormatConfigJSON), DataKey(dockercfg.FormatLegacy))
		case hasJSON:
			f, ok = dockercfg.FormatConfigJSON, true
		case hasLegacy:
			f, ok = dockercfg.FormatLegacy, true
		}
	}
	if !ok {
		hint := ""
		if typ == corev1.SecretTypeOpaque && !r.opaque {
			for _, k := range []string{DataKey(dockercfg.FormatConfigJSON), DataKey(dockercfg.FormatLegacy)} {
				if _, has := data[k]; has {
					hint = fmt.Sprintf(" (it holds %s: pullsecret convert writes it as a pull secret)", k)
					break
				}
			}
		}
		err := fail("%w: type %s; the kubelet uses only types %s and %s%s", ErrNotPullSecret, typ, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg, hint)
		if r.skipOtherTypes {
			r.skipped = append(r.skipped, err)
			return nil
		}
		return err
	}
	key := DataKey(f)
	payload, ok := data[key]
	if !ok {
		other := DataKey(otherFormat(f))
		if _, has := data[other]; has {
			return fail("%w: type %s but data key %q; the kubelet ignores this secret", ErrNotPullSecret, s.Type, other)
		}
		return fail("%w: type %s but no data key %q; the kubelet ignores this secret", ErrNotPullSecret, s.Type, key)
	}
	if len(payload) == 0 {
		return fail("%w: data[%s] is empty; the kubelet ignores this secret", ErrNotPullSecret, key)
	}
	cfg, err := dockercfg.Parse(payload)
	if err != nil {
		return fail("data[%s]: %w", key, err)
	}
	if len(cfg.Entries) > 0 && cfg.Format != f {
		return fail("data[%s]: %w", key, wrongFormat(cfg.Format, f))
	}
	r.out = append(r.out, dockercfg.Source{Name: r.name, Secret: label, Type: string(typ), Config: cfg})
	if r.payloads != nil {
		*r.payloads = append(*r.payloads, payload)
	}
	return nil
}

// SourceSecret returns the namespace ("" when the manifest gave none) and
// the name of the Secret a Source of ReadSource was read from; ok is false
// for a plain credential file and for a Secret without a name.
func SourceSecret(s dockercfg.Source) (namespace, name string, ok bool) {
	if s.Secret == "" || strings.HasPrefix(s.Secret, "(") {
		return "", "", false
	}
	if ns, n, found := strings.Cut(s.Secret, "/"); found {
		return ns, n, true
	}
	return "", s.Secret, true
}

// label names a Secret in reports: "namespace/name", "name", or
// "(unnamed, document N)".
func (r *reader) label(namespace, name string) string {
	switch {
	case name == "":
		return fmt.Sprintf("(unnamed, document %d)", r.doc)
	case namespace != "":
		return namespace + "/" + name
	}
	return name
}

// dataError explains a Secret that does not decode because a data value is
// not base64 (the seed's own example pull secret is one): a *SecretError
// naming the secret and the key, or nil when the cause is elsewhere.
func (r *reader) dataError(js []byte) error {
	var probe struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Data map[string]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(js, &probe) != nil {
		return nil
	}
	keys := make([]string, 0, len(probe.Data))
	for k := range probe.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var b []byte
		if err := json.Unmarshal(probe.Data[k], &b); err != nil {
			return &SecretError{File: r.name, Secret: r.label(probe.Metadata.Namespace, probe.Metadata.Name),
				Err: fmt.Errorf("data[%s]: not base64: %w", k, cleanDecodeError(err))}
		}
	}
	return nil
}

func otherFormat(f dockercfg.Format) dockercfg.Format {
	if f == dockercfg.FormatLegacy {
		return dockercfg.FormatConfigJSON
	}
	return dockercfg.FormatLegacy
}

func jsonKindOf(js []byte) string {
	switch t := bytes.TrimSpace(js); {
	case len(t) == 0:
		return "empty"
	case t[0] == '[':
		return "found a list, not an object"
	case t[0] == '"':
		return "found a string, not an object"
	default:
		return "found a scalar, not an object"
	}
}

// cleanDecodeError describes a JSON decoding error without input text.
func cleanDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s: found a JSON %s", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	// base64.CorruptInputError and the rest carry offsets, not input.
	return err
}
