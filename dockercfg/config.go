package dockercfg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// MaxFileSize is the largest credential file Parse accepts.
const MaxFileSize = 16 << 20

// Format is the layout of a credential file.
type Format int

const (
	// FormatConfigJSON is {"auths":{KEY:{...}}, ...}: docker config.json,
	// containers auth.json and the kubernetes.io/dockerconfigjson payload.
	FormatConfigJSON Format = iota
	// FormatLegacy is the flat {KEY:{...}} map of ~/.dockercfg and the
	// kubernetes.io/dockercfg payload.
	FormatLegacy
)

// String returns "dockerconfigjson" or "dockercfg".
func (f Format) String() string {
	if f == FormatLegacy {
		return "dockercfg"
	}
	return "dockerconfigjson"
}

// Errors returned (wrapped) by Parse.
var (
	ErrNotConfig    = errors.New("not a docker config: no auths, credsStore or credHelpers")
	ErrDuplicateKey = errors.New("duplicate key")
	ErrTooLarge     = errors.New("file too large")
	ErrBOM          = errors.New("file starts with a UTF-8 byte-order mark, which docker, podman and the kubelet reject")
	ErrEmpty        = errors.New("file is empty")
)

// ParseError describes a problem with one entry (or the file as a whole when
// Key is empty). It never contains a credential value.
type ParseError struct {
	File  string // file or source name, if known
	Key   string // entry key, if the problem is in one entry
	Field string // field within the entry, if known
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "entry %q: ", e.Key)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Field is an unknown JSON member kept verbatim for rewriting.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Entry is one credential entry. Username and Password are the effective
// credentials (decoded from auth when auth is set, since auth overrides the
// separate fields for every consumer); the Raw fields are what the file holds.
type Entry struct {
	Key           string // the key exactly as written
	Username      string // effective user name
	Password      string // effective password
	Auth          string // raw auth value
	Email         string
	IdentityToken string
	RegistryToken string
	ServerAddress string

	RawUsername string // username field as written ("" if absent)
	RawPassword string // password field as written ("" if absent)

	// Unpadded is set when auth was unpadded base64 (docker and podman reject it).
	Unpadded bool
	// Spellings lists field names written in a non-canonical case ("Auth").
	Spellings []string
	// Extra holds unknown fields in file order.
	Extra []Field
}

// NewEntry returns an entry for key carrying auth (padded), username,
// password and email, as the generators write it.
func NewEntry(key, username, password, email string) *Entry {
	return &Entry{
		Key: key, Username: username, Password: password, Email: email,
		Auth: EncodeAuth(username, password), RawUsername: username, RawPassword: password,
	}
}

// HasAuth reports whether the entry carries an auth field.
func (e *Entry) HasAuth() bool { return e.Auth != "" }

// HasCredentials reports whether the entry carries any credential inline.
func (e *Entry) HasCredentials() bool {
	return e.Username != "" || e.Password != "" || e.IdentityToken != "" || e.RegistryToken != ""
}

// String describes the entry without its secrets. It has a value receiver so
// that printing an Entry value, not only a pointer, is redacted too.
func (e Entry) String() string {
	return fmt.Sprintf("Entry{Key:%q Username:%q secret:redacted}", e.Key, e.Username)
}

// GoString is String, so %#v does not reveal secrets either.
func (e Entry) GoString() string { return e.String() }

// LogValue makes log/slog record the entry without its secrets.
func (e Entry) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", e.Key), slog.String("username", e.Username), slog.String("secret", "redacted"))
}

// Config is a parsed credential file.
type Config struct {
	Format      Format
	Entries     []*Entry          // auths (or the flat map) in file order
	CredsStore  string            // suffix of docker-credential-<name>, "" if none
	CredHelpers map[string]string // host -> helper suffix
	// HelperOrder keeps the credHelpers keys in file order.
	HelperOrder []string

	order []string                   // top-level member names in file order
	extra map[string]json.RawMessage // unknown top-level members
	was   *fileLayout                // how the parsed file was written (marshal.go)
}

// Entry returns the first entry whose key is exactly key, or nil.
func (c *Config) Entry(key string) *Entry {
	for _, e := range c.Entries {
		if e.Key == key {
			return e
		}
	}
	return nil
}

// Set replaces the entry with the same key (keeping its position) or appends e.
func (c *Config) Set(e *Entry) {
	for i, old := range c.Entries {
		if old.Key == e.Key {
			c.Entries[i] = e
			return
		}
	}
	c.Entries = append(c.Entries, e)
}

// Remove deletes every entry whose key is key and reports how many it removed.
func (c *Config) Remove(key string) int {
	kept := c.Entries[:0]
	n := 0
	for _, e := range c.Entries {
		if e.Key == key {
			n++
			continue
		}
		kept = append(kept, e)
	}
	c.Entries = kept
	return n
}

var knownTop = map[string]bool{
	"httpheaders": true, "psformat": true, "imagesformat": true, "networksformat": true,
	"pluginsformat": true, "volumesformat": true, "statsformat": true, "detachkeys": true,
	"serviceinspectformat": true, "servicesformat": true, "tasksformat": true,
	"secretformat": true, "configformat": true, "nodesformat": true, "prunefilters": true,
	"proxies": true, "experimental": true, "stackorchestrator": true, "kubernetes": true,
	"currentcontext": true, "clipluginsextradirs": true, "plugins": true, "aliases": true,
	"features": true,
}

var entryFields = map[string]bool{
	"auth": true, "username": true, "password": true, "email": true,
	"identitytoken": true, "registrytoken": true, "serveraddress": true,
}

// Parse reads a credential file of either format. The format is detected from
// content: a top-level auths, credsStore or credHelpers member (or a known
// docker config member) means config.json; a map whose values are all entry
// objects means the legacy flat format. Errors are *ParseError values.
func Parse(data []byte) (*Config, error) {
	return parse(data, "")
}

// ParseFormat parses data that must be of the given format, as a Secret of a
// given type must hold.
func ParseFormat(data []byte, f Format) (*Config, error) {
	c, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if c.Format != f {
		return nil, &ParseError{Err: fmt.Errorf("content is in %s format, expected %s", c.Format, f)}
	}
	return c, nil
}

func parse(data []byte, file string) (*Config, error) {
	fail := func(err error) (*Config, error) { return nil, &ParseError{File: file, Err: err} }
	if len(data) > MaxFileSize {
		return fail(fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxFileSize))
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return fail(ErrBOM)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(ErrEmpty)
	}
	// The top level is a map (legacy) or a struct (config.json): duplicate
	// names are checked exactly here and case-insensitively once it is known
	// to be config.json, whose members encoding/json matches without case.
	members, err := objectMembers(data, false)
	if err != nil {
		return fail(err)
	}
	c := &Config{was: &fileLayout{entries: map[*Entry]*entryLayout{}}}
	modern := len(members) == 0
	for _, m := range members {
		n := strings.ToLower(m.Name)
		if n == "auths" || n == "credsstore" || n == "credhelpers" || knownTop[n] {
			modern = true
			break
		}
	}
	if !modern {
		if legacy(members) {
			c.Format = FormatLegacy
			for _, m := range members {
				e, err := parseEntry(m.Name, m.Value, c.was)
				if err != nil {
					err.File = file
					return nil, err
				}
				c.Entries = append(c.Entries, e)
			}
			return c, nil
		}
		return fail(ErrNotConfig)
	}
	if err := foldDuplicate(members); err != nil {
		return fail(err)
	}
	c.Format = FormatConfigJSON
	c.extra = map[string]json.RawMessage{}
	for _, m := range members {
		c.order = append(c.order, m.Name)
		c.was.remember(m)
		switch strings.ToLower(m.Name) {
		case "auths":
			if isNull(m.Value) {
				continue
			}
			ems, err := splitObject(m.Value, false)
			if err != nil {
				return fail(fmt.Errorf("auths: %w", err))
			}
			for _, em := range ems {
				e, perr := parseEntry(em.Name, em.Value, c.was)
				if perr != nil {
					perr.File = file
					return nil, perr
				}
				c.Entries = append(c.Entries, e)
			}
		case "credsstore":
			if err := json.Unmarshal(m.Value, &c.CredsStore); err != nil {
				return fail(fmt.Errorf("credsStore: must be a string: %w", cleanJSONErr(err)))
			}
			if err := checkHelperName(c.CredsStore); err != nil {
				return fail(fmt.Errorf("credsStore: %w", err))
			}
		case "credhelpers":
			if isNull(m.Value) {
				continue
			}
			hms, err := splitObject(m.Value, false)
			if err != nil {
				return fail(fmt.Errorf("credHelpers: %w", err))
			}
			c.CredHelpers = make(map[string]string, len(hms))
			for _, hm := range hms {
				var name string
				if err := json.Unmarshal(hm.Value, &name); err != nil {
					return nil, &ParseError{File: file, Key: hm.Name, Field: "credHelpers", Err: fmt.Errorf("helper name must be a string: %w", cleanJSONErr(err))}
				}
				if err := checkHelperName(name); err != nil {
					return nil, &ParseError{File: file, Key: hm.Name, Field: "credHelpers", Err: err}
				}
				c.CredHelpers[hm.Name] = name
				c.HelperOrder = append(c.HelperOrder, hm.Name)
			}
		default:
			c.extra[m.Name] = bytes.Clone(m.Value)
		}
	}
	c.was.snapshot(c)
	return c, nil
}

func checkHelperName(name string) error {
	if strings.ContainsAny(name, "/\\ \t\n") {
		return fmt.Errorf("helper name %q must be the suffix of docker-credential-<name>", name)
	}
	return nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// legacy reports whether every member is null or an object made only of entry
// fields, and at least one is an object.
func legacy(members []member) bool {
	objects := 0
	for _, m := range members {
		if isNull(m.Value) {
			continue
		}
		var arr [8]member
		fs, err := splitObjectInto(arr[:0], m.Value, true)
		if err != nil {
			return false
		}
		for _, f := range fs {
			if !entryFields[strings.ToLower(f.Name)] {
				return false
			}
		}
		objects++
	}
	return objects > 0
}

// parseEntry parses the entry key: v, recording how it was written in fl.
func parseEntry(key string, v json.RawMessage, fl *fileLayout) (*Entry, *ParseError) {
	perr := func(field string, err error) *ParseError { return &ParseError{Key: key, Field: field, Err: err} }
	e := &Entry{Key: key}
	if _, err := ParseKey(key); err != nil {
		return nil, perr("", err)
	}
	v = bytes.Clone(v) // the layout's raw values alias this copy, not the caller's data
	el := &entryLayout{raw: v}
	fl.entries[e] = el
	if isNull(v) {
		return e, nil
	}
	var arr [8]member // an entry has a handful of fields
	fields, err := splitObjectInto(arr[:0], v, true)
	if err != nil {
		return nil, perr("", fmt.Errorf("entry must be a JSON object: %w", err))
	}
	for _, f := range fields {
		lower := strings.ToLower(f.Name)
		if !entryFields[lower] {
			e.Extra = append(e.Extra, Field{Name: f.Name, Value: bytes.Clone(f.Value)})
			el.fields = append(el.fields, layoutField{name: f.Name, value: f.Value, known: -1})
			continue
		}
		if f.Name != lower {
			e.Spellings = append(e.Spellings, f.Name)
		}
		var s string
		if len(f.Value) > 0 && f.Value[0] == '"' {
			if s, err = decodeString(f.Value); err != nil {
				return nil, perr(lower, fmt.Errorf("must be a string: %w", err))
			}
		} else if !isNull(f.Value) {
			if err := json.Unmarshal(f.Value, &s); err != nil {
				return nil, perr(lower, fmt.Errorf("must be a string: %w", cleanJSONErr(err)))
			}
		}
		el.fields = append(el.fields, layoutField{name: f.Name, value: f.Value, known: knownFieldIndex(lower), was: s})
		switch lower {
		case "auth":
			e.Auth = s
		case "username":
			e.RawUsername = s
		case "password":
			e.RawPassword = s
		case "email":
			e.Email = s
		case "identitytoken":
			e.IdentityToken = s
		case "registrytoken":
			e.RegistryToken = s
		case "serveraddress":
			e.ServerAddress = s
		}
	}
	e.Username, e.Password = e.RawUsername, e.RawPassword
	if e.Auth != "" {
		u, p, unpadded, err := DecodeAuth(e.Auth)
		if err != nil {
			return nil, perr("auth", err)
		}
		e.Username, e.Password, e.Unpadded = u, p, unpadded
	} else if e.RawUsername == "" && e.RawPassword != "" {
		return nil, perr("username", errors.New("empty username with a password"))
	}
	return e, nil
}

type member struct {
	Name  string
	Value json.RawMessage
}

// objectMembers splits a JSON object into its members in order, rejecting
// duplicate names and trailing data. With fold, names are compared
// case-insensitively, as encoding/json merges them into one struct field;
// without it (maps: auths, credHelpers, the legacy file) only exact
// duplicates are rejected, since "Quay.io" and "quay.io" are two map keys to
// every consumer.
func objectMembers(data []byte, fold bool) ([]member, error) {
	if json.Valid(data) {
		return splitObject(data, fold)
	}
	// Invalid: decode token by token for a precise, value-free error.
	return decodeMembers(data, fold)
}

// decodeMembers is objectMembers through encoding/json's Decoder: slower, but
// its errors locate invalid JSON.
func decodeMembers(data []byte, fold bool) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, cleanJSONErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected a JSON object, found %s", jsonKind(tok))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, cleanJSONErr(err)
		}
		name := tok.(string)
		dup := name
		if fold {
			dup = strings.ToLower(name)
		}
		if seen[dup] {
			return nil, fmt.Errorf("%w %q", ErrDuplicateKey, name)
		}
		seen[dup] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("value of %q: %w", name, cleanJSONErr(err))
		}
		out = append(out, member{Name: name, Value: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, cleanJSONErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return out, nil
}

// foldDuplicate rejects member names that differ only in case.
func foldDuplicate(members []member) error {
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		l := strings.ToLower(m.Name)
		if seen[l] {
			return fmt.Errorf("%w %q", ErrDuplicateKey, m.Name)
		}
		seen[l] = true
	}
	return nil
}

func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return string(t)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "something else"
}

// cleanJSONErr keeps JSON errors free of input bytes: syntax errors quote at
// most one character, which we drop, keeping the offset.
func cleanJSONErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Value is "number 1234" for numbers: keep the kind, drop the literal.
		kind, _, _ := strings.Cut(te.Value, " ")
		return fmt.Errorf("found a JSON %s", kind)
	}
	return err
}

// RemoveServer deletes the entries that name server: those keyed server
// exactly, and those whose key normalises (ParseKey) to the same key as
// server, so that "https://index.docker.io/v1/", "docker.io" and
// "index.docker.io" all name Docker Hub. It reports how many it removed.
// A server that ParseKey rejects removes only the entries keyed exactly so.
func (c *Config) RemoveServer(server string) int {
	want, ok := Key{}, false
	if k, err := ParseKey(server); err == nil {
		want, ok = k, true
	}
	kept := c.Entries[:0]
	n := 0
	for _, e := range c.Entries {
		match := e.Key == server
		if !match && ok {
			k, err := ParseKey(e.Key)
			match = err == nil && k == want
		}
		if match {
			n++
			continue
		}
		kept = append(kept, e)
	}
	c.Entries = kept
	return n
}
