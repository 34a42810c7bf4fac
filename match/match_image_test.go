package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchImage(t *testing.T) {
	t.Parallel()
	creds := []Credential{
		cred("quay.io", "host"),
		cred("quay.io/repository-main", "ns"),
	}
	res, err := MatchImage("quay.io/repository-mainx/y:1", creds, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &MatchResult{
		Image: "quay.io/repository-mainx/y:1", Kind: KindTag, Registry: "quay.io", Repository: "repository-mainx/y", Tag: "1",
		PullPolicy: PullIfNotPresent, Semantics: SemanticsKubelet,
		Credentials: []MatchedCredential{
			{Key: "quay.io/repository-main", MatchedKey: "quay.io/repository-main", Username: "ns", Source: "config.json", Reason: ReasonPathPrefix,
				Note: fmt.Sprintf(noteStringPrefix, "/repository-main", "repository-mainx/y")},
			{Key: "quay.io", MatchedKey: "quay.io", Username: "host", Source: "config.json", Reason: ReasonRegistry},
		},
		Alternatives: []Alternative{
			{Semantics: SemanticsDocker, Credentials: []MatchedCredential{{Key: "quay.io", MatchedKey: "quay.io", Username: "host", Source: "config.json", Reason: ReasonRegistry}}},
			{Semantics: SemanticsPodman, Credentials: []MatchedCredential{{Key: "quay.io", MatchedKey: "quay.io", Username: "host", Source: "config.json", Reason: ReasonRegistry}}},
		},
	}
	if diff := cmp.Diff(want, res, cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".Reference" || n == ".Matches"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(res.Matches) != 2 || res.Matches[0].Password != "pw-ns" {
		t.Errorf("Matches do not carry the credentials: %v", res.Matches)
	}
}

// TestMatchResultJSON pins the stable field names of docs/json-output.md#match.
func TestMatchResultJSON(t *testing.T) {
	t.Parallel()
	res, err := MatchImage("nginx", nil, SemanticsDocker)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"image":"nginx","kind":"tag","registry":"docker.io","repository":"library/nginx","tag":"latest","pullPolicy":"Always","semantics":"docker","credentials":[]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}

	res, err = MatchImage("quay.io/a@"+testDigest, []Credential{{Key: "quay.io", Username: "u", Password: "s3cret", Source: "secret ns/s"}}, SemanticsKubelet)
	if err != nil {
		t.Fatal(err)
	}
	b, err = json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret") {
		t.Errorf("JSON leaks the password: %s", b)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"image", "kind", "registry", "repository", "digest", "pullPolicy", "semantics", "credentials"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if _, ok := generic["tag"]; ok {
		t.Errorf("a digest-only reference has a tag: %s", b)
	}
	c := generic["credentials"].([]any)[0].(map[string]any)
	for _, k := range []string{"key", "username", "source", "reason"} {
		if _, ok := c[k]; !ok {
			t.Errorf("credential JSON lacks %q: %s", k, b)
		}
	}
	if generic["kind"] != "digest" || generic["digest"] != testDigest || generic["pullPolicy"] != "IfNotPresent" {
		t.Errorf("digest reference JSON: %s", b)
	}
}

func TestMatchImageErrors(t *testing.T) {
	t.Parallel()
	if _, err := MatchImage("Not/Valid", nil, ""); err == nil || !strings.Contains(err.Error(), `"Not/Valid"`) {
		t.Errorf("bad image: %v", err)
	}
	if _, err := MatchImage("nginx", nil, "rkt"); !errors.Is(err, ErrUnknownSemantics) {
		t.Errorf("bad semantics: %v", err)
	}
}

func TestMatchNotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		creds []Credential
		image string
		sem   Semantics
		want  []string // substrings, one note each
	}{
		{"docker hub alias", []Credential{cred("docker.io", "u")}, "nginx", SemanticsDocker, []string{`only under "https://index.docker.io/v1/"; key "docker.io"`}},
		{"docker wildcard", []Credential{cred("*.example.com", "u")}, "r.example.com/a", SemanticsDocker, []string{`wildcard key "*.example.com"`}},
		{"docker namespace", []Credential{cred("quay.io/team", "ns"), cred("quay.io", "host")}, "quay.io/team/app", SemanticsDocker, []string{`namespace key "quay.io/team"`}},
		{"podman wildcard", []Credential{cred("*.example.com", "u")}, "r.example.com/a", SemanticsPodman, []string{`podman does not support wildcard key`}},
		{"podman no auth", []Credential{{Key: "quay.io", Username: "u", Password: "p", Source: "/home/u/.docker/config.json"}}, "quay.io/a", SemanticsPodman, []string{`key "quay.io" in /home/u/.docker/config.json: the entry has no "auth" field`}},
		{"case", []Credential{cred("Quay.io", "u")}, "quay.io/a", SemanticsKubelet, []string{`only in letter case`}},
		{"port", []Credential{cred("https://quay.io:443", "u")}, "quay.io/a", SemanticsPodman, []string{`default port :443`}},
		{"unparseable", []Credential{cred("quay.io/%zz", "u")}, "quay.io/a", SemanticsKubelet, []string{`cannot parse key "quay.io/%zz"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := MatchImage(tc.image, tc.creds, tc.sem)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notes) != len(tc.want) {
				t.Fatalf("notes = %q, want %d", res.Notes, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(res.Notes[i], w) {
					t.Errorf("note %q does not contain %q", res.Notes[i], w)
				}
			}
		})
	}
}

func ExampleMatchImage() {
	creds := []Credential{
		{Key: "quay.io", Username: "robot", Password: "…", HasAuthField: true, Source: "secret team-a/quay"},
		{Key: "quay.io/repo", Username: "repo-robot", Password: "…", HasAuthField: true, Source: "secret team-a/repo"},
	}
	res, err := MatchImage("quay.io/repository-main/app:1.2", creds, SemanticsKubelet)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Kind, res.Registry, res.Repository, res.Tag, res.PullPolicy)
	for _, c := range res.Credentials {
		fmt.Printf("kubelet tries %s (%s, %s)\n", c.Username, c.Key, c.Reason)
	}
	for _, alt := range res.Alternatives {
		for _, c := range alt.Credentials {
			fmt.Printf("%s uses %s\n", alt.Semantics, c.Username)
		}
	}

	enc := json.NewEncoder(os.Stdout)
	res.Alternatives, res.Credentials[0].Note = nil, "…"
	_ = enc.Encode(res)
	// Output:
	// tag quay.io repository-main/app 1.2 IfNotPresent
	// kubelet tries repo-robot (quay.io/repo, path-prefix)
	// kubelet tries robot (quay.io, registry)
	// docker uses robot
	// podman uses robot
	// {"image":"quay.io/repository-main/app:1.2","kind":"tag","registry":"quay.io","repository":"repository-main/app","tag":"1.2","pullPolicy":"IfNotPresent","semantics":"kubelet","credentials":[{"key":"quay.io/repo","matchedKey":"quay.io/repo","username":"repo-robot","source":"secret team-a/repo","reason":"path-prefix","note":"…"},{"key":"quay.io","matchedKey":"quay.io","username":"robot","source":"secret team-a/quay","reason":"registry"}]}
}

func ExampleParseReference() {
	r, err := ParseReference("nginx:latest@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Kind, r.RepoToPull, r.Tag, r.PullPolicy())
	// Output:
	// digest docker.io/library/nginx latest Always
}

// TestMatchResultJSONNamedTypes: Kind and Reason encode as their plain
// string values, as the untyped strings did.
func TestMatchResultJSONNamedTypes(t *testing.T) {
	t.Parallel()
	r := MatchResult{Kind: KindDigest, Credentials: []MatchedCredential{{Key: "k", Reason: ReasonDockerHubFallback}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"digest"`, `"reason":"docker-hub-fallback"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}
