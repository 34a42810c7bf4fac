package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// ParseFileSource splits a kubectl --from-file source, [KEY=]PATH, with the
// rules of kubectl's ParseFileSource: at most one "=", neither at the start
// nor at the end. A bare PATH gets defaultKey, as kubectl create secret
// docker-registry gives it .dockerconfigjson. Errors are kubectl's messages.
func ParseFileSource(src, defaultKey string) (key, file string, err error) {
	switch n := strings.Count(src, "="); {
	case n == 0:
		return defaultKey, src, nil
	case n == 1 && strings.HasPrefix(src, "="):
		return "", "", fmt.Errorf("key name for file path %v missing", strings.TrimPrefix(src, "="))
	case n == 1 && strings.HasSuffix(src, "="):
		return "", "", fmt.Errorf("file path for key name %v missing", strings.TrimSuffix(src, "="))
	case n > 1:
		return "", "", errors.New("key names or file paths cannot contain '='")
	}
	key, file, _ = strings.Cut(src, "=")
	return key, file, nil
}

// ReadPayloadFile reads a file to store in a Secret, refusing directories
// and anything larger than MaxSize before reading it whole. Its errors do
// not repeat the path: the caller names the file.
func ReadPayloadFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, withoutPath(err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory; give a docker config file (%s)", path.Join(filepath.ToSlash(file), "config.json"))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", withoutPath(err))
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d bytes, the most a Secret holds", MaxSize)
	}
	return data, nil
}

// ErrSeveralPullSecrets: manifests given where one pull secret is expected
// (create --from-file, diagnose --node-config) hold more than one.
var ErrSeveralPullSecrets = errors.New("want one pull secret")

// Payload is the docker config a file holds for one pull secret.
type Payload struct {
	// Data is the file's content as it is, for a docker config file, or the
	// decoded payload of the one pull secret in Kubernetes manifests.
	Data []byte
	// Source is the pull secret the payload was read from (Source.Secret,
	// Source.Type, and its parsed Config); nil for a docker config file,
	// whose Data the caller checks (CheckPayload).
	Source *dockercfg.Source
}

// ReadPayload reads the content of the file name (used in errors) that is
// to become the payload of a pull secret of format f, as create
// --from-file reads it. Content that is not Kubernetes manifests (a JSON
// object without a string "kind", a JSON array or string, an empty file, a
// byte-order mark) is returned as it is, for CheckPayload to judge as
// kubectl's --from-file content. Otherwise it must be manifests holding
// exactly one pull secret (ReadSource's rules), whose type gives format f:
// its decoded payload is returned byte for byte. Errors start with name: a
// *SecretError, ErrNoPullSecrets, ErrSeveralPullSecrets, or ErrWrongFormat
// when the Secret's type is the other pull secret type.
func ReadPayload(name string, data []byte, f dockercfg.Format) (*Payload, error) {
	if !isManifest(data) {
		return &Payload{Data: data}, nil
	}
	src, payload, err := readOne(name, data)
	if err != nil {
		return nil, err
	}
	if corev1.SecretType(src.Type) != Type(f) {
		need := `a config.json ({"auths":{...}})`
		if f == dockercfg.FormatLegacy {
			need = `a legacy .dockercfg map ({"<registry>":{...}})`
		}
		return nil, fmt.Errorf("%s: secret %s is type %s: %w: a %s secret needs %s", name, src.Secret, src.Type, ErrWrongFormat, Type(f), need)
	}
	return &Payload{Data: payload, Source: &src}, nil
}

// ReadOneSource reads the content of the file name (used in errors) as one
// credential source: a docker credential file, or Kubernetes manifests
// holding exactly one pull secret (ReadSource's rules), as diagnose
// --node-config reads the node's config.json or the global pull secret it
// is copied from. More than one pull secret is ErrSeveralPullSecrets.
func ReadOneSource(name string, data []byte) (dockercfg.Source, error) {
	if !isManifest(data) {
		srcs, err := ReadSource(name, data)
		if err != nil {
			return dockercfg.Source{}, err
		}
		return srcs[0], nil
	}
	src, _, err := readOne(name, data)
	return src, err
}

// isManifest reports whether content is read as Kubernetes manifests by
// ReadSource: anything but a JSON object without a string "kind", a JSON
// array or string, an empty file or one starting with a byte-order mark.
func isManifest(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return false
	}
	switch t[0] {
	case '[', '"':
		return false
	case '{':
		return hasKind(t)
	}
	return true
}

// readOne reads manifests that must hold exactly one pull secret, and
// returns it with its decoded payload.
func readOne(name string, data []byte) (dockercfg.Source, []byte, error) {
	if len(data) > dockercfg.MaxFileSize {
		return dockercfg.Source{}, nil, fmt.Errorf("%s: %w: %d bytes, limit %d", name, dockercfg.ErrTooLarge, len(data), dockercfg.MaxFileSize)
	}
	var payloads [][]byte
	r := &reader{name: name, skipOtherTypes: true, payloads: &payloads}
	if err := r.stream(data); err != nil {
		return dockercfg.Source{}, nil, err
	}
	switch {
	case len(r.out) == 1:
		return r.out[0], payloads[0], nil
	case len(r.out) > 1:
		names := make([]string, 0, min(len(r.out), 4))
		for i, s := range r.out {
			if i == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, s.Secret)
		}
		return dockercfg.Source{}, nil, fmt.Errorf("%s: %d pull secrets (%s), %w", name, len(r.out), strings.Join(names, ", "), ErrSeveralPullSecrets)
	case len(r.skipped) > 0:
		return dockercfg.Source{}, nil, r.skipped[0]
	}
	return dockercfg.Source{}, nil, fmt.Errorf("%s: %w", name, ErrNoPullSecrets)
}

// PayloadWarnings lists what a pull secret's payload (a config that
// CheckPayload accepted) holds that its consumers ignore or reject, in entry
// order: key spellings some consumer does not find (dockercfg.KeyWarnings),
// identity tokens (the kubelet ignores them), unpadded base64 auth (docker
// and podman reject it), and credsStore/credHelpers (the kubelet does not
// run helpers).
func PayloadWarnings(cfg *dockercfg.Config) []string {
	var out []string
	for _, en := range cfg.Entries {
		out = append(out, dockercfg.KeyWarnings(en.Key)...)
		if en.IdentityToken != "" {
			out = append(out, fmt.Sprintf("entry %q carries an identity token: the kubelet ignores it", en.Key))
		}
		if en.Unpadded {
			out = append(out, fmt.Sprintf("entry %q: auth is unpadded base64, which docker and podman reject", en.Key))
		}
	}
	if cfg.CredsStore != "" || len(cfg.CredHelpers) > 0 {
		out = append(out, "credsStore/credHelpers are stored but the kubelet ignores them")
	}
	return out
}

// withoutPath drops the path an *fs.PathError repeats.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
