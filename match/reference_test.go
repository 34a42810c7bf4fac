package match

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func TestParseReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		image      string
		want       Reference
		wantString string
		policy     PullPolicy
	}{
		{
			image:      "nginx",
			want:       Reference{Kind: KindTag, Registry: "docker.io", Repository: "library/nginx", Tag: "latest", ImplicitTag: true, RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx",
			policy:     PullAlways,
		},
		{
			image:      "nginx:latest",
			want:       Reference{Kind: KindTag, Registry: "docker.io", Repository: "library/nginx", Tag: "latest", RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx:latest",
			policy:     PullAlways,
		},
		{
			image:      "nginx:1.27",
			want:       Reference{Kind: KindTag, Registry: "docker.io", Repository: "library/nginx", Tag: "1.27", RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx:1.27",
			policy:     PullIfNotPresent,
		},
		{
			image:      "nginx@" + testDigest,
			want:       Reference{Kind: KindDigest, Registry: "docker.io", Repository: "library/nginx", Digest: testDigest, RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx@" + testDigest,
			policy:     PullIfNotPresent,
		},
		{
			image:      "nginx:latest@" + testDigest,
			want:       Reference{Kind: KindDigest, Registry: "docker.io", Repository: "library/nginx", Tag: "latest", Digest: testDigest, RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx:latest@" + testDigest,
			policy:     PullAlways,
		},
		{
			image:      "nginx:1@" + testDigest,
			want:       Reference{Kind: KindDigest, Registry: "docker.io", Repository: "library/nginx", Tag: "1", Digest: testDigest, RepoToPull: "docker.io/library/nginx"},
			wantString: "docker.io/library/nginx:1@" + testDigest,
			policy:     PullIfNotPresent,
		},
		{
			image:      "index.docker.io/team/app:v1",
			want:       Reference{Kind: KindTag, Registry: "docker.io", Repository: "team/app", Tag: "v1", RepoToPull: "docker.io/team/app"},
			wantString: "docker.io/team/app:v1",
			policy:     PullIfNotPresent,
		},
		{
			image:      "quay.io/repository-main/foo:1",
			want:       Reference{Kind: KindTag, Registry: "quay.io", Repository: "repository-main/foo", Tag: "1", RepoToPull: "quay.io/repository-main/foo"},
			wantString: "quay.io/repository-main/foo:1",
			policy:     PullIfNotPresent,
		},
		{
			image:      "localhost:5000/app",
			want:       Reference{Kind: KindTag, Registry: "localhost:5000", Repository: "app", Tag: "latest", ImplicitTag: true, RepoToPull: "localhost:5000/app"},
			wantString: "localhost:5000/app",
			policy:     PullAlways,
		},
		{
			image:      "10.0.0.7:5000/team/app:v1",
			want:       Reference{Kind: KindTag, Registry: "10.0.0.7:5000", Repository: "team/app", Tag: "v1", RepoToPull: "10.0.0.7:5000/team/app"},
			wantString: "10.0.0.7:5000/team/app:v1",
			policy:     PullIfNotPresent,
		},
		{
			image:      "Quay.IO/a",
			want:       Reference{Kind: KindTag, Registry: "Quay.IO", Repository: "a", Tag: "latest", ImplicitTag: true, RepoToPull: "Quay.IO/a"},
			wantString: "Quay.IO/a",
			policy:     PullAlways,
		},
	}
	for _, tc := range tests {
		t.Run(tc.image, func(t *testing.T) {
			t.Parallel()
			got, err := ParseReference(tc.image)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseReference (-want +got):\n%s", diff)
			}
			if s := got.String(); s != tc.wantString {
				t.Errorf("String() = %q, want %q", s, tc.wantString)
			}
			if p := got.PullPolicy(); p != tc.policy {
				t.Errorf("PullPolicy() = %s, want %s", p, tc.policy)
			}
			if p := DefaultPullPolicy(tc.image); p != tc.policy {
				t.Errorf("DefaultPullPolicy() = %s, want %s", p, tc.policy)
			}
			again, err := ParseReference(got.String())
			if err != nil || again != got {
				t.Errorf("ParseReference(String()) = %+v, %v; want %+v", again, err, got)
			}
		})
	}
}

func TestParseReferenceErrors(t *testing.T) {
	t.Parallel()
	for _, image := range []string{
		"",
		"Nginx",
		"quay.io/Team/app",
		"https://quay.io/a/b",
		"nginx@sha256:abc",
		"nginx:bad tag",
		strings.Repeat("a", 64),
		"quay.io/a:",
	} {
		_, err := ParseReference(image)
		if err == nil {
			t.Errorf("ParseReference(%q) succeeded", image)
			continue
		}
		if !strings.Contains(err.Error(), "parse image reference \""+image+"\"") {
			t.Errorf("error does not name the image: %v", err)
		}
		if p := DefaultPullPolicy(image); p != PullIfNotPresent {
			t.Errorf("DefaultPullPolicy(%q) = %s, want IfNotPresent", image, p)
		}
	}
}
