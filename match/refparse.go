package match

import (
	"errors"
	"fmt"
	"strings"
)

// This file implements the image reference grammar of
// github.com/distribution/reference (ParseNormalizedNamed), which the
// kubelet uses, without its package-level regular expressions: compiling
// them costs about 4 ms at every process start, more than the rest of
// pullsecret's initialisation.

const (
	maxNameLength = 255
	maxTagLength  = 128
)

// Errors of the reference grammar, matching distribution/reference's texts.
var (
	errRefFormat    = errors.New("invalid reference format")
	errRefLowercase = errors.New("invalid reference format: repository name must be lowercase")
	errRefNameLong  = errors.New("repository name must not be more than 255 characters")
	errRefHexName   = errors.New("invalid repository name: cannot specify 64-byte hexadecimal strings")
	errRefDigest    = errors.New("invalid digest format")
)

// parsedRef is a normalised reference: domain, path, tag and digest.
type parsedRef struct {
	domain, path, tag, digest string
}

// parseNormalizedNamed parses s as distribution/reference's
// ParseNormalizedNamed does: Docker Hub names get the domain docker.io and,
// for one-component names, the library/ prefix; index.docker.io becomes
// docker.io.
func parseNormalizedNamed(s string) (parsedRef, error) {
	if isHex64(s) {
		return parsedRef{}, errRefHexName
	}
	domain, remainder := splitDockerDomain(s)
	// The repository part must be lower case (checked before the grammar,
	// as distribution does, for its clearer message).
	name := remainder
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	if strings.ToLower(name) != name {
		return parsedRef{}, errRefLowercase
	}
	r, err := parseReference(domain + "/" + remainder)
	if err != nil {
		return parsedRef{}, err
	}
	return r, nil
}

// splitDockerDomain separates the registry from the rest: the first path
// component is a registry only if it contains '.' or ':', is "localhost", or
// has upper-case letters.
func splitDockerDomain(name string) (domain, remainder string) {
	i := strings.IndexRune(name, '/')
	if i == -1 || (!strings.ContainsAny(name[:i], ".:") && name[:i] != "localhost" && strings.ToLower(name[:i]) == name[:i]) {
		domain, remainder = dockerHubDomain, name
	} else {
		domain, remainder = name[:i], name[i+1:]
	}
	if domain == "index.docker.io" {
		domain = dockerHubDomain
	}
	if domain == dockerHubDomain && !strings.ContainsRune(remainder, '/') {
		remainder = "library/" + remainder
	}
	return domain, remainder
}

// parseReference parses "domain/path[:tag][@digest]".
func parseReference(s string) (parsedRef, error) {
	var r parsedRef
	if i := strings.IndexByte(s, '@'); i >= 0 {
		r.digest = s[i+1:]
		s = s[:i]
		if !validDigest(r.digest) {
			return parsedRef{}, errRefDigest
		}
	}
	// A tag follows the last ':' that comes after the last '/'.
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		r.tag = s[i+1:]
		s = s[:i]
		if !validTag(r.tag) {
			return parsedRef{}, errRefFormat
		}
	}
	if len(s) > maxNameLength {
		return parsedRef{}, errRefNameLong
	}
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return parsedRef{}, errRefFormat
	}
	r.domain, r.path = s[:slash], s[slash+1:]
	if !validDomain(r.domain) || !validPath(r.path) {
		return parsedRef{}, errRefFormat
	}
	return r, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) || s[i] >= 'A' && s[i] <= 'F' {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

// validTag: [\w][\w.-]{0,127}.
func validTag(t string) bool {
	if t == "" || len(t) > maxTagLength {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if isAlnum(c) || c == '_' || (i > 0 && (c == '.' || c == '-')) {
			continue
		}
		return false
	}
	return true
}

// validPath: components [a-z0-9]+(separator[a-z0-9]+)* joined by '/', where
// a separator is '.', '_', "__" or one or more '-'.
func validPath(p string) bool {
	if p == "" {
		return false
	}
	for _, comp := range strings.Split(p, "/") {
		if !validComponent(comp) {
			return false
		}
	}
	return true
}

func validComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		// a separator run
		j := i
		for j < len(c) && !isLowerAlnum(c[j]) {
			j++
		}
		sep := c[i:j]
		switch {
		case sep == "." || sep == "_" || sep == "__":
		case strings.Trim(sep, "-") == "":
		default:
			return false
		}
		i = j
	}
	return true
}

// validDomain: host[:port] where host is dot-separated labels of
// [a-zA-Z0-9] with inner '-', or a bracketed IPv6 address.
func validDomain(d string) bool {
	host, port := d, ""
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return false
		}
		host, port = d[:end+1], d[end+1:]
		if !validIPv6(host[1:end]) {
			return false
		}
	} else if i := strings.LastIndexByte(d, ':'); i >= 0 {
		host, port = d[:i], d[i:]
		if !validHostname(host) {
			return false
		}
	} else if !validHostname(host) {
		return false
	}
	if port != "" {
		if port[0] != ':' || len(port) < 2 {
			return false
		}
		for i := 1; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}

func validHostname(h string) bool {
	if h == "" {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

func validIPv6(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) && s[i] != ':' {
			return false
		}
	}
	return true
}

// validDigest checks algorithm:encoded as go-digest's Parse does for the
// registered algorithms (sha256, sha384, sha512) and the grammar for others.
func validDigest(d string) bool {
	alg, enc, ok := strings.Cut(d, ":")
	if !ok || alg == "" || enc == "" {
		return false
	}
	want := map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}[alg]
	if want == 0 {
		return false // go-digest rejects unregistered algorithms
	}
	if len(enc) != want {
		return false
	}
	for i := 0; i < len(enc); i++ {
		if !(enc[i] >= '0' && enc[i] <= '9' || enc[i] >= 'a' && enc[i] <= 'f') {
			return false
		}
	}
	return true
}

// refError names the image in a reference error.
func refError(image string, err error) error {
	return fmt.Errorf("parse image reference %q: %w", image, err)
}
