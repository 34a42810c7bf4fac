package dockercfg

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Marshal encodes c in its format with tab indentation, as docker writes
// config.json. Unknown members are written back verbatim; known members keep
// their original position. encoding/json's HTML escaping applies to values
// pullsecret writes, as in kubectl's output.
//
// What a parsed file held is written as it was written: an entry's fields
// keep their order, their names' letter case and their values' spelling
// (escapes, null), explicit empty values ("email": "") stay, and so do
// "credsStore": "" and an empty credHelpers. A field whose value changed is
// written with the new value in its place; one cleared to "" is left out;
// a new one follows the others in the order username, password, email,
// auth, identitytoken, registrytoken, serveraddress (kubectl's order).
func (c *Config) Marshal() ([]byte, error) { return c.encode(layout{indent: "\t", newline: true}) }

// MarshalCompact encodes c without indentation, as kubectl encodes the
// payload of a pull secret.
func (c *Config) MarshalCompact() ([]byte, error) { return c.encode(layout{}) }

// marshalLike encodes c in the layout of data, the file it was parsed from:
// its indentation (or none), its final newline, and what the file held
// written back byte for byte, so an edit changes only the bytes of what it
// changed. Empty data gets docker's layout.
func (c *Config) marshalLike(data []byte) ([]byte, error) {
	l := layout{indent: "\t", newline: true, verbatim: true}
	if t := bytes.TrimSpace(data); len(t) > 0 {
		l.newline = bytes.HasSuffix(data, []byte("\n"))
		l.indent = ""
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			j := i + 1
			for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
				j++
			}
			l.indent = string(t[i+1 : j])
			if l.indent == "" {
				l.indent = "\t"
			}
		}
	}
	return c.encode(l)
}

// layout is how encode writes: the indentation unit ("" for compact JSON),
// whether a newline ends the output, and whether values kept from the
// parsed file are copied verbatim instead of re-indented.
type layout struct {
	indent   string
	newline  bool
	verbatim bool
}

// fileLayout is how a parsed file was written, for writing it back the
// same way (Marshal).
type fileLayout struct {
	entries map[*Entry]*entryLayout
	members map[string]json.RawMessage // auths, credsStore, credHelpers as written (lower-case name)

	credsStore  string            // credsStore as parsed
	credHelpers map[string]string // credHelpers as parsed
	helperOrder []string
	nEntries    int
}

// entryLayout is how one entry was written: its value and each field.
type entryLayout struct {
	raw    json.RawMessage
	fields []layoutField
}

// layoutField is one field of an entry as written.
type layoutField struct {
	name  string
	value json.RawMessage
	known int    // index in knownFields, -1 for an unknown field
	was   string // the value of a known field as parsed
}

// knownFields are the entry fields in the order new ones are written.
var knownFields = [...]string{"username", "password", "email", "auth", "identitytoken", "registrytoken", "serveraddress"}

func knownFieldIndex(lower string) int {
	for i, f := range knownFields {
		if f == lower {
			return i
		}
	}
	return -1
}

// values returns the entry's known fields as they are now, in knownFields order.
func (e *Entry) values() [len(knownFields)]string {
	return [...]string{e.RawUsername, e.RawPassword, e.Email, e.Auth, e.IdentityToken, e.RegistryToken, e.ServerAddress}
}

// unchanged reports whether e still holds exactly what was written.
func (l *entryLayout) unchanged(e *Entry) bool {
	cur := e.values()
	var seen [len(knownFields)]bool
	extra := 0
	for _, f := range l.fields {
		if f.known < 0 {
			if extra >= len(e.Extra) || e.Extra[extra].Name != f.name || !bytes.Equal(e.Extra[extra].Value, f.value) {
				return false
			}
			extra++
			continue
		}
		seen[f.known] = true
		if cur[f.known] != f.was {
			return false
		}
	}
	for i, v := range cur {
		if !seen[i] && v != "" {
			return false
		}
	}
	return extra == len(e.Extra)
}

// remember records a top-level member as written.
func (fl *fileLayout) remember(m member) {
	switch n := strings.ToLower(m.Name); n {
	case "auths", "credsstore", "credhelpers":
		if fl.members == nil {
			fl.members = map[string]json.RawMessage{}
		}
		fl.members[n] = bytes.Clone(m.Value)
	}
}

// snapshot records the parsed values of c's known members.
func (fl *fileLayout) snapshot(c *Config) {
	fl.credsStore = c.CredsStore
	fl.credHelpers = maps.Clone(c.CredHelpers)
	fl.helperOrder = slices.Clone(c.HelperOrder)
	fl.nEntries = len(c.Entries)
}

// member returns the raw value of the known member name (lower case) when
// c still holds what the file held there.
func (c *Config) member(name string) (json.RawMessage, bool) {
	fl := c.was
	if fl == nil {
		return nil, false
	}
	v, ok := fl.members[name]
	if !ok {
		return nil, false
	}
	switch name {
	case "auths":
		ok = len(c.Entries) == 0 && fl.nEntries == 0
	case "credsstore":
		ok = c.CredsStore == fl.credsStore
	case "credhelpers":
		ok = maps.Equal(c.CredHelpers, fl.credHelpers) && slices.Equal(c.HelperOrder, fl.helperOrder)
	}
	return v, ok
}

// MarshalAs encodes the entries of c in format f (compact). Converting to the
// legacy format drops credsStore, credHelpers and other top-level members.
// The legacy format holds only the known entry fields (unknown entry fields
// are not written), so that its output is detected as legacy again.
func (c *Config) MarshalAs(f Format) ([]byte, error) {
	cp := *c
	cp.Format = f
	return cp.encode(layout{})
}

type writer struct {
	buf      bytes.Buffer
	indent   string
	verbatim bool // copy kept values as written
	legacy   bool // write known entry fields only
	was      *fileLayout
	err      error
}

// object is an open JSON object being written at some depth.
type object struct {
	w     *writer
	depth int
	n     int
}

func (w *writer) open(depth int) object {
	w.buf.WriteByte('{')
	return object{w: w, depth: depth}
}

// key starts the next member; its value is written at depth o.depth+1.
func (o *object) key(name string) {
	w := o.w
	if o.n > 0 {
		w.buf.WriteByte(',')
	}
	o.n++
	w.nl(o.depth + 1)
	w.str(name)
	w.buf.WriteByte(':')
	if w.indent != "" {
		w.buf.WriteByte(' ')
	}
}

// field writes a string member unless v is empty.
func (o *object) field(name, v string) {
	if v != "" {
		o.key(name)
		o.w.str(v)
	}
}

func (o *object) close() {
	if o.n > 0 {
		o.w.nl(o.depth)
	}
	o.w.buf.WriteByte('}')
}

func (w *writer) nl(depth int) {
	if w.indent == "" {
		return
	}
	w.buf.WriteByte('\n')
	for i := 0; i < depth; i++ {
		w.buf.WriteString(w.indent)
	}
}

// str writes s as a JSON string exactly as encoding/json does (HTML-escaped,
// invalid UTF-8 replaced); plain printable ASCII is copied directly.
func (w *writer) str(s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
	}
	if plain {
		w.buf.WriteByte('"')
		w.buf.WriteString(s)
		w.buf.WriteByte('"')
		return
	}
	b, err := json.Marshal(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b)
}

func (w *writer) raw(v json.RawMessage, depth int) {
	if w.verbatim {
		w.buf.Write(v)
		return
	}
	var err error
	if w.indent == "" {
		err = json.Compact(&w.buf, v)
	} else {
		err = json.Indent(&w.buf, v, strings.Repeat(w.indent, depth), w.indent)
	}
	if err != nil && w.err == nil {
		w.err = err
	}
}

func (w *writer) entries(depth int, es []*Entry) {
	o := w.open(depth)
	for _, e := range es {
		o.key(e.Key)
		w.entry(depth+1, e)
	}
	o.close()
}

func (w *writer) entry(depth int, e *Entry) {
	var l *entryLayout
	if w.was != nil {
		l = w.was.entries[e]
	}
	if l != nil && !w.legacy && l.unchanged(e) {
		w.raw(l.raw, depth)
		return
	}
	o := w.open(depth)
	cur := e.values()
	var done [len(knownFields)]bool
	var arr [8]bool
	var extraDone []bool // which of e.Extra are written
	if len(e.Extra) > len(arr) {
		extraDone = make([]bool, len(e.Extra))
	} else {
		extraDone = arr[:len(e.Extra)]
	}
	if l != nil {
		for _, f := range l.fields {
			if f.known >= 0 {
				done[f.known] = true
				switch v := cur[f.known]; {
				case v == f.was:
					o.key(f.name)
					w.raw(f.value, depth+1)
				case v != "":
					o.key(f.name)
					w.str(v)
				}
				continue
			}
			if w.legacy {
				continue
			}
			for j := range e.Extra {
				if !extraDone[j] && e.Extra[j].Name == f.name {
					extraDone[j] = true
					o.key(f.name)
					w.raw(e.Extra[j].Value, depth+1)
					break
				}
			}
		}
	}
	for i, name := range knownFields {
		if !done[i] {
			o.field(name, cur[i])
		}
	}
	if !w.legacy {
		for j, f := range e.Extra {
			if !extraDone[j] {
				o.key(f.Name)
				w.raw(f.Value, depth+1)
			}
		}
	}
	o.close()
}

func (c *Config) encode(l layout) ([]byte, error) {
	w := &writer{indent: l.indent, verbatim: l.verbatim, legacy: c.Format == FormatLegacy, was: c.was}
	w.buf.Grow(c.sizeHint())
	if c.Format == FormatLegacy {
		w.entries(0, c.Entries)
	} else {
		o := w.open(0)
		var done [3]bool // auths, credsStore, credHelpers written
		emit := func(i int, name string) {
			if done[i] {
				return
			}
			done[i] = true
			lower := strings.ToLower(name)
			if v, ok := c.member(lower); ok {
				o.key(name)
				w.raw(v, 1)
				return
			}
			switch i {
			case 0:
				o.key(name)
				w.entries(1, c.Entries)
			case 1:
				if c.CredsStore != "" {
					o.key(name)
					w.str(c.CredsStore)
				}
			case 2:
				if len(c.CredHelpers) > 0 {
					o.key(name)
					w.helpers(1, c)
				}
			}
		}
		for _, name := range c.order {
			switch strings.ToLower(name) {
			case "auths":
				emit(0, name)
			case "credsstore":
				emit(1, name)
			case "credhelpers":
				emit(2, name)
			default:
				if v, ok := c.extra[name]; ok {
					o.key(name)
					w.raw(v, 1)
				}
			}
		}
		emit(0, "auths")
		emit(1, "credsStore")
		emit(2, "credHelpers")
		o.close()
	}
	if w.err != nil {
		return nil, w.err
	}
	if l.newline {
		w.buf.WriteByte('\n')
	}
	return w.buf.Bytes(), nil
}

// sizeHint estimates the encoded size, to allocate the output once.
func (c *Config) sizeHint() int {
	n := 64
	for _, e := range c.Entries {
		n += 64 + len(e.Key) + len(e.RawUsername) + len(e.RawPassword) + len(e.Email) + len(e.Auth) +
			len(e.IdentityToken) + len(e.RegistryToken) + len(e.ServerAddress)
		if e.RawUsername != "" || e.RawPassword != "" {
			n += 48
		}
		for _, f := range e.Extra {
			n += 16 + len(f.Name) + len(f.Value)
		}
	}
	for _, v := range c.extra {
		n += 16 + 2*len(v)
	}
	return n
}

func (w *writer) helpers(depth int, c *Config) {
	o := w.open(depth)
	seen := make(map[string]bool, len(c.CredHelpers))
	for _, h := range c.HelperOrder {
		if v, ok := c.CredHelpers[h]; ok && !seen[h] {
			seen[h] = true
			o.key(h)
			w.str(v)
		}
	}
	for _, h := range sortedKeys(c.CredHelpers) {
		if !seen[h] {
			o.key(h)
			w.str(c.CredHelpers[h])
		}
	}
	o.close()
}
