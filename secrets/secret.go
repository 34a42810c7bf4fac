package secrets

import (
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// MaxSize is the largest total size of a Secret's data the API server
// accepts: the sum of the decoded values, keys not counted.
const MaxSize = corev1.MaxSecretSize

// Errors wrapped by the constructors.
var (
	// ErrEmptyUsername: a credential needs a user name.
	ErrEmptyUsername = errors.New("username is empty")
	// ErrColonInUsername: auth is "user:password" split at the first colon,
	// so a user name with a colon cannot be carried.
	ErrColonInUsername = errors.New("username contains ':', which the auth field cannot carry (the user name ends at the first colon)")
	// ErrUnknownType: a secret type other than the two pull secret types.
	ErrUnknownType = errors.New("unknown pull secret type")
)

// Type returns the Secret type that holds a payload of format f.
func Type(f dockercfg.Format) corev1.SecretType {
	if f == dockercfg.FormatLegacy {
		return corev1.SecretTypeDockercfg
	}
	return corev1.SecretTypeDockerConfigJson
}

// DataKey returns the data key a Secret of format f must use:
// ".dockerconfigjson" or ".dockercfg".
func DataKey(f dockercfg.Format) string {
	if f == dockercfg.FormatLegacy {
		return corev1.DockerConfigKey
	}
	return corev1.DockerConfigJsonKey
}

// FormatOf returns the payload format of a pull secret type, and false for
// any other type.
func FormatOf(t corev1.SecretType) (dockercfg.Format, bool) {
	switch t {
	case corev1.SecretTypeDockerConfigJson:
		return dockercfg.FormatConfigJSON, true
	case corev1.SecretTypeDockercfg:
		return dockercfg.FormatLegacy, true
	}
	return 0, false
}

// ParseType maps a type as a user writes it ("dockerconfigjson",
// "dockercfg" or the full "kubernetes.io/..." form) to a payload format.
func ParseType(s string) (dockercfg.Format, error) {
	switch s {
	case "dockerconfigjson", string(corev1.SecretTypeDockerConfigJson):
		return dockercfg.FormatConfigJSON, nil
	case "dockercfg", string(corev1.SecretTypeDockercfg):
		return dockercfg.FormatLegacy, nil
	}
	return 0, fmt.Errorf("%w %q: want dockerconfigjson or dockercfg", ErrUnknownType, s)
}

// NewConfig returns a config holding one entry for server with username,
// password, email (optional) and auth, as kubectl builds it. The server key
// is kept verbatim but must parse as a registry key (dockercfg.ParseKey). The
// user name must be non-empty and free of ':'.
func NewConfig(server, username, password, email string) (*dockercfg.Config, error) {
	if _, err := dockercfg.ParseKey(server); err != nil {
		return nil, fmt.Errorf("server %q: %w", server, err)
	}
	if username == "" {
		return nil, ErrEmptyUsername
	}
	if strings.Contains(username, ":") {
		return nil, ErrColonInUsername
	}
	return &dockercfg.Config{
		Format:  dockercfg.FormatConfigJSON,
		Entries: []*dockercfg.Entry{dockercfg.NewEntry(server, username, password, email)},
	}, nil
}

// DockerConfigJSON returns the .dockerconfigjson payload kubectl create
// secret docker-registry builds, byte for byte:
//
//	{"auths":{"<server>":{"username":"<u>","password":"<p>","email":"<e>","auth":"<base64(u:p)>"}}}
//
// compact, with email omitted when empty and encoding/json's HTML escaping.
// Unlike kubectl it refuses an empty user name, a user name containing ':'
// and a server that is not a registry key.
func DockerConfigJSON(server, username, password, email string) ([]byte, error) {
	cfg, err := NewConfig(server, username, password, email)
	if err != nil {
		return nil, err
	}
	return cfg.MarshalAs(dockercfg.FormatConfigJSON)
}

// New returns a pull secret of format f named name holding payload under the
// type's data key. The namespace is set only when non-empty. TypeMeta is set
// (v1, Secret).
func New(name, namespace string, f dockercfg.Format, payload []byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Data:       map[string][]byte{DataKey(f): payload},
		Type:       Type(f),
	}
}

// FromConfig returns a pull secret of format f whose payload is cfg encoded
// in that format (cfg.MarshalAs: compact, entries in order). Converting a
// config.json to the legacy format drops credsStore, credHelpers and other
// top-level members.
func FromConfig(name, namespace string, cfg *dockercfg.Config, f dockercfg.Format) (*corev1.Secret, error) {
	payload, err := cfg.MarshalAs(f)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", f, err)
	}
	return New(name, namespace, f, payload), nil
}
