package registry

import (
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/<FuzzName>/; a plain `go test` replays them.

func FuzzParseChallenges(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		cs, _ := ParseChallenges(strings.Split(header, "\n"))
		for _, c := range cs {
			if c.Scheme == "" || strings.IndexFunc(c.Scheme, func(r rune) bool { return r > 0x7f || !isTokenChar(byte(r)) }) >= 0 {
				t.Fatalf("scheme %q is not a token", c.Scheme)
			}
			for name := range c.Params {
				if name == "" || name != strings.ToLower(name) {
					t.Fatalf("parameter name %q is not a lower-case token", name)
				}
			}
			again, err := ParseChallenges([]string{c.String()})
			if err != nil {
				t.Fatalf("re-parse %q: %v", c.String(), err)
			}
			if len(again) != 1 {
				t.Fatalf("re-parse %q gave %d challenges", c.String(), len(again))
			}
			if again[0].String() != c.String() || again[0].Token68 != c.Token68 || !mapsEqual(again[0].Params, c.Params) {
				t.Fatalf("re-parse of %q = %#v, want %#v", c.String(), again[0], c)
			}
			for _, s := range c.Scopes() {
				if sc, err := ParseScope(s); err == nil && sc.String() != s {
					t.Fatalf("scope %q renders as %q", s, sc.String())
				}
			}
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
