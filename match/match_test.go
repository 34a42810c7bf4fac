package match

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/docker/cli/cli/config/credentials"
	"github.com/google/go-cmp/cmp"
)

// consumerCase is one row of the cross-anchor matrix
// (docs/matching.md#where-the-consumers-differ; docs/research/anchors-behaviour.md §A): what each consumer picks.
type consumerCase struct {
	name    string
	creds   []Credential
	image   string
	kubelet []string // usernames in kubelet order
	docker  string   // "" = anonymous
	podman  string   // "" = anonymous
}

func runConsumerCases(t *testing.T, cases []consumerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := NewKeyring(tc.creds)
			ref := mustRef(t, tc.image)
			want := tc.kubelet
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, usernames(k.Lookup(ref, SemanticsKubelet))); diff != "" {
				t.Errorf("kubelet (-want +got):\n%s", diff)
			}
			for _, c := range []struct {
				sem  Semantics
				want string
			}{{SemanticsDocker, tc.docker}, {SemanticsPodman, tc.podman}} {
				got := k.Lookup(ref, c.sem)
				if len(got) > 1 {
					t.Errorf("%s returned %d credentials, want at most one", c.sem, len(got))
				}
				gotUser := ""
				if len(got) > 0 {
					gotUser = got[0].Username
				}
				if gotUser != c.want {
					t.Errorf("%s chose %q, want %q (matches %v)", c.sem, gotUser, c.want, got)
				}
			}
		})
	}
}

// TestDockerHubKeys is table §A.1: which Docker Hub keys each consumer
// finds for "nginx".
func TestDockerHubKeys(t *testing.T) {
	t.Parallel()
	runConsumerCases(t, dockerHubKeyCases())
}

func dockerHubKeyCases() []consumerCase {
	return []consumerCase{
		{name: "https://index.docker.io/v1/", creds: []Credential{cred("https://index.docker.io/v1/", "u")}, image: "nginx", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "index.docker.io", creds: []Credential{cred("index.docker.io", "u")}, image: "nginx", kubelet: []string{"u"}, docker: "", podman: "u"},
		{name: "docker.io", creds: []Credential{cred("docker.io", "u")}, image: "nginx", kubelet: []string{"u"}, docker: "", podman: "u"},
		{name: "registry-1.docker.io", creds: []Credential{cred("registry-1.docker.io", "u")}, image: "nginx", kubelet: nil, docker: "", podman: "u"},
		{name: "https://index.docker.io/v2/", creds: []Credential{cred("https://index.docker.io/v2/", "u")}, image: "nginx", kubelet: []string{"u"}, docker: "", podman: "u"},
		{name: "explicit docker.io/library", creds: []Credential{cred("https://index.docker.io/v1/", "u")}, image: "docker.io/library/nginx:1.27", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "index.docker.io image", creds: []Credential{cred("https://index.docker.io/v1/", "u")}, image: "index.docker.io/team/app", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "ggcr repository key", creds: []Credential{cred("https://index.docker.io/v1/", "hub"), cred("index.docker.io/team/app", "repo")}, image: "team/app", kubelet: []string{"hub"}, docker: "repo", podman: "hub"},
		{name: "podman repository key", creds: []Credential{cred("https://index.docker.io/v1/", "hub"), cred("docker.io/team/app", "repo")}, image: "team/app", kubelet: []string{"repo"}, docker: "hub", podman: "repo"},
		{name: "hub key not used elsewhere", creds: []Credential{cred("https://index.docker.io/v1/", "u")}, image: "quay.io/a/b", kubelet: nil, docker: "", podman: ""},
		{name: "kubelet hub fallback for localhost", creds: []Credential{cred("https://index.docker.io/v1/", "u")}, image: "localhost/app", kubelet: []string{"u"}, docker: "", podman: ""},
	}
}

// TestNamespacedKeys is table §A.2.
func TestNamespacedKeys(t *testing.T) {
	t.Parallel()
	runConsumerCases(t, namespacedKeyCases())
}

func namespacedKeyCases() []consumerCase {
	both := []Credential{cred("quay.io", "host"), cred("quay.io/repository-main", "ns")}
	return []consumerCase{
		{name: "exact repository", creds: both, image: "quay.io/repository-main:1", kubelet: []string{"ns", "host"}, docker: "ns", podman: "ns"},
		{name: "sub-repository", creds: both, image: "quay.io/repository-main/foo", kubelet: []string{"ns", "host"}, docker: "host", podman: "ns"},
		{name: "string prefix", creds: both, image: "quay.io/repository-mainx/y", kubelet: []string{"ns", "host"}, docker: "host", podman: "host"},
		{name: "other repository", creds: both, image: "quay.io/other/app:1", kubelet: []string{"host"}, docker: "host", podman: "host"},
		{name: "only a namespace key", creds: []Credential{cred("quay.io/ns", "ns")}, image: "quay.io/other/x", kubelet: nil, docker: "ns", podman: ""},
		{name: "deep parents", creds: []Credential{cred("quay.io/a", "a"), cred("quay.io/a/b", "ab"), cred("quay.io", "host")}, image: "quay.io/a/b/c/d", kubelet: []string{"ab", "a", "host"}, docker: "host", podman: "ab"},
		{name: "trailing slash key", creds: []Credential{cred("quay.io/team/", "t")}, image: "quay.io/team/app", kubelet: []string{"t"}, docker: "t", podman: ""},
		{name: "same key twice keeps order", creds: []Credential{cred("quay.io", "first"), cred("quay.io", "second")}, image: "quay.io/a/b", kubelet: []string{"first", "second"}, docker: "first", podman: "first"},
	}
}

// TestNormalisationDifferences is table §A.3.
func TestNormalisationDifferences(t *testing.T) {
	t.Parallel()
	runConsumerCases(t, normalisationCases())
}

func normalisationCases() []consumerCase {
	noAuth := Credential{Key: "quay.io", Username: "plain", Password: "pw", Source: "config.json"}
	idToken := Credential{Key: "quay.io", IdentityToken: "refresh", HasAuthField: false, Source: "config.json"}
	idTokenAuth := Credential{Key: "quay.io", Username: "<token>", Password: "", IdentityToken: "refresh", HasAuthField: true, Source: "config.json"}
	regToken := Credential{Key: "quay.io", RegistryToken: "bearer", Source: "config.json"}
	return []consumerCase{
		{name: "https scheme", creds: []Credential{cred("https://quay.io", "u")}, image: "quay.io/a/b", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "http scheme", creds: []Credential{cred("http://quay.io", "u")}, image: "quay.io/a/b", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "http and https collide", creds: []Credential{cred("http://quay.io", "plain"), cred("https://quay.io", "tls")}, image: "quay.io/a/b", kubelet: []string{"plain", "tls"}, docker: "plain", podman: "plain"},
		{name: "https v2 suffix", creds: []Credential{cred("https://quay.io/v2/", "u")}, image: "quay.io/a/b", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "schemeless v2 suffix", creds: []Credential{cred("quay.io/v2/", "u")}, image: "quay.io/a/b", kubelet: []string{"u"}, docker: "u", podman: ""},
		{name: "v2 path becomes namespace", creds: []Credential{cred("https://quay.io/v2/team", "u")}, image: "quay.io/team/app", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "key port 443", creds: []Credential{cred("quay.io:443", "u")}, image: "quay.io/a/b", kubelet: nil, docker: "", podman: ""},
		{name: "image port 443", creds: []Credential{cred("quay.io", "u")}, image: "quay.io:443/a/b", kubelet: nil, docker: "", podman: ""},
		{name: "port match", creds: []Credential{cred("registry.example.com:5000", "port"), cred("registry.example.com", "noport")}, image: "registry.example.com:5000/x", kubelet: []string{"port"}, docker: "port", podman: "port"},
		{name: "upper-case host", creds: []Credential{cred("Quay.IO", "u")}, image: "quay.io/a/b", kubelet: nil, docker: "", podman: ""},
		{name: "glob one label", creds: []Credential{cred("*.example.com", "u")}, image: "registry.example.com/a/b", kubelet: []string{"u"}, docker: "", podman: ""},
		{name: "glob two labels", creds: []Credential{cred("*.example.com", "u")}, image: "a.b.example.com/x", kubelet: nil, docker: "", podman: ""},
		{name: "glob partial label", creds: []Credential{cred("app*.k8s.io", "u")}, image: "apps.k8s.io/x", kubelet: []string{"u"}, docker: "", podman: ""},
		{name: "glob shadows hub fallback", creds: []Credential{cred("*.io", "glob"), cred("https://index.docker.io/v1/", "hub")}, image: "nginx", kubelet: []string{"glob"}, docker: "hub", podman: "hub"},
		{name: "literal before glob", creds: []Credential{cred("*.example.com", "glob"), cred("registry.example.com", "lit")}, image: "registry.example.com/a", kubelet: []string{"lit", "glob"}, docker: "lit", podman: "lit"},
		{name: "username and password without auth", creds: []Credential{noAuth}, image: "quay.io/a/b", kubelet: []string{"plain"}, docker: "plain", podman: ""},
		{name: "identity token only", creds: []Credential{idToken}, image: "quay.io/a/b", kubelet: []string{""}, docker: "", podman: ""},
		{name: "identity token with auth", creds: []Credential{idTokenAuth}, image: "quay.io/a/b", kubelet: []string{"<token>"}, docker: "<token>", podman: "<token>"},
		{name: "registry token", creds: []Credential{regToken}, image: "quay.io/a/b", kubelet: []string{""}, docker: "", podman: ""},
		{name: "ip registry", creds: []Credential{cred("10.0.0.7:5000", "u")}, image: "10.0.0.7:5000/team/app:v1", kubelet: []string{"u"}, docker: "u", podman: "u"},
		{name: "localhost", creds: []Credential{cred("localhost:5000", "u")}, image: "localhost:5000/app", kubelet: []string{"u"}, docker: "u", podman: "u"},
	}
}

// TestTokensReachEachConsumer checks what each consumer passes on from an
// entry with identity and registry tokens.
func TestTokensReachEachConsumer(t *testing.T) {
	t.Parallel()
	c := Credential{Key: "quay.io", Username: "u", Password: "p", IdentityToken: "it", RegistryToken: "rt", Email: "e@x", HasAuthField: true, Source: "f"}
	k := NewKeyring([]Credential{c})
	ref := mustRef(t, "quay.io/a")
	tests := []struct {
		sem  Semantics
		want Credential
	}{
		{SemanticsKubelet, Credential{Key: "quay.io", Username: "u", Password: "p", Email: "e@x", HasAuthField: true, Source: "f"}},
		{SemanticsDocker, c},
		{SemanticsPodman, Credential{Key: "quay.io", Username: "u", Password: "p", IdentityToken: "it", HasAuthField: true, Source: "f"}},
	}
	for _, tc := range tests {
		got := k.Lookup(ref, tc.sem)
		if len(got) != 1 {
			t.Fatalf("%s: %d matches", tc.sem, len(got))
		}
		if diff := cmp.Diff(tc.want, got[0].Credential); diff != "" {
			t.Errorf("%s credential (-want +got):\n%s", tc.sem, diff)
		}
	}
	// The registry token reaches docker even without user or password.
	rt := NewKeyring([]Credential{{Key: "quay.io", RegistryToken: "rt"}}).Lookup(ref, SemanticsDocker)
	if len(rt) != 1 || rt[0].RegistryToken != "rt" {
		t.Errorf("docker with registry token only: %v", rt)
	}
}

// TestLookupSources checks that docker and podman search one source (file)
// at a time, while the kubelet merges them.
func TestLookupSources(t *testing.T) {
	t.Parallel()
	a := func(key, user, src string) Credential {
		c := cred(key, user)
		c.Source = src
		return c
	}
	tests := []struct {
		name    string
		creds   []Credential
		image   string
		kubelet []string
		docker  string
		podman  string
	}{
		{
			name:    "host fallback in first file beats exact key in second",
			creds:   []Credential{a("https://quay.io", "first", "f1"), a("quay.io", "second", "f2")},
			image:   "quay.io/a",
			kubelet: []string{"first", "second"},
			docker:  "first",
			podman:  "first",
		},
		{
			name: "podman skips a file whose matching entry has no auth",
			creds: []Credential{
				{Key: "quay.io", Username: "plain", Password: "p", Source: "f1"},
				{Key: "quay.io/a", Username: "other", Password: "p", HasAuthField: true, Source: "f1"},
				a("quay.io", "second", "f2"),
			},
			image:   "quay.io/b",
			kubelet: []string{"plain", "second"},
			docker:  "plain",
			podman:  "second",
		},
		{
			name: "podman stops at the most specific key even without auth",
			creds: []Credential{
				{Key: "quay.io/a", Username: "plain", Password: "p", Source: "f1"},
				a("quay.io", "host", "f1"),
			},
			image:   "quay.io/a",
			kubelet: []string{"plain", "host"},
			docker:  "plain", // go-containerregistry's repository key
			podman:  "",
		},
		{
			name:    "docker skips an empty exact entry",
			creds:   []Credential{{Key: "quay.io/a", Source: "f1"}, a("quay.io", "host", "f1")},
			image:   "quay.io/a",
			kubelet: []string{"", "host"},
			docker:  "host",
			podman:  "", // the empty exact entry ends the file's search
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := NewKeyring(tc.creds)
			ref := mustRef(t, tc.image)
			if diff := cmp.Diff(tc.kubelet, usernames(k.Lookup(ref, SemanticsKubelet))); diff != "" {
				t.Errorf("kubelet (-want +got):\n%s", diff)
			}
			for sem, want := range map[Semantics]string{SemanticsDocker: tc.docker, SemanticsPodman: tc.podman} {
				got := strings.Join(usernames(k.Lookup(ref, sem)), ",")
				if got != want {
					t.Errorf("%s = %q, want %q", sem, got, want)
				}
			}
		})
	}
}

// TestLookupReasons checks Reason, MatchedKey and Note of each consumer.
func TestLookupReasons(t *testing.T) {
	t.Parallel()
	type m struct {
		User, MatchedKey string
		Reason           Reason
		Note             string
	}
	tests := []struct {
		name  string
		creds []Credential
		image string
		sem   Semantics
		want  []m
	}{
		{
			name:  "kubelet exact, prefix, registry",
			creds: []Credential{cred("quay.io", "host"), cred("quay.io/team", "ns"), cred("https://quay.io/team/app", "repo")},
			image: "quay.io/team/app:1", sem: SemanticsKubelet,
			want: []m{
				{"repo", "quay.io/team/app", ReasonExact, ""},
				{"ns", "quay.io/team", ReasonPathPrefix, ""},
				{"host", "quay.io", ReasonRegistry, ""},
			},
		},
		{
			name:  "kubelet string prefix note",
			creds: []Credential{cred("quay.io/repo", "ns")},
			image: "quay.io/repository-main/x", sem: SemanticsKubelet,
			want: []m{{"ns", "quay.io/repo", ReasonPathPrefix, fmt.Sprintf(noteStringPrefix, "/repo", "repository-main/x")}},
		},
		{
			name:  "kubelet wildcard",
			creds: []Credential{cred("*.example.com", "g")},
			image: "r.example.com/a", sem: SemanticsKubelet,
			want: []m{{"g", "*.example.com", ReasonWildcard, noteWildcard}},
		},
		{
			name:  "kubelet hub fallback",
			creds: []Credential{cred("https://index.docker.io/v1/", "hub")},
			image: "nginx", sem: SemanticsKubelet,
			want: []m{{"hub", "index.docker.io", ReasonDockerHubFallback, ""}},
		},
		{
			name:  "kubelet docker.io key matches directly",
			creds: []Credential{cred("docker.io", "hub")},
			image: "nginx", sem: SemanticsKubelet,
			want: []m{{"hub", "docker.io", ReasonRegistry, ""}},
		},
		{
			name:  "kubelet identity token",
			creds: []Credential{{Key: "quay.io", IdentityToken: "t"}},
			image: "quay.io/a", sem: SemanticsKubelet,
			want: []m{{"", "quay.io", ReasonRegistry, noteKubeletToken}},
		},
		{
			name:  "docker hub key",
			creds: []Credential{cred("https://index.docker.io/v1/", "hub")},
			image: "nginx", sem: SemanticsDocker,
			want: []m{{"hub", dockerHubAuthKey, ReasonRegistry, ""}},
		},
		{
			name:  "docker repository key",
			creds: []Credential{cred("quay.io/a/b", "repo"), cred("quay.io", "host")},
			image: "quay.io/a/b", sem: SemanticsDocker,
			want: []m{{"repo", "quay.io/a/b", ReasonExact, noteGGCRRepoKey}},
		},
		{
			name:  "docker host fallback with collision",
			creds: []Credential{cred("quay.io/ns", "ns"), cred("https://quay.io/v1/", "legacy")},
			image: "quay.io/x/y", sem: SemanticsDocker,
			want: []m{{"ns", "quay.io", ReasonHostFallback, fmt.Sprintf(noteDockerRandom, 2, "quay.io")}},
		},
		{
			name:  "docker later source",
			creds: []Credential{{Key: "ghcr.io", Username: "g", Password: "p", Source: "f1"}, {Key: "quay.io", Username: "q", Password: "p", Source: "f2"}},
			image: "quay.io/x", sem: SemanticsDocker,
			want: []m{{"q", "quay.io", ReasonRegistry, noteLaterSource}},
		},
		{
			name:  "podman parent namespace",
			creds: []Credential{cred("quay.io", "host"), cred("quay.io/team", "ns")},
			image: "quay.io/team/app", sem: SemanticsPodman,
			want: []m{{"ns", "quay.io/team", ReasonPathPrefix, ""}},
		},
		{
			name:  "podman normalised hub",
			creds: []Credential{cred("https://index.docker.io/v1/", "hub")},
			image: "nginx", sem: SemanticsPodman,
			want: []m{{"hub", "index.docker.io", ReasonHostFallback, ""}},
		},
		{
			name:  "podman fallback collision",
			creds: []Credential{cred("registry-1.docker.io", "r1"), cred("index.docker.io", "idx")},
			image: "nginx", sem: SemanticsPodman,
			want: []m{{"r1", "index.docker.io", ReasonHostFallback, fmt.Sprintf(notePodmanRandom, 2, "index.docker.io")}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []m
			for _, x := range NewKeyring(tc.creds).Lookup(mustRef(t, tc.image), tc.sem) {
				got = append(got, m{x.Username, x.MatchedKey, x.Reason, x.Note})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupUnknownSemantics(t *testing.T) {
	t.Parallel()
	k := NewKeyring([]Credential{cred("quay.io", "u")})
	ref := mustRef(t, "quay.io/a")
	if got := k.Lookup(ref, "rkt"); got != nil {
		t.Errorf("unknown semantics: %v", got)
	}
	if got := usernames(k.Lookup(ref, "")); !cmp.Equal(got, []string{"u"}) {
		t.Errorf("empty semantics = %v, want kubelet", got)
	}
}

func TestParseSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Semantics
		err  bool
	}{
		{"", SemanticsKubelet, false},
		{"kubelet", SemanticsKubelet, false},
		{"Docker", SemanticsDocker, false},
		{"crane", SemanticsDocker, false},
		{"podman", SemanticsPodman, false},
		{"skopeo", SemanticsPodman, false},
		{"rkt", "", true},
	}
	for _, tc := range tests {
		got, err := ParseSemantics(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseSemantics(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestKubeletNormalizeKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"quay.io", "quay.io", true},
		{"https://quay.io", "quay.io", true},
		{"http://quay.io/", "quay.io", true},
		{"https://index.docker.io/v1/", "index.docker.io", true},
		{"https://index.docker.io/v2/", "index.docker.io", true},
		{"quay.io/v2/team", "quay.io/team", true},
		{"quay.io/v1", "quay.io/v1", true},
		{"quay.io:443/team/", "quay.io:443/team/", true},
		{"Quay.IO", "Quay.IO", true},
		{"user@quay.io", "quay.io", true},
		{"quay.io /x", "", false},
		{"%zz", "", false},
	}
	for _, tc := range tests {
		got, ok := kubeletNormalizeKey(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("kubeletNormalizeKey(%q) = %q, %t; want %q, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDockerConvertToHostname pins docker/cli's credentials.ConvertToHostname,
// which the docker semantics use for every key, at the version in go.mod: an
// upgrade that changes how a key maps to a host fails here first.
func TestDockerConvertToHostname(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"quay.io", "quay.io"},
		{"quay.io/ns", "quay.io"},
		{"https://quay.io/v1/", "quay.io"},
		{"http://quay.io:5000/x", "quay.io:5000"},
		{"https://index.docker.io/v1/", "index.docker.io"},
		{"https://[::1]:5000/v2/", "[::1]:5000"},
		{"https://::1:5000/", "[::1]:5000"},
		{"ftp://quay.io/x", "quay.io"},
		// Kept as docker/cli has them (its own tests mark them FIXME): no
		// brackets added without a scheme, the scheme's colon kept for
		// a URL with no host.
		{"::1:5000", "::1:5000"},
		{"[::1]", "[::1]"},
		{"unix:///var/run/docker.sock", "unix:"},
		{"https://quay.io:5000", "quay.io:5000"},
		{"https://user:pw@quay.io/", "quay.io"},
	}
	for _, tc := range tests {
		if got := credentials.ConvertToHostname(tc.in); got != tc.want {
			t.Errorf("credentials.ConvertToHostname(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPodmanNormalizeKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"quay.io", "quay.io"},
		{"quay.io/ns", "quay.io/ns"},
		{"https://quay.io/ns", "quay.io"},
		{"docker.io", "index.docker.io"},
		{"registry-1.docker.io", "index.docker.io"},
		{"https://index.docker.io/v1/", "index.docker.io"},
		{"http://registry-1.docker.io", "index.docker.io"},
	}
	for _, tc := range tests {
		if got := podmanNormalizeKey(tc.in); got != tc.want {
			t.Errorf("podmanNormalizeKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestKubeletMatchesEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, image string
		want       bool
	}{
		{"[::1]:5000", "[::1]:5000/app", true},
		{"[::1]", "[::1]/app", false}, // without a port the bracketed host is read as a glob
		{"*", "localhost/app", true},
		{"*.*.io", "a.b.io/x", true},
		{"k8s.*", "k8s.io/x", true},
		{"a[b", "a[b.io/x", false},
		{"quay.io/team", "quay.io/teamx", true},
		{"quay.io/team/", "quay.io/teamx", false},
	}
	for _, tc := range tests {
		key, _ := kubeletNormalizeKey(tc.key)
		if got := kubeletMatches(kubeletParse(key), kubeletParse(tc.image)); got != tc.want {
			t.Errorf("kubeletMatches(%q, %q) = %t, want %t", tc.key, tc.image, got, tc.want)
		}
	}
}

func TestCredentialRedaction(t *testing.T) {
	t.Parallel()
	c := Credential{Key: "quay.io", Username: "u", Password: "s3cret-pw", IdentityToken: "s3cret-it", RegistryToken: "s3cret-rt", Source: "f"}
	m := Match{Credential: c, MatchedKey: "quay.io", Reason: ReasonRegistry}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "cred", c)
	for name, s := range map[string]string{
		"String":     c.String(),
		"GoString":   c.GoString(),
		"%v":         fmt.Sprintf("%v", c),
		"%+v":        fmt.Sprintf("%+v", c),
		"%#v":        fmt.Sprintf("%#v", c),
		"match %v":   fmt.Sprintf("%v", m),
		"match %#v":  fmt.Sprintf("%#v", m),
		"match %+v":  fmt.Sprintf("%+v", m),
		"slog":       logs.String(),
		"slice %v":   fmt.Sprintf("%v", []Match{m}),
		"pointer %v": fmt.Sprintf("%v", &c),
	} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("%s leaks a secret: %s", name, s)
		}
		if !strings.Contains(s, "quay.io") {
			t.Errorf("%s lost the key: %s", name, s)
		}
	}
}
