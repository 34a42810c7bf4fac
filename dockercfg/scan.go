package dockercfg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// splitObject is objectMembers for data already known to be valid JSON (a
// value taken from a document objectMembers accepted): one pass, no copy,
// member values alias data. It reports non-objects the way objectMembers does.
func splitObject(data []byte, fold bool) ([]member, error) {
	return splitObjectInto(nil, data, fold)
}

// splitObjectInto is splitObject appending to dst, so that callers can pass a
// small array on their stack for entry objects.
func splitObjectInto(dst []member, data []byte, fold bool) ([]member, error) {
	s := scanner{data: data}
	s.ws()
	if s.i >= len(data) {
		return nil, errors.New("invalid JSON: unexpected end of input")
	}
	if c := data[s.i]; c != '{' {
		return nil, fmt.Errorf("expected a JSON object, found %s", kindOf(c))
	}
	s.i++
	out := dst[:0]
	for {
		s.ws()
		if s.i < len(data) && data[s.i] == '}' {
			break
		}
		if s.i < len(data) && data[s.i] == ',' {
			s.i++
			s.ws()
		}
		start := s.i
		if err := s.skipString(); err != nil {
			return nil, err
		}
		name, err := decodeString(data[start:s.i])
		if err != nil {
			return nil, err
		}
		s.ws()
		if s.i >= len(data) || data[s.i] != ':' {
			return nil, errInvalid
		}
		s.i++
		s.ws()
		vstart := s.i
		if err := s.skipValue(); err != nil {
			return nil, err
		}
		out = append(out, member{Name: name, Value: json.RawMessage(data[vstart:s.i:s.i])})
	}
	if err := checkDuplicates(out, fold); err != nil {
		return nil, err
	}
	return out, nil
}

var errInvalid = errors.New("invalid JSON")

func kindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// checkDuplicates rejects repeated member names (case-insensitively with fold).
func checkDuplicates(ms []member, fold bool) error {
	// strings.ToLower, as the known field names are matched.
	same := func(a, b string) bool { return a == b || fold && strings.ToLower(a) == strings.ToLower(b) }
	if len(ms) <= 16 {
		for i := 1; i < len(ms); i++ {
			for j := 0; j < i; j++ {
				if same(ms[i].Name, ms[j].Name) {
					return fmt.Errorf("%w %q", ErrDuplicateKey, ms[i].Name)
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, len(ms))
	for _, m := range ms {
		k := m.Name
		if fold {
			k = strings.ToLower(k)
		}
		if _, ok := seen[k]; ok {
			return fmt.Errorf("%w %q", ErrDuplicateKey, m.Name)
		}
		seen[k] = struct{}{}
	}
	return nil
}

// decodeString decodes a JSON string token; the common case (no escapes,
// valid UTF-8) is a plain conversion, the rest goes to encoding/json so that
// escapes and invalid UTF-8 are decoded exactly as encoding/json does.
func decodeString(tok []byte) (string, error) {
	if len(tok) >= 2 && tok[0] == '"' && tok[len(tok)-1] == '"' {
		inner := tok[1 : len(tok)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), nil
		}
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", cleanJSONErr(err)
	}
	return s, nil
}

type scanner struct {
	data []byte
	i    int
}

func (s *scanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) skipString() error {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return errInvalid
	}
	for s.i++; s.i < len(s.data); s.i++ {
		switch s.data[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return nil
		}
	}
	return errInvalid
}

func (s *scanner) skipValue() error {
	if s.i >= len(s.data) {
		return errInvalid
	}
	switch s.data[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case '"':
				if err := s.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errInvalid
	default:
		start := s.i
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					return errInvalid
				}
				return nil
			}
			s.i++
		}
		if s.i == start {
			return errInvalid
		}
		return nil
	}
}
