package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseChallenges(t *testing.T) {
	t.Parallel()
	type P = map[string]string
	tests := []struct {
		name    string
		headers []string
		want    []Challenge
	}{
		{
			name:    "docker hub bearer",
			headers: []string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"`},
			want: []Challenge{{Scheme: "Bearer", Params: P{
				"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:samalba/my-app:pull,push",
			}}},
		},
		{
			name:    "basic",
			headers: []string{`Basic realm="Registry Realm"`},
			want:    []Challenge{{Scheme: "Basic", Params: P{"realm": "Registry Realm"}}},
		},
		{
			name:    "two challenges on one line",
			headers: []string{`Basic realm="r1", Bearer realm="https://a/token", service="s"`},
			want: []Challenge{
				{Scheme: "Basic", Params: P{"realm": "r1"}},
				{Scheme: "Bearer", Params: P{"realm": "https://a/token", "service": "s"}},
			},
		},
		{
			name:    "two lines",
			headers: []string{`Bearer realm="https://a/token"`, `Basic realm="b"`},
			want: []Challenge{
				{Scheme: "Bearer", Params: P{"realm": "https://a/token"}},
				{Scheme: "Basic", Params: P{"realm": "b"}},
			},
		},
		{
			name:    "case-insensitive names, whitespace around =",
			headers: []string{"BEARER  Realm = \"x\" ,\tSERVICE=y"},
			want:    []Challenge{{Scheme: "BEARER", Params: P{"realm": "x", "service": "y"}}},
		},
		{
			name:    "quoted-pair escapes",
			headers: []string{`Bearer realm="a\"b\\c\d", error_description="say \"hi\", then go"`},
			want:    []Challenge{{Scheme: "Bearer", Params: P{"realm": `a"b\cd`, "error_description": `say "hi", then go`}}},
		},
		{
			name:    "insufficient scope, several scopes",
			headers: []string{`Bearer realm="https://a/t",service="reg",scope="repository:a/b:pull repository:c/d:pull,push",error="insufficient_scope"`},
			want: []Challenge{{Scheme: "Bearer", Params: P{
				"realm": "https://a/t", "service": "reg", "scope": "repository:a/b:pull repository:c/d:pull,push", "error": "insufficient_scope",
			}}},
		},
		{
			name:    "repeated scope is joined, other params keep the first",
			headers: []string{`Bearer scope="repository:a:pull", realm="r1", scope="repository:b:pull", realm="r2"`},
			want:    []Challenge{{Scheme: "Bearer", Params: P{"realm": "r1", "scope": "repository:a:pull repository:b:pull"}}},
		},
		{
			name:    "token68",
			headers: []string{`Negotiate YIIB+/==, Basic realm="x"`},
			want: []Challenge{
				{Scheme: "Negotiate", Params: P{}, Token68: "YIIB+/=="},
				{Scheme: "Basic", Params: P{"realm": "x"}},
			},
		},
		{
			name:    "a name with '=' and nothing after is a token68",
			headers: []string{`Bearer realm=`},
			want:    []Challenge{{Scheme: "Bearer", Params: P{}, Token68: "realm="}},
		},
		{
			name:    "bare schemes and empty list elements",
			headers: []string{` , Negotiate, , NTLM ,Basic realm="x",, `},
			want: []Challenge{
				{Scheme: "Negotiate", Params: P{}},
				{Scheme: "NTLM", Params: P{}},
				{Scheme: "Basic", Params: P{"realm": "x"}},
			},
		},
		{
			name:    "unquoted values including a URL",
			headers: []string{`Bearer realm=https://auth.example.com/token?x=1,service=registry.example.com`},
			want:    []Challenge{{Scheme: "Bearer", Params: P{"realm": "https://auth.example.com/token?x=1", "service": "registry.example.com"}}},
		},
		{
			name:    "empty quoted value and utf-8",
			headers: []string{`Basic realm="", charset="UTF-8", title="Zürich"`},
			want:    []Challenge{{Scheme: "Basic", Params: P{"realm": "", "charset": "UTF-8", "title": "Zürich"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseChallenges(tc.headers)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, c := range got {
				again, err := ParseChallenges([]string{c.String()})
				if err != nil || len(again) != 1 {
					t.Fatalf("re-parse %q: %v, %d challenges", c.String(), err, len(again))
				}
				if diff := cmp.Diff(c, again[0]); diff != "" {
					t.Errorf("re-parse of %q (-want +got):\n%s", c.String(), diff)
				}
			}
		})
	}
}

func TestParseChallengesErrors(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"",
		"   ",
		`Bearer realm="unterminated`,
		`Bearer realm="x" service="y"`,
		`Bearer realm=""x`,
		`Bearer realm="x", ="y"`,
		`Bearer @x`,
		`="x"`,
		`Bearer="x"`,
		"Bearer realm=\"a\x01b\"",
		`Bearer realm="a\`,
		`Bearer realm="x";service="y"`,
	} {
		got, err := ParseChallenges([]string{h})
		if err == nil {
			t.Errorf("ParseChallenges(%q) = %v, want error", h, got)
			continue
		}
		if !errors.Is(err, ErrMalformedChallenge) {
			t.Errorf("ParseChallenges(%q) error %v does not wrap ErrMalformedChallenge", h, err)
		}
	}
}

// TestParseChallengesPartial checks that good lines survive a bad one and
// that the error does not quote the header.
func TestParseChallengesPartial(t *testing.T) {
	t.Parallel()
	got, err := ParseChallenges([]string{`Basic realm="secret-looking-value`, `Bearer realm="https://a/t"`})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "secret-looking-value") {
		t.Errorf("error quotes the header: %v", err)
	}
	if !strings.Contains(err.Error(), "header 1") {
		t.Errorf("error does not name the line: %v", err)
	}
	if len(got) != 1 || got[0].Realm() != "https://a/t" {
		t.Errorf("challenges = %v", got)
	}
}

func TestChallengeHelpers(t *testing.T) {
	t.Parallel()
	cs, err := ParseChallenges([]string{`bearer realm="https://a/t",service="reg",scope=" repository:a/b:pull  registry:catalog:* ",error="insufficient_scope",error_description="need more"`})
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if !c.IsScheme("Bearer") || c.IsScheme("Basic") {
		t.Errorf("IsScheme wrong for %q", c.Scheme)
	}
	if c.Realm() != "https://a/t" || c.Service() != "reg" || c.ErrorCode() != "insufficient_scope" || c.ErrorDescription() != "need more" {
		t.Errorf("helpers: %q %q %q %q", c.Realm(), c.Service(), c.ErrorCode(), c.ErrorDescription())
	}
	if diff := cmp.Diff([]string{"repository:a/b:pull", "registry:catalog:*"}, c.Scopes()); diff != "" {
		t.Errorf("Scopes (-want +got):\n%s", diff)
	}
}

func TestChallengeString(t *testing.T) {
	t.Parallel()
	c := Challenge{Scheme: "Bearer", Params: map[string]string{"service": "s", "realm": `a"b\c`}}
	if got, want := c.String(), `Bearer realm="a\"b\\c", service="s"`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got := (Challenge{Scheme: "Negotiate", Token68: "abc=="}).String(); got != "Negotiate abc==" {
		t.Errorf("token68 String() = %s", got)
	}
}

func TestParseScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Scope
	}{
		{"repository:samalba/my-app:pull,push", Scope{Type: "repository", Name: "samalba/my-app", Actions: []string{"pull", "push"}}},
		{"repository:localhost:5000/app:pull", Scope{Type: "repository", Name: "localhost:5000/app", Actions: []string{"pull"}}},
		{"registry:catalog:*", Scope{Type: "registry", Name: "catalog", Actions: []string{"*"}}},
		{"repository(plugin):a/b:pull", Scope{Type: "repository", Class: "plugin", Name: "a/b", Actions: []string{"pull"}}},
		{"repository:a/b:", Scope{Type: "repository", Name: "a/b"}},
	}
	for _, tc := range tests {
		got, err := ParseScope(tc.in)
		if err != nil {
			t.Errorf("ParseScope(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseScope(%q) (-want +got):\n%s", tc.in, diff)
		}
		if s := got.String(); s != tc.in {
			t.Errorf("String() = %q, want %q", s, tc.in)
		}
	}
	for _, bad := range []string{"", "repository", "repository:a", ":a:pull", "repository::pull", "(x):a:pull", "repository(x:a:pull"} {
		if _, err := ParseScope(bad); !errors.Is(err, ErrMalformedChallenge) {
			t.Errorf("ParseScope(%q) error = %v, want ErrMalformedChallenge", bad, err)
		}
	}
}
