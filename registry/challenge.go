package registry

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrMalformedChallenge is wrapped by the errors of [ParseChallenges] and
// [ParseScope].
var ErrMalformedChallenge = errors.New("malformed challenge")

// Challenge is one authentication challenge of a WWW-Authenticate header
// (RFC 9110 §11.6.1), e.g.
//
//	Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"
type Challenge struct {
	// Scheme is the auth-scheme as the server wrote it ("Bearer", "basic").
	// Compare it with [Challenge.IsScheme]: schemes are case-insensitive.
	Scheme string
	// Params holds the auth-params, keyed by lower-cased name, with quoted
	// strings unescaped. A parameter repeated in one challenge keeps its
	// first value, except scope, whose values are joined with a space.
	Params map[string]string
	// Token68 is the token68 form of credentials some schemes use instead
	// of parameters ("Negotiate abc=="); it is "" when Params is used.
	Token68 string
}

// IsScheme reports whether the challenge's scheme is name, ignoring case.
func (c Challenge) IsScheme(name string) bool {
	return strings.EqualFold(c.Scheme, name)
}

// Realm returns the realm parameter: the token endpoint of a Bearer
// challenge.
func (c Challenge) Realm() string { return c.Params["realm"] }

// Service returns the service parameter of a Bearer challenge.
func (c Challenge) Service() string { return c.Params["service"] }

// Scopes returns the space-separated scopes of the scope parameter, in
// order, without empty ones. Parse each with [ParseScope].
func (c Challenge) Scopes() []string { return strings.Fields(c.Params["scope"]) }

// ErrorCode returns the error parameter (RFC 6750 §3.1), e.g.
// "insufficient_scope" or "invalid_token". (It is not called Error so that
// a Challenge does not satisfy the error interface.)
func (c Challenge) ErrorCode() string { return c.Params["error"] }

// ErrorDescription returns the error_description parameter.
func (c Challenge) ErrorDescription() string { return c.Params["error_description"] }

// String renders the challenge in header syntax, parameters sorted by name
// and always quoted; ParseChallenges gives back an equal challenge.
func (c Challenge) String() string {
	var b strings.Builder
	b.WriteString(c.Scheme)
	if c.Token68 != "" {
		b.WriteByte(' ')
		b.WriteString(c.Token68)
		return b.String()
	}
	names := make([]string, 0, len(c.Params))
	for name := range c.Params {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
		b.WriteString(name)
		b.WriteString(`="`)
		v := c.Params[name]
		for j := 0; j < len(v); j++ {
			if v[j] == '"' || v[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}

// ParseChallenges parses the values of one or more WWW-Authenticate header
// lines. A line may hold several comma-separated challenges; each challenge
// carries either a token68 or a comma-separated list of name=value
// parameters, values being tokens or quoted strings with backslash escapes.
// Scheme and parameter names are case-insensitive. As a leniency found in
// the wild, an unquoted value may contain any character except whitespace,
// comma and double quote (realm=https://host/token).
//
// It returns the challenges of every line that parsed, in order; lines that
// did not parse are reported in the error, which wraps
// [ErrMalformedChallenge] and names the line and byte offset but never
// quotes the header.
func ParseChallenges(headers []string) ([]Challenge, error) {
	var (
		out  []Challenge
		errs []error
	)
	for i, h := range headers {
		p := challengeParser{s: h}
		cs, err := p.parse()
		if err != nil {
			errs = append(errs, fmt.Errorf("parse WWW-Authenticate header %d: %w", i+1, err))
			continue
		}
		out = append(out, cs...)
	}
	return out, errors.Join(errs...)
}

type challengeParser struct {
	s   string
	pos int
}

func (p *challengeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format+" at offset %d", append([]any{ErrMalformedChallenge}, append(args, p.pos)...)...)
}

func (p *challengeParser) eof() bool { return p.pos >= len(p.s) }

func (p *challengeParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// skipSeparators skips whitespace and the empty list elements RFC 9110
// §5.6.1 tells recipients to accept (", ,").
func (p *challengeParser) skipSeparators() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == ',') {
		p.pos++
	}
}

func (p *challengeParser) token() string {
	start := p.pos
	for p.pos < len(p.s) && isTokenChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *challengeParser) parse() ([]Challenge, error) {
	var out []Challenge
	p.skipSeparators()
	if p.eof() {
		return nil, p.errorf("no challenge")
	}
	for !p.eof() {
		scheme := p.token()
		if scheme == "" {
			return nil, p.errorf("expected auth-scheme, found %s", describeByte(p.s[p.pos]))
		}
		c := Challenge{Scheme: scheme, Params: map[string]string{}}
		if !p.eof() && p.s[p.pos] != ' ' && p.s[p.pos] != '\t' && p.s[p.pos] != ',' {
			return nil, p.errorf("expected space after auth-scheme, found %s", describeByte(p.s[p.pos]))
		}
		p.skipSpace()
		if t, ok := p.token68(); ok {
			c.Token68 = t
		} else if err := p.params(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
		p.skipSeparators()
	}
	return out, nil
}

// token68 consumes a token68 if one stands at the current position,
// followed by the end of the header or a comma.
func (p *challengeParser) token68() (string, bool) {
	start := p.pos
	i := p.pos
	for i < len(p.s) && isToken68Char(p.s[i]) {
		i++
	}
	if i == start {
		return "", false
	}
	for i < len(p.s) && p.s[i] == '=' {
		i++
	}
	end := i
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t') {
		i++
	}
	if i < len(p.s) && p.s[i] != ',' {
		return "", false
	}
	p.pos = i
	return p.s[start:end], true
}

// startsParam reports whether a "name =" auth-param starts at the current
// position (rather than the scheme of the next challenge).
func (p *challengeParser) startsParam() bool {
	i := p.pos
	for i < len(p.s) && isTokenChar(p.s[i]) {
		i++
	}
	if i == p.pos {
		return false
	}
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t') {
		i++
	}
	return i < len(p.s) && p.s[i] == '='
}

func (p *challengeParser) params(c *Challenge) error {
	if p.eof() || p.s[p.pos] == ',' {
		// A scheme alone ("Basic"), possibly followed by another challenge.
		return nil
	}
	for {
		name := strings.ToLower(p.token())
		if name == "" {
			return p.errorf("expected parameter name, found %s", describeByte(p.s[p.pos]))
		}
		p.skipSpace()
		if p.eof() || p.s[p.pos] != '=' {
			return p.errorf("expected '=' after parameter %q", name)
		}
		p.pos++
		p.skipSpace()
		value, err := p.value()
		if err != nil {
			return err
		}
		if old, dup := c.Params[name]; !dup {
			c.Params[name] = value
		} else if name == "scope" {
			c.Params[name] = old + " " + value
		}
		p.skipSpace()
		if p.eof() {
			return nil
		}
		if p.s[p.pos] != ',' {
			return p.errorf("expected ',' after value of parameter %q, found %s", name, describeByte(p.s[p.pos]))
		}
		// Look past the commas: another parameter, or the next challenge?
		save := p.pos
		p.skipSeparators()
		if p.eof() || !p.startsParam() {
			p.pos = save
			return nil
		}
	}
}

func (p *challengeParser) value() (string, error) {
	if p.eof() {
		return "", p.errorf("missing parameter value")
	}
	if p.s[p.pos] != '"' {
		start := p.pos
		for p.pos < len(p.s) && isBareValueChar(p.s[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return "", p.errorf("expected parameter value, found %s", describeByte(p.s[p.pos]))
		}
		return p.s[start:p.pos], nil
	}
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		ch := p.s[p.pos]
		switch {
		case ch == '"':
			p.pos++
			return b.String(), nil
		case ch == '\\':
			p.pos++
			if p.pos >= len(p.s) {
				return "", p.errorf("unterminated quoted string")
			}
			if !isQuotedPairChar(p.s[p.pos]) {
				return "", p.errorf("invalid escaped %s in quoted string", describeByte(p.s[p.pos]))
			}
			b.WriteByte(p.s[p.pos])
		case isQDTextChar(ch):
			b.WriteByte(ch)
		default:
			return "", p.errorf("invalid %s in quoted string", describeByte(ch))
		}
		p.pos++
	}
	return "", p.errorf("unterminated quoted string")
}

// describeByte names a byte for an error message without quoting any
// surrounding text of the header.
func describeByte(b byte) string {
	if b > 0x20 && b < 0x7f {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("byte 0x%02x", b)
}

// isTokenChar reports whether b is a tchar (RFC 9110 §5.6.2).
func isTokenChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// isToken68Char reports whether b may appear in a token68 before its
// trailing '=' padding (RFC 9110 §11.2).
func isToken68Char(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", b) >= 0
}

// isBareValueChar reports whether b may appear in an unquoted parameter
// value: a token, leniently widened to any visible character except ',' and
// '"' (servers write realm=https://… unquoted).
func isBareValueChar(b byte) bool {
	return b > 0x20 && b != 0x7f && b != ',' && b != '"' && b < 0x80
}

// isQDTextChar reports whether b is qdtext (RFC 9110 §5.6.4).
func isQDTextChar(b byte) bool {
	return b == '\t' || b == ' ' || b == 0x21 || (0x23 <= b && b <= 0x5b) || (0x5d <= b && b <= 0x7e) || b >= 0x80
}

// isQuotedPairChar reports whether b may follow a backslash in a quoted
// string.
func isQuotedPairChar(b byte) bool {
	return b == '\t' || (0x20 <= b && b <= 0x7e) || b >= 0x80
}

// Scope is one resource scope of the distribution token protocol,
// "type[(class)]:name:action[,action…]", e.g. "repository:team/app:pull,push"
// or "repository:host:5000/app:pull".
type Scope struct {
	// Type is the resource type without its class ("repository", "registry").
	Type string
	// Class is the deprecated resource class ("plugin" in
	// "repository(plugin)"), or "".
	Class string
	// Name is the resource name; it may contain one ':' (host:port).
	Name string
	// Actions are the comma-separated actions in order ("pull", "push", "*").
	Actions []string
}

// ParseScope parses one scope. The type ends at the first ':' and the
// actions start after the last one, so a name may contain host:port.
func ParseScope(s string) (Scope, error) {
	typ, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Scope{}, fmt.Errorf("parse scope %q: %w: want type:name:actions", s, ErrMalformedChallenge)
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return Scope{}, fmt.Errorf("parse scope %q: %w: want type:name:actions", s, ErrMalformedChallenge)
	}
	sc := Scope{Type: typ, Name: rest[:i]}
	if open := strings.IndexByte(typ, '('); open >= 0 {
		if !strings.HasSuffix(typ, ")") || open == 0 {
			return Scope{}, fmt.Errorf("parse scope %q: %w: bad resource class", s, ErrMalformedChallenge)
		}
		sc.Type, sc.Class = typ[:open], typ[open+1:len(typ)-1]
	}
	if sc.Type == "" {
		return Scope{}, fmt.Errorf("parse scope %q: %w: empty resource type", s, ErrMalformedChallenge)
	}
	if sc.Name == "" {
		return Scope{}, fmt.Errorf("parse scope %q: %w: empty resource name", s, ErrMalformedChallenge)
	}
	if actions := rest[i+1:]; actions != "" {
		sc.Actions = strings.Split(actions, ",")
	}
	return sc, nil
}

// String renders the scope in its wire form.
func (s Scope) String() string {
	typ := s.Type
	if s.Class != "" {
		typ += "(" + s.Class + ")"
	}
	return typ + ":" + s.Name + ":" + strings.Join(s.Actions, ",")
}
