package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// redacted stands for a payload in validation errors, as on the API server.
const redacted = "<secret contents redacted>"

// Errors wrapped by Validate and CheckPayload.
var (
	// ErrInvalid is wrapped by every *ValidationError.
	ErrInvalid = errors.New("invalid secret")
	// ErrWrongFormat: the payload is a docker config of the other format
	// than the secret type declares; the kubelet finds no credentials in it.
	ErrWrongFormat = errors.New("payload format does not match the secret type")
	// ErrNoEntries: the payload holds no registry entry.
	ErrNoEntries = errors.New("no registry entries: the kubelet gets no credentials from it")
	// ErrNoInlineCredentials: an entry has no username, password, auth or
	// token; the kubelet does not run credsStore or credHelpers helpers.
	ErrNoInlineCredentials = errors.New("no inline credentials (the kubelet does not run credsStore or credHelpers; use pullsecret convert)")
)

// ValidationError lists what is wrong with a Secret, one field.Error per
// problem, in field order. It never contains a payload.
type ValidationError struct {
	Name   string // metadata.name of the secret
	Errors field.ErrorList
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		msgs[i] = fe.Error()
	}
	return fmt.Sprintf("invalid secret %q: %s", e.Name, strings.Join(msgs, "; "))
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Validate checks s as the API server does on creation (ValidateSecret):
// metadata (DNS-1123 subdomain name, DNS-1123 label namespace when set,
// labels, annotations), data keys (IsConfigMapKey), total data size at most
// MaxSize, and for the pull secret types the required data key holding a JSON
// object. stringData is merged over data first. For pull secret types it then
// applies CheckPayload, which the API server does not. The error is a
// *ValidationError.
func Validate(s *corev1.Secret) error {
	meta := field.NewPath("metadata")
	errs := apivalidation.ValidateObjectMeta(&s.ObjectMeta, s.Namespace != "", apivalidation.NameIsDNSSubdomain, meta)
	data := mergedData(s)
	dataPath := field.NewPath("data")
	total := 0
	for _, k := range sortedKeys(data) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(dataPath.Key(k), k, msg))
		}
		total += len(data[k])
	}
	if total > MaxSize {
		errs = append(errs, field.TooLong(dataPath, "", MaxSize))
	}
	if f, ok := FormatOf(s.Type); ok {
		key := DataKey(f)
		payload, ok := data[key]
		switch {
		case !ok:
			errs = append(errs, field.Required(dataPath.Key(key), ""))
		default:
			if err := jsonObject(payload); err != nil {
				errs = append(errs, field.Invalid(dataPath.Key(key), redacted, err.Error()))
			} else if _, err := CheckPayload(payload, f); err != nil {
				errs = append(errs, field.Invalid(dataPath.Key(key), redacted, err.Error()))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Field != errs[j].Field {
			return errs[i].Field < errs[j].Field
		}
		return errs[i].Error() < errs[j].Error()
	})
	return &ValidationError{Name: s.Name, Errors: errs}
}

// CheckPayload parses a pull secret payload and checks what the kubelet
// needs to use it: a docker config (dockercfg.Parse: valid JSON, no duplicate
// keys, auth values that decode) of format f (ErrWrongFormat otherwise), with
// at least one entry (ErrNoEntries) and every entry carrying inline
// credentials (ErrNoInlineCredentials). Errors name the entry, never a value.
func CheckPayload(payload []byte, f dockercfg.Format) (*dockercfg.Config, error) {
	cfg, err := dockercfg.Parse(payload)
	if err != nil {
		return nil, err
	}
	if len(cfg.Entries) == 0 {
		if cfg.CredsStore != "" || len(cfg.CredHelpers) > 0 {
			return nil, fmt.Errorf("%w: credentials are only in credsStore/credHelpers, which the kubelet ignores; use pullsecret convert", ErrNoEntries)
		}
		return nil, ErrNoEntries
	}
	if cfg.Format != f {
		return nil, wrongFormat(cfg.Format, f)
	}
	for _, e := range cfg.Entries {
		if !e.HasCredentials() {
			if h := cfg.HelperFor(e.Key); h != "" {
				return nil, fmt.Errorf("entry %q: %w (it relies on helper %q)", e.Key, ErrNoInlineCredentials, h)
			}
			return nil, fmt.Errorf("entry %q: %w", e.Key, ErrNoInlineCredentials)
		}
	}
	return cfg, nil
}

func wrongFormat(got, want dockercfg.Format) error {
	if want == dockercfg.FormatLegacy {
		return fmt.Errorf(`%w: payload is {"auths":{...}} (dockerconfigjson format), but type %s needs the flat {"<registry>":{...}} map; the kubelet would find no credentials in it`, ErrWrongFormat, Type(want))
	}
	return fmt.Errorf(`%w: payload is a legacy flat dockercfg map, but type %s needs {"auths":{...}}; the kubelet would find no credentials in it`, ErrWrongFormat, Type(want))
}

// jsonObject is the API server's content check (the value must unmarshal
// into a map), with an error that quotes no input.
func jsonObject(b []byte) error {
	if err := json.Unmarshal(b, &map[string]any{}); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at byte %d", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("must be a JSON object, found a JSON %s", te.Value)
		}
		return errors.New("invalid JSON")
	}
	return nil
}

// mergedData is data with stringData written over it, as the API server
// stores it.
func mergedData(s *corev1.Secret) map[string][]byte {
	if len(s.StringData) == 0 {
		return s.Data
	}
	m := make(map[string][]byte, len(s.Data)+len(s.StringData))
	for k, v := range s.Data {
		m[k] = v
	}
	for k, v := range s.StringData {
		m[k] = []byte(v)
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
