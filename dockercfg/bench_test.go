package dockercfg_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// config10k is a docker config.json of n entries in docker's layout, mixing
// auth-only entries (as docker and podman write them), username/password
// entries with auth and email (as kubectl writes them), namespaced keys and
// identity tokens, plus the usual top-level members.
func config10k(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n\t\"auths\": {")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		user, pass := fmt.Sprintf("user%05d", i), fmt.Sprintf("Passw0rd-%05d-%s", i, strings.Repeat("x", i%17))
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "\n\t\t%q: {\n\t\t\t\"auth\": %q\n\t\t}", fmt.Sprintf("registry%05d.example.com", i), dockercfg.EncodeAuth(user, pass))
		case 1:
			fmt.Fprintf(&b, "\n\t\t%q: {\n\t\t\t\"username\": %q,\n\t\t\t\"password\": %q,\n\t\t\t\"email\": %q,\n\t\t\t\"auth\": %q\n\t\t}",
				fmt.Sprintf("https://registry%05d.example.com:5000/v2/", i), user, pass, user+"@example.com", dockercfg.EncodeAuth(user, pass))
		case 2:
			fmt.Fprintf(&b, "\n\t\t%q: {\n\t\t\t\"username\": %q,\n\t\t\t\"password\": %q\n\t\t}", fmt.Sprintf("quay.io/ns%05d/repo", i), user, pass)
		case 3:
			fmt.Fprintf(&b, "\n\t\t%q: {\n\t\t\t\"auth\": %q,\n\t\t\t\"identitytoken\": %q\n\t\t}", fmt.Sprintf("acr%05d.azurecr.io", i),
				dockercfg.EncodeAuth("00000000-0000-0000-0000-000000000000", ""), "eyJhbGciOiJSUzI1NiJ9."+strings.Repeat("t", 40))
		}
	}
	b.WriteString("\n\t},\n\t\"HttpHeaders\": {\n\t\t\"User-Agent\": \"Docker-Client/29.0.0 (linux)\"\n\t},\n\t\"currentContext\": \"default\"\n}\n")
	return []byte(b.String())
}

func BenchmarkParse10k(b *testing.B) {
	data := config10k(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dockercfg.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "file-bytes")
}

func BenchmarkResolve10k(b *testing.B) {
	data := config10k(10000)
	c, err := dockercfg.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	noHelper := func(string) dockercfg.Helper { panic("no helper expected") }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rs, errs := c.Resolve(context.Background(), noHelper)
		if len(errs) != 0 || len(rs) != 10000 {
			b.Fatalf("resolved %d, errors %v", len(rs), errs)
		}
	}
}

func BenchmarkMarshal10k(b *testing.B) {
	data := config10k(10000)
	c, err := dockercfg.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseResolveMarshal10k is the convert path end to end.
func BenchmarkParseResolveMarshal10k(b *testing.B) {
	data := config10k(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := dockercfg.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		rs, _ := c.Resolve(context.Background(), nil)
		out := &dockercfg.Config{}
		for _, r := range rs {
			out.Entries = append(out.Entries, r.Entry)
		}
		if _, err := out.MarshalCompact(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConfig10k checks the benchmark input and the round trip at scale.
func TestConfig10k(t *testing.T) {
	t.Parallel()
	data := config10k(10000)
	c, err := dockercfg.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 10000 {
		t.Fatalf("%d entries", len(c.Entries))
	}
	// The round trip compares every entry with go-cmp: 2,000 are enough.
	checkRoundTrip(t, config10k(2000))
}
