package dockercfg

import (
	"encoding/base64"
	"testing"
)

func TestPeekJWT(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	head := enc(`{"alg":"none"}`)
	for _, tc := range []struct {
		name, tok string
		ok        bool
		exp       float64
	}{
		{"claims", head + "." + enc(`{"exp":1700000000}`) + ".sig", true, 1700000000},
		{"padded payload", head + "." + enc(`{"exp":5}`) + "==.sig", true, 5},
		{"two parts", head + "." + enc(`{"exp":5}`), false, 0},
		{"four parts", head + "." + enc(`{"exp":5}`) + ".a.b", false, 0},
		{"not base64", head + ".!!!.sig", false, 0},
		{"not JSON", head + "." + enc(`exp`) + ".sig", false, 0},
		{"wrong claim type", head + "." + enc(`{"exp":"soon"}`) + ".sig", false, 0},
		{"empty", "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var claims struct {
				Exp float64 `json:"exp"`
			}
			ok := PeekJWT(tc.tok, &claims)
			if ok != tc.ok || claims.Exp != tc.exp {
				t.Errorf("PeekJWT = %v, exp %v; want %v, %v", ok, claims.Exp, tc.ok, tc.exp)
			}
		})
	}
}
