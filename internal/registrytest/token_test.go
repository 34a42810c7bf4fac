package registrytest

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/registry/auth/token"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
)

func TestParseScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    scope
		wantErr bool
	}{
		{in: "repository:team/app:pull", want: scope{typ: "repository", name: "team/app", actions: []string{"pull"}}},
		{in: "repository:team/app:push,pull,push", want: scope{typ: "repository", name: "team/app", actions: []string{"push", "pull"}}},
		{in: "repository(plugin):x:pull", want: scope{typ: "repository", name: "x", actions: []string{"pull"}}},
		{in: "repository:host:5000/app:pull", want: scope{typ: "repository", name: "host:5000/app", actions: []string{"pull"}}},
		{in: "registry:catalog:*", want: scope{typ: "registry", name: "catalog", actions: []string{"*"}}},
		{in: "repository:app:", want: scope{typ: "repository", name: "app"}},
		{in: "repository:app", wantErr: true},
		{in: ":app:pull", wantErr: true},
		{in: "nonsense", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseScope(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseScope(%q) error %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(scope{})); !tt.wantErr && diff != "" {
			t.Errorf("parseScope(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "a/b/c", true},
		{"team/*", "team/app", true},
		{"team/*", "team/a/b", true},
		{"team/*", "teamx/app", false},
		{"team/*", "team", false},
		{"app", "app", true},
		{"app", "app2", false},
		{"*-dev", "x/y-dev", true},
		{"*-dev", "x/y-dev2", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestGrant(t *testing.T) {
	t.Parallel()
	e := &Env{opts: Options{
		ACL: map[string][]Grant{
			"alice": {{Repo: "team/*", Actions: []string{"pull"}}, {Repo: "team/app", Actions: []string{"push"}}},
			"root":  {{Repo: "*", Actions: []string{"*"}}},
		},
		AnonymousPull: []string{"public/*"},
	}}
	sc := func(s string) scope {
		p, err := parseScope(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, user string
		requested  []string
		want       []string
	}{
		{"intersection", "alice", []string{"repository:team/app:pull,push,delete"}, []string{"repository:team/app:pull,push"}},
		{"partial", "alice", []string{"repository:team/x:pull,push", "repository:other:pull"}, []string{"repository:team/x:pull"}},
		{"merged", "alice", []string{"repository:team/app:pull", "repository:team/app:push"}, []string{"repository:team/app:pull,push"}},
		{"star needs star", "alice", []string{"repository:team/app:*"}, nil},
		{"star", "root", []string{"repository:any/thing:*", "registry:catalog:*"}, []string{"repository:any/thing:*", "registry:catalog:*"}},
		{"no catalog", "alice", []string{"registry:catalog:*"}, nil},
		{"anonymous public", "", []string{"repository:public/base:pull,push"}, []string{"repository:public/base:pull"}},
		{"anonymous private", "", []string{"repository:team/app:pull"}, nil},
		{"user without acl pulls public", "bob", []string{"repository:public/base:pull"}, []string{"repository:public/base:pull"}},
		{"admin", AdminUser, []string{"repository:x:pull,push,delete"}, []string{"repository:x:pull,push,delete"}},
	}
	for _, tt := range tests {
		var req []scope
		for _, s := range tt.requested {
			req = append(req, sc(s))
		}
		var got []string
		for _, s := range e.grant(tt.user, req) {
			got = append(got, s.String())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: grant (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestMintVerifies checks minted tokens against Distribution's own verifier,
// both through the x5c chain and through the kid thumbprint alone.
func TestMintVerifies(t *testing.T) {
	t.Parallel()
	env := New(t, Options{Mode: Token, Service: "svc.test"})
	raw, err := env.mint("alice", []scope{{typ: "repository", name: "app", actions: []string{"pull"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	headerJSON, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var header struct {
		Alg, Kid string
		X5c      []string
	}
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		t.Fatal(err)
	}
	cert, err := parseCertDER(env.signer.certDER)
	if err != nil {
		t.Fatal(err)
	}
	if header.Alg != "ES256" || header.Kid != token.GetJWKThumbprint(cert.PublicKey) || len(header.X5c) != 1 {
		t.Fatalf("header = %s", headerJSON)
	}

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	tok, err := token.NewToken(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	// x5c, chained to the rootcertbundle.
	claims, err := tok.Verify(token.VerifyOptions{
		TrustedIssuers:    []string{DefaultIssuer},
		AcceptedAudiences: []string{"svc.test"},
		Roots:             roots,
	})
	if err != nil {
		t.Fatalf("verify with x5c: %v", err)
	}

	// kid only: without x5c, the thumbprint-indexed key is used.
	c, err := env.claims("alice", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rawKid, err := env.sign(c, false)
	if err != nil {
		t.Fatal(err)
	}
	kidTok, err := token.NewToken(rawKid, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kidTok.Verify(token.VerifyOptions{
		TrustedIssuers:    []string{DefaultIssuer},
		AcceptedAudiences: []string{"svc.test"},
		Roots:             roots,
		TrustedKeys:       map[string]crypto.PublicKey{token.GetJWKThumbprint(cert.PublicKey): cert.PublicKey},
	}); err != nil {
		t.Fatalf("verify with kid: %v", err)
	}
	if claims.Subject != "alice" || claims.JWTID == "" || claims.IssuedAt == 0 ||
		claims.Expiration-claims.NotBefore != int64(DefaultTokenExpiry/time.Second) ||
		len(claims.Access) != 1 || claims.Access[0].Name != "app" {
		t.Errorf("claims = %+v", claims)
	}
	// Wrong audience is refused.
	if _, err := tok.Verify(token.VerifyOptions{
		TrustedIssuers:    []string{DefaultIssuer},
		AcceptedAudiences: []string{"other"},
		Roots:             roots,
	}); err == nil {
		t.Error("token verified for another audience")
	}
}
