package dockercfg_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	hub := dockercfg.Key{Host: dockercfg.DockerHubHost}
	tests := []struct {
		raw  string
		want dockercfg.Key
	}{
		// Every Docker Hub alias is one registry (docs/credentials.md#key-normalisation, docs/matching.md#where-the-consumers-differ).
		{"https://index.docker.io/v1/", hub},
		{"https://index.docker.io/v1", hub},
		{"https://index.docker.io/v2/", hub},
		{"http://index.docker.io/v1/", hub},
		{"index.docker.io", hub},
		{"index.docker.io/v1/", hub},
		{"docker.io", hub},
		{"https://docker.io", hub},
		{"registry-1.docker.io", hub},
		{"https://registry-1.docker.io/v2/", hub},
		{"registry.hub.docker.com", hub},
		{"INDEX.Docker.IO", hub},
		{"HTTPS://index.docker.io/v1/", hub},
		{"docker.io/library", dockercfg.Key{Host: "docker.io", Path: "library"}},
		{"https://index.docker.io/v1/library/nginx", dockercfg.Key{Host: "docker.io", Path: "library/nginx"}},
		// Other hosts: scheme and API version dropped, host lower-cased.
		{"quay.io", dockercfg.Key{Host: "quay.io"}},
		{"Quay.IO", dockercfg.Key{Host: "quay.io"}},
		{"https://quay.io", dockercfg.Key{Host: "quay.io"}},
		{"http://quay.io/", dockercfg.Key{Host: "quay.io"}},
		{"quay.io/v1/", dockercfg.Key{Host: "quay.io"}},
		{"quay.io/v2", dockercfg.Key{Host: "quay.io"}},
		{"  quay.io \n", dockercfg.Key{Host: "quay.io"}},
		// Paths are scopes, kept as written without outer slashes.
		{"quay.io/repository-main", dockercfg.Key{Host: "quay.io", Path: "repository-main"}},
		{"quay.io/repository-main/", dockercfg.Key{Host: "quay.io", Path: "repository-main"}},
		{"https://quay.io/v2/repository-main", dockercfg.Key{Host: "quay.io", Path: "repository-main"}},
		{"quay.io//ns//sub//", dockercfg.Key{Host: "quay.io", Path: "ns//sub"}},
		{"quay.io/v2/ /ns/ ", dockercfg.Key{Host: "quay.io", Path: "ns"}},
		{"quay.io/NS/Repo", dockercfg.Key{Host: "quay.io", Path: "NS/Repo"}},
		{"quay.io/a://b", dockercfg.Key{Host: "quay.io", Path: "a://b"}},
		// Ports are kept: registry:443 and registry differ for every consumer.
		{"registry.example.com:5000", dockercfg.Key{Host: "registry.example.com:5000"}},
		{"registry.example.com:443", dockercfg.Key{Host: "registry.example.com:443"}},
		{"https://Registry.Example.com:443/v2/", dockercfg.Key{Host: "registry.example.com:443"}},
		{"localhost:5000/ns/repo", dockercfg.Key{Host: "localhost:5000", Path: "ns/repo"}},
		{"127.0.0.1:5000", dockercfg.Key{Host: "127.0.0.1:5000"}},
		{"[::1]:5000", dockercfg.Key{Host: "[::1]:5000"}},
		{"my_registry", dockercfg.Key{Host: "my_registry"}},
		// Globs are the kubelet's; they parse.
		{"*.example.com", dockercfg.Key{Host: "*.example.com"}},
		{"app?.k8s.io", dockercfg.Key{Host: "app?.k8s.io"}},
		{"[ab].example.com", dockercfg.Key{Host: "[ab].example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := dockercfg.ParseKey(tt.raw)
			if err != nil {
				t.Fatalf("ParseKey(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseKey(%q) = %#v, want %#v", tt.raw, got, tt.want)
			}
			// The canonical form parses back to the same key.
			again, err := dockercfg.ParseKey(got.String())
			if err != nil || again != got {
				t.Errorf("ParseKey(%q) = %#v, %v; want %#v", got.String(), again, err, got)
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		secret string // must not appear in the error
	}{
		{name: "empty", raw: ""},
		{name: "spaces", raw: "   \t"},
		{name: "ftp scheme", raw: "ftp://quay.io"},
		{name: "oci scheme", raw: "oci://quay.io/ns"},
		{name: "scheme only", raw: "https://"},
		{name: "no host", raw: "/ns/repo"},
		{name: "triple slash", raw: "https:///quay.io"},
		{name: "space in host", raw: "quay io"},
		{name: "bang", raw: "quay.io!"},
		{name: "nul", raw: "quay.io\x00"},
		{name: "non-ascii host", raw: "quäy.io"},
		{name: "userinfo", raw: "robot:Sup3rS3cretPassw0rd@quay.io", secret: "Sup3rS3cretPassw0rd"},
		{name: "userinfo with scheme", raw: "https://robot:Sup3rS3cretPassw0rd@quay.io/v2/", secret: "Sup3rS3cretPassw0rd"},
		{name: "userinfo bad scheme", raw: "ftp://robot:Sup3rS3cretPassw0rd@quay.io", secret: "Sup3rS3cretPassw0rd"},
		{name: "userinfo empty host", raw: "https://Sup3rS3cretPassw0rd@", secret: "Sup3rS3cretPassw0rd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := dockercfg.ParseKey(tt.raw)
			if !errors.Is(err, dockercfg.ErrInvalidKey) {
				t.Fatalf("ParseKey(%q) = %#v, %v; want ErrInvalidKey", tt.raw, k, err)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q contains the password", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
			if w := dockercfg.KeyWarnings(tt.raw); w != nil {
				t.Errorf("KeyWarnings(%q) = %q, want nil for a key that does not parse", tt.raw, w)
			}
		})
	}
}

func TestKeyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  dockercfg.Key
		want string
	}{
		{dockercfg.Key{Host: "docker.io"}, "https://index.docker.io/v1/"},
		{dockercfg.Key{Host: "docker.io", Path: "library"}, "docker.io/library"},
		{dockercfg.Key{Host: "quay.io"}, "quay.io"},
		{dockercfg.Key{Host: "quay.io", Path: "repository-main"}, "quay.io/repository-main"},
		{dockercfg.Key{Host: "localhost:5000", Path: "a/b"}, "localhost:5000/a/b"},
	}
	for _, tt := range tests {
		if got := tt.key.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.key, got, tt.want)
		}
		if got := tt.key.Registry(); got != tt.key.Host {
			t.Errorf("%#v.Registry() = %q, want %q", tt.key, got, tt.key.Host)
		}
	}
	if dockercfg.DockerHubKey != "https://index.docker.io/v1/" {
		t.Errorf("DockerHubKey = %q", dockercfg.DockerHubKey)
	}
	if !(dockercfg.Key{Host: "docker.io"}).IsDockerHub() || (dockercfg.Key{Host: "quay.io"}).IsDockerHub() {
		t.Error("IsDockerHub is wrong")
	}
	// Key is comparable: every alias is one map key.
	m := map[dockercfg.Key]int{}
	for _, raw := range []string{"docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"} {
		k, _ := dockercfg.ParseKey(raw)
		m[k]++
	}
	if len(m) != 1 {
		t.Errorf("Docker Hub aliases give %d keys, want 1", len(m))
	}
}

func TestKeyContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key        string
		host, repo string
		want       bool
	}{
		{"quay.io", "quay.io", "any/repo", true},
		{"quay.io", "ghcr.io", "any/repo", false},
		{"quay.io/repository-main", "quay.io", "repository-main", true},
		{"quay.io/repository-main", "quay.io", "repository-main/foo", true},
		// Segment-aware, unlike the kubelet's string prefix (docs/matching.md#kubelet-semantics).
		{"quay.io/repo", "quay.io", "repository-main", false},
		{"quay.io/repository-main", "quay.io", "repository-mainx/y", false},
		{"quay.io/ns", "quay.io", "other/x", false},
		{"docker.io", "docker.io", "library/nginx", true},
		{"https://index.docker.io/v1/", "docker.io", "library/nginx", true},
		{"docker.io/library", "docker.io", "library/nginx", true},
		{"docker.io/library", "docker.io", "bitnami/nginx", false},
		{"registry:443", "registry", "x", false},
	}
	for _, tt := range tests {
		k, err := dockercfg.ParseKey(tt.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Contains(tt.host, tt.repo); got != tt.want {
			t.Errorf("ParseKey(%q).Contains(%q, %q) = %v, want %v", tt.key, tt.host, tt.repo, got, tt.want)
		}
	}
}

func TestKeyWarnings(t *testing.T) {
	t.Parallel()
	// Each want element is a phrase the corresponding warning must contain.
	tests := []struct {
		raw  string
		want []string
	}{
		{"https://index.docker.io/v1/", nil},
		{"quay.io", nil},
		{"quay.io/repository-main", nil},
		{"registry.example.com:5000", nil},
		{"docker.io/library", nil},
		{"docker.io", []string{`Docker Hub alias "docker.io"`}},
		{"index.docker.io", []string{"Docker Hub alias"}},
		{"registry-1.docker.io", []string{"Docker Hub alias"}},
		{"https://index.docker.io/v2/", []string{"Docker Hub alias"}},
		{"https://index.docker.io/v1", []string{"Docker Hub alias"}},
		{"https://quay.io", []string{`scheme "https://"`}},
		{"http://quay.io", []string{`scheme "http://"`}},
		{"quay.io/v2/", []string{"API version path"}},
		{"quay.io/v1/ns", []string{"API version path"}},
		{"Quay.io", []string{"upper-case host"}},
		{"quay.io:443", []string{"default port"}},
		{"*.jfrog.io", []string{"wildcard key"}},
		{"HTTPS://Quay.io:443/v2/", []string{`scheme "HTTPS://"`, "API version path", "upper-case host", "default port"}},
		{"not a key", nil},
	}
	for _, tt := range tests {
		got := dockercfg.KeyWarnings(tt.raw)
		if len(got) != len(tt.want) {
			t.Errorf("KeyWarnings(%q) = %q, want %d warnings like %q", tt.raw, got, len(tt.want), tt.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tt.want[i]) {
				t.Errorf("KeyWarnings(%q)[%d] = %q, want it to contain %q", tt.raw, i, got[i], tt.want[i])
			}
		}
		if k, err := dockercfg.ParseKey(tt.raw); err == nil && len(got) > 0 {
			if c := k.String(); c != tt.raw && !k.IsDockerHub() && !strings.Contains(strings.Join(got, " "), c) {
				t.Errorf("KeyWarnings(%q) = %q does not name the canonical key %q", tt.raw, got, c)
			}
		}
	}
	if diff := cmp.Diff([]string(nil), dockercfg.KeyWarnings(dockercfg.DockerHubKey)); diff != "" {
		t.Errorf("canonical Docker Hub key warns (-want +got):\n%s", diff)
	}
}
