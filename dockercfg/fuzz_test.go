package dockercfg_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// FuzzParse: Parse never panics; what it accepts survives Marshal and Parse
// again with the same entries, keys and effective credentials, and Marshal is
// idempotent; what it rejects is a one-line *ParseError that quotes no
// credential value. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dockercfg.Parse(data)
		if err != nil {
			var pe *dockercfg.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			checkNoSecret(t, data, err)
			return
		}
		checkRoundTrip(t, data)
		for _, e := range c.Entries {
			if _, err := dockercfg.ParseKey(e.Key); err != nil {
				t.Errorf("accepted entry %q whose key does not parse: %v", e.Key, err)
			}
			if e.Auth != "" {
				u, p, _, err := dockercfg.DecodeAuth(e.Auth)
				if err != nil || u != e.Username || p != e.Password {
					t.Errorf("entry %q: effective credentials differ from auth", e.Key)
				}
			}
		}
		// An in-place edit parses back with every entry it did not touch,
		// and editing its result with no change gives the same bytes.
		if !hasMarkerKey(c) {
			checkEdit(t, data, c)
		}
		// The legacy conversion is detected as legacy again.
		if len(c.Entries) > 0 {
			out, err := c.MarshalAs(dockercfg.FormatLegacy)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dockercfg.ParseFormat(out, dockercfg.FormatLegacy); err != nil && !hasMarkerKey(c) {
				t.Errorf("MarshalAs(legacy) does not parse back: %v\n%s", err, out)
			}
		}
	})
}

// checkNoSecret asserts that err quotes none of the credential strings of
// data (values of auth, password, identitytoken, registrytoken fields, as far
// as data is JSON), unless the string is also a name in the file.
func checkNoSecret(t *testing.T, data []byte, err error) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error %q is not one line", msg)
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return
	}
	var secrets, names []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				names = append(names, k)
				if s, ok := x.(string); ok {
					switch strings.ToLower(k) {
					case "auth", "password", "identitytoken", "registrytoken":
						if len(s) >= 6 {
							secrets = append(secrets, s)
						}
					default:
						names = append(names, s)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	for _, s := range secrets {
		if !strings.Contains(msg, s) {
			continue
		}
		named := false
		for _, n := range names {
			if strings.Contains(n, s) {
				named = true
			}
		}
		if !named {
			t.Errorf("error %q contains the secret %q", msg, s)
		}
	}
}

// FuzzDecodeAuth: DecodeAuth never panics and never quotes its input; and
// EncodeAuth(user, pass) decodes back whenever user is non-empty without a
// colon. Seeds: testdata/fuzz/FuzzDecodeAuth.
func FuzzDecodeAuth(f *testing.F) {
	f.Fuzz(func(t *testing.T, auth, user, pass string) {
		u, p, _, err := dockercfg.DecodeAuth(auth)
		if err != nil {
			if u != "" || p != "" {
				t.Errorf("DecodeAuth(%q) returned credentials with an error", auth)
			}
			if msg := err.Error(); len(auth) >= 6 && strings.Contains(msg, auth) || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("DecodeAuth(%q) error %q quotes the input or is not one line", auth, msg)
			}
		} else if u == "" || strings.Contains(u, ":") {
			t.Errorf("DecodeAuth(%q) user = %q", auth, u)
		}
		if user == "" || strings.Contains(user, ":") {
			return
		}
		enc := dockercfg.EncodeAuth(user, pass)
		u, p, unpadded, err := dockercfg.DecodeAuth(enc)
		if err != nil || u != user || p != pass || unpadded {
			t.Errorf("DecodeAuth(EncodeAuth(%q, %q)) = %q, %q, %v, %v", user, pass, u, p, unpadded, err)
		}
	})
}

// FuzzParseKey: ParseKey never panics, quotes no user information in its
// errors, and its result is normalised: a lower-case host without scheme or
// user information, a path without outer slashes or spaces, and String()
// parses back to the same Key (except a path whose first segment is v1 or v2,
// which no written form can carry). Seeds: testdata/fuzz/FuzzParseKey.
func FuzzParseKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := dockercfg.ParseKey(raw)
		_ = dockercfg.KeyWarnings(raw)
		if err != nil {
			if !errors.Is(err, dockercfg.ErrInvalidKey) {
				t.Errorf("ParseKey(%q) error %v does not wrap ErrInvalidKey", raw, err)
			}
			if userinfo := userinfoOf(raw); userinfo != "" && strings.Contains(quotedKey(err.Error()), userinfo+"@") {
				t.Errorf("ParseKey(%q) error %q quotes the user information", raw, err)
			}
			return
		}
		if k.Host == "" || k.Host != strings.ToLower(k.Host) || strings.ContainsAny(k.Host, "/@ ") {
			t.Errorf("ParseKey(%q) host = %q", raw, k.Host)
		}
		if k.Path != strings.TrimFunc(k.Path, func(r rune) bool { return r == '/' || unicode.IsSpace(r) }) {
			t.Errorf("ParseKey(%q) path = %q has outer slashes or spaces", raw, k.Path)
		}
		first, _, _ := strings.Cut(k.Path, "/")
		if first == "v1" || first == "v2" {
			return
		}
		again, err := dockercfg.ParseKey(k.String())
		if err != nil || again != k {
			t.Errorf("ParseKey(%q) = %#v; ParseKey(%q) = %#v, %v", raw, k, k.String(), again, err)
		}
	})
}

// userinfoOf returns what precedes the last @ in the host part of a key.
func userinfoOf(raw string) string {
	s := strings.TrimSpace(raw)
	if i := strings.Index(s, "://"); i >= 0 && !strings.Contains(s[:i], "/") {
		s = s[i+3:]
	}
	host, _, _ := strings.Cut(s, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		return host[:i]
	}
	return ""
}

// hasMarkerKey reports whether an entry key of c is itself a config.json
// member name ("auths", "proxies"...): a flat map holding it reads as
// config.json, so the legacy format cannot carry it.
func hasMarkerKey(c *dockercfg.Config) bool {
	for _, e := range c.Entries {
		k, _ := json.Marshal(e.Key)
		if m, err := dockercfg.Parse([]byte("{" + string(k) + ":{}}")); err != nil || m.Format == dockercfg.FormatConfigJSON {
			return true
		}
	}
	return false
}

// quotedKey returns the key an ErrInvalidKey message quotes, unquoted.
func quotedKey(msg string) string {
	_, rest, ok := strings.Cut(msg, dockercfg.ErrInvalidKey.Error()+" ")
	if !ok {
		return ""
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return ""
	}
	s, _ := strconv.Unquote(q)
	return s
}

// checkEdit edits data in place (a login for a fixed registry) and checks
// that the result parses with the same format and every other entry, keys
// and effective credentials, and that a no-op edit of it changes no byte.
func checkEdit(t *testing.T, data []byte, c *dockercfg.Config) {
	t.Helper()
	const key = "fuzz.example.com"
	out, err := dockercfg.EditConfig("f", data, func(c *dockercfg.Config) error {
		c.SetLogin(key, "u", "p", nil)
		return nil
	})
	if err != nil {
		t.Fatalf("EditConfig: %v", err)
	}
	c2, err := dockercfg.Parse(out)
	if err != nil {
		t.Fatalf("edited file does not parse: %v\n%s", err, out)
	}
	if c2.Format != c.Format {
		t.Errorf("edit changed the format from %v to %v", c.Format, c2.Format)
	}
	var want, got []string
	for _, e := range c.Entries {
		if e.Key != key {
			want = append(want, e.Key+"\x00"+e.Username+"\x00"+e.Password)
		}
	}
	for _, e := range c2.Entries {
		if e.Key != key {
			got = append(got, e.Key+"\x00"+e.Username+"\x00"+e.Password)
		} else if e.Username != "u" || e.Password != "p" {
			t.Errorf("edited entry holds %q, want u", e.Username)
		}
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("edit changed other entries:\n%s", out)
	}
	again, err := dockercfg.EditConfig("f", out, func(*dockercfg.Config) error { return nil })
	if err != nil || string(again) != string(out) {
		t.Errorf("a no-op edit changed the file (%v):\n%s\n%s", err, out, again)
	}
}
