package dockercfg

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// DockerHubKey is the key under which Docker Hub credentials are written: the
// only spelling that the kubelet, docker (and go-containerregistry) and podman
// all find for an image such as "nginx".
const DockerHubKey = "https://index.docker.io/v1/"

// DockerHubHost is the canonical host of Docker Hub in a Key.
const DockerHubHost = "docker.io"

// ErrInvalidKey is wrapped by errors for registry keys that cannot be parsed.
var ErrInvalidKey = errors.New("invalid registry key")

var dockerHubAliases = map[string]bool{
	"docker.io":               true,
	"index.docker.io":         true,
	"registry-1.docker.io":    true,
	"registry.hub.docker.com": true,
}

// Key is a normalised registry key: a lower-case host (with port, if any) and
// an optional repository path scope without leading or trailing slashes. Docker
// Hub aliases all have the Host DockerHubHost. Key is comparable.
type Key struct {
	Host string
	Path string
}

// ParseKey normalises a key as written in a credential file or flag: it drops
// an http:// or https:// scheme and a leading /v1/ or /v2/ path element,
// lower-cases the host and maps Docker Hub aliases to DockerHubHost. The port
// is kept: registry:443 and registry are different keys to every consumer.
func ParseKey(raw string) (Key, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Key{}, fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if scheme, rest, ok := splitScheme(s); ok {
		if l := strings.ToLower(scheme); l != "http" && l != "https" {
			return Key{}, fmt.Errorf("%w %q: scheme %q is not http or https", ErrInvalidKey, redactUserinfo(raw), scheme)
		}
		s = rest
	}
	host, path, _ := strings.Cut(s, "/")
	host = strings.ToLower(host)
	if host == "" {
		return Key{}, fmt.Errorf("%w %q: no host", ErrInvalidKey, redactUserinfo(raw))
	}
	if strings.Contains(host, "@") {
		// user:password@host: never echo what precedes the @.
		return Key{}, fmt.Errorf("%w %q: user information (user:password@) is not allowed in a key", ErrInvalidKey, redactUserinfo(raw))
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_:*?[]", r)) {
			return Key{}, fmt.Errorf("%w %q: host contains %q", ErrInvalidKey, raw, r)
		}
	}
	path = trimPath(path)
	if path == "v1" || path == "v2" {
		path = ""
	} else if strings.HasPrefix(path, "v1/") || strings.HasPrefix(path, "v2/") {
		path = trimPath(path[3:])
	}
	if dockerHubAliases[host] {
		host = DockerHubHost
	}
	return Key{Host: host, Path: path}, nil
}

// splitScheme splits "scheme://rest" when "://" comes before any "/", so that
// a path such as quay.io/a://b is not mistaken for a scheme.
func splitScheme(s string) (scheme, rest string, ok bool) {
	i := strings.Index(s, "://")
	if i < 0 || strings.Contains(s[:i], "/") {
		return "", s, false
	}
	return s[:i], s[i+3:], true
}

// trimPath drops leading and trailing slashes and white space, so that the
// path of a Key never needs them and Key.String parses back to the same Key.
func trimPath(p string) string {
	return strings.TrimFunc(p, func(r rune) bool { return r == '/' || unicode.IsSpace(r) })
}

// redactUserinfo replaces everything before the last @ of the host part of a
// key with "…", so a key written as user:password@host is quoted safely.
func redactUserinfo(raw string) string {
	s := raw
	prefix := ""
	if scheme, rest, ok := splitScheme(s); ok {
		prefix, s = scheme+"://", rest
	}
	host, path, hasPath := strings.Cut(s, "/")
	i := strings.LastIndex(host, "@")
	if i < 0 {
		return raw
	}
	out := prefix + "…" + host[i:]
	if hasPath {
		out += "/" + path
	}
	return out
}

// IsDockerHub reports whether k names Docker Hub.
func (k Key) IsDockerHub() bool { return k.Host == DockerHubHost }

// Registry returns the host part as images name it ("docker.io" for Docker Hub).
func (k Key) Registry() string { return k.Host }

// String returns the canonical written form of k: DockerHubKey for Docker Hub
// without a path, otherwise host or host/path.
func (k Key) String() string {
	if k.Path == "" {
		if k.IsDockerHub() {
			return DockerHubKey
		}
		return k.Host
	}
	return k.Host + "/" + k.Path
}

// Contains reports whether an image repository "host/path" is inside the scope
// of k, segment by segment: quay.io/repo contains quay.io/repo/x but not
// quay.io/repository-main.
func (k Key) Contains(host, repository string) bool {
	if k.Host != host {
		return false
	}
	if k.Path == "" {
		return true
	}
	return repository == k.Path || strings.HasPrefix(repository, k.Path+"/")
}

// KeyWarnings lists what is non-canonical about a key as written: a scheme, a
// /v1 or /v2 path, upper-case letters in the host, a default port, a Docker Hub
// alias other than DockerHubKey. It returns nil for a canonical key or one that
// does not parse.
func KeyWarnings(raw string) []string {
	k, err := ParseKey(raw)
	if err != nil {
		return nil
	}
	var w []string
	canonical := k.String()
	if k.IsDockerHub() {
		if raw != DockerHubKey && k.Path == "" {
			w = append(w, fmt.Sprintf("Docker Hub alias %q: docker and go-containerregistry only find %q", raw, DockerHubKey))
		}
		return w
	}
	s := strings.TrimSpace(raw)
	if scheme, rest, ok := splitScheme(s); ok {
		w = append(w, fmt.Sprintf("scheme %q in key %q; canonical key is %q", scheme+"://", raw, canonical))
		s = rest
	}
	host, path, _ := strings.Cut(s, "/")
	if p := trimPath(path); p == "v1" || p == "v2" || strings.HasPrefix(p, "v1/") || strings.HasPrefix(p, "v2/") {
		w = append(w, fmt.Sprintf("API version path in key %q; canonical key is %q", raw, canonical))
	}
	if host != strings.ToLower(host) {
		w = append(w, fmt.Sprintf("upper-case host in key %q: the kubelet, docker and podman match hosts case-sensitively; use %q", raw, canonical))
	}
	if strings.HasSuffix(host, ":443") {
		w = append(w, fmt.Sprintf("default port in key %q: it only matches images written with :443", raw))
	}
	if strings.ContainsAny(host, "*?[") {
		w = append(w, fmt.Sprintf("wildcard key %q: only the kubelet matches wildcards; docker, podman and crane ignore it", raw))
	}
	return w
}
