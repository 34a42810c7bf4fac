package dockercfg

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Errors wrapped by DecodeAuth. They never carry the decoded value.
var (
	ErrAuthNotBase64     = errors.New("auth is not valid base64")
	ErrAuthNoColon       = errors.New("auth must be base64 of username:password (no colon found)")
	ErrAuthEmptyUsername = errors.New("auth has an empty username")
)

// EncodeAuth returns the padded standard base64 of "username:password", the
// form every consumer accepts.
func EncodeAuth(username, password string) string {
	var buf [128]byte // most credentials fit: no allocation for the plain text
	src := buf[:0]
	if n := len(username) + 1 + len(password); n > len(buf) {
		src = make([]byte, 0, n)
	}
	src = append(append(append(src, username...), ':'), password...)
	return base64.StdEncoding.EncodeToString(src)
}

// DecodeAuth decodes an auth value the way the kubelet does: padded standard
// base64 when the value ends in "=", unpadded otherwise; the user name ends at
// the first colon. It also reports whether the value was unpadded base64 that
// docker and podman would reject. As in the kubelet, the padding test ignores
// surrounding white space, so a padded value with a trailing newline
// ("dXNlcjpwYQ==\n") decodes.
func DecodeAuth(auth string) (username, password string, unpadded bool, err error) {
	var b []byte
	if strings.HasSuffix(strings.TrimSpace(auth), "=") {
		b, err = base64.StdEncoding.DecodeString(auth)
	} else {
		b, err = base64.RawStdEncoding.DecodeString(auth)
		// encoding/base64 skips \r and \n; they do not count.
		n := len(auth) - strings.Count(auth, "\n") - strings.Count(auth, "\r")
		unpadded = n%4 != 0
	}
	if err != nil {
		// base64.CorruptInputError holds only an offset, never input bytes.
		return "", "", false, fmt.Errorf("%w: %w", ErrAuthNotBase64, err)
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok {
		return "", "", false, ErrAuthNoColon
	}
	if user == "" {
		return "", "", false, ErrAuthEmptyUsername
	}
	return user, pass, unpadded, nil
}
