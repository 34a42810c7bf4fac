package match

import (
	"encoding/base64"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// parseCreds parses a config.json or .dockercfg document for a test.
func parseCreds(t testing.TB, data, source string) []Credential {
	t.Helper()
	cfg, err := dockercfg.Parse([]byte(data))
	if err != nil {
		t.Fatalf("parse %s: %v", source, err)
	}
	return CredentialsFromConfig(cfg, source)
}

// cred is a user/password credential written with an auth field.
func cred(key, user string) Credential {
	return Credential{Key: key, Username: user, Password: "pw-" + user, HasAuthField: true, Source: "config.json"}
}

// b64 is the auth value for user:pass.
func b64(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// usernames lists the users of ms in order ("" for an empty credential).
func usernames(ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Username)
	}
	return out
}

func mustRef(t testing.TB, image string) Reference {
	t.Helper()
	r, err := ParseReference(image)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
