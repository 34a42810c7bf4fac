package cluster

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestKubeletMissesHub: Docker Hub keys the kubelet does not use for a
// Docker Hub image are named; those it uses are not.
func TestKubeletMissesHub(t *testing.T) {
	for key, missed := range map[string]bool{
		"https://index.docker.io/v1/": false,
		"index.docker.io":             false,
		"docker.io":                   false,
		"registry-1.docker.io":        true,
		"quay.io":                     false,
	} {
		w := kubeletMissesHub(key)
		if (w != "") != missed {
			t.Errorf("%s: %q, want missed=%t", key, w, missed)
		}
	}
}

// TestTokenExpiry: a JWT's exp, an ECR token's expiration; anything else
// has none.
func TestTokenExpiry(t *testing.T) {
	at := time.Unix(1900000000, 0)
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d}`, at.Unix()))) + ".x"
	ecr := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"payload":"p","expiration":%d}`, at.Unix())))
	for _, tc := range []struct {
		user, tok string
		ok        bool
		what      string
	}{
		{"u", jwt, true, "token"}, {"AWS", ecr, true, "ECR token"}, {"u", ecr, false, ""},
		{"u", "plain-password", false, ""}, {"AWS", "not base64!", false, ""},
	} {
		exp, what, ok := tokenExpiry(tc.user, tc.tok)
		if ok != tc.ok || what != tc.what || (ok && !exp.Equal(at)) {
			t.Errorf("%s %.12s: %v %q %t", tc.user, tc.tok, exp, what, ok)
		}
	}
	if strings.Contains(kubeletMissesHub("registry-1.docker.io"), "u:p") {
		t.Error("probe credential in a message")
	}
}
