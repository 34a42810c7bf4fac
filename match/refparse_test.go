package match

import (
	"testing"

	"github.com/distribution/reference"
)

// refCorpus are references on which our parser must agree with
// distribution/reference, the library the kubelet uses.
var refCorpus = []string{
	"nginx", "nginx:1.27", "nginx:latest@sha256:" + hex64, "nginx@sha256:" + hex64, "library/nginx",
	"docker.io/nginx", "index.docker.io/nginx", "docker.io/library/nginx:1", "quay.io/repository-main:1",
	"quay.io/a/b/c:v1.2-rc_3", "localhost/app", "localhost:5000/app", "LOCALHOST/app", "Registry.Example.com/a",
	"10.0.0.7:5000/team/app:v1", "[::1]:5000/app", "[fe80::1]/app", "a.b-c.d/x__y/z--w/q.r_s:T",
	"quay.io/Upper", "Upper", "quay.io/a//b", "quay.io/a/", "/a", "quay.io", "quay.io/-a", "quay.io/a-",
	"quay.io/a:", "quay.io/a:-x", "quay.io/a:.x", "quay.io/a@sha256:abc", "quay.io/a@md5:" + hex64[:32],
	"quay.io/a@sha512:" + hex64 + hex64, "quay.io/a@SHA256:" + hex64, "quay.io/a@sha256:" + upperHex64,
	hex64, "nginx:" + string(make([]byte, 0)), "registry:5000", "host:port/a", "ho_st/a", "-host.io/a",
	"host-.io/a", "a.io:/x", "a.io:80a/x", "quay.io/a___b", "quay.io/a..b", "quay.io/a.-b", "quay.io/a_b",
	"ns/repo:tag@sha256:" + hex64, "x:1:2", "a/b:c/d", "",
}

const (
	hex64      = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	upperHex64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

// compareWithDistribution checks that parseNormalizedNamed accepts exactly
// what reference.ParseNormalizedNamed accepts, with the same parts.
func compareWithDistribution(t *testing.T, s string) {
	t.Helper()
	got, gotErr := parseNormalizedNamed(s)
	named, wantErr := reference.ParseNormalizedNamed(s)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: our error %v, distribution/reference error %v", s, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	want := parsedRef{domain: reference.Domain(named), path: reference.Path(named)}
	if tg, ok := named.(reference.Tagged); ok {
		want.tag = tg.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		want.digest = d.Digest().String()
	}
	if got != want {
		t.Fatalf("%q: got %+v, want %+v", s, got, want)
	}
}

func TestParseNormalizedNamedMatchesDistribution(t *testing.T) {
	t.Parallel()
	for _, s := range refCorpus {
		compareWithDistribution(t, s)
	}
}

func FuzzParseNormalizedNamedDifferential(f *testing.F) {
	for _, s := range refCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		compareWithDistribution(t, s)
	})
}
