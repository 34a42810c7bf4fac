package dockercfg

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// PeekJWT decodes the payload (claims) of a JWT into v without verifying
// the signature: identity tokens in config files and registry tokens are
// read for their expiry and granted access only, never trusted. It
// reports false when tok is not a three-part JWT or its payload is not
// JSON that fits v. It is the project's one JWT peek (inspect uses it for
// expiry, the registry client for the access claim).
func PeekJWT(tok string, v any) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}
