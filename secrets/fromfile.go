package secrets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

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
