package dockercfg

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Marshal encodes c in its format with tab indentation, as docker writes
// config.json. Unknown members are written back verbatim; known members keep
// their original position. encoding/json's HTML escaping applies, as in
// kubectl's output.
func (c *Config) Marshal() ([]byte, error) { return c.encode("\t") }

// MarshalCompact encodes c without indentation, as kubectl encodes the
// payload of a pull secret.
func (c *Config) MarshalCompact() ([]byte, error) { return c.encode("") }

// MarshalAs encodes the entries of c in format f (compact). Converting to the
// legacy format drops credsStore, credHelpers and other top-level members.
// The legacy format holds only the known entry fields (unknown entry fields
// are not written), so that its output is detected as legacy again.
func (c *Config) MarshalAs(f Format) ([]byte, error) {
	cp := *c
	cp.Format = f
	return cp.encode("")
}

type writer struct {
	buf    bytes.Buffer
	indent string
	legacy bool // write known entry fields only
	err    error
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
	o := w.open(depth)
	o.field("username", e.RawUsername)
	o.field("password", e.RawPassword)
	o.field("email", e.Email)
	o.field("auth", e.Auth)
	o.field("identitytoken", e.IdentityToken)
	o.field("registrytoken", e.RegistryToken)
	o.field("serveraddress", e.ServerAddress)
	if !w.legacy {
		for _, f := range e.Extra {
			o.key(f.Name)
			w.raw(f.Value, depth+1)
		}
	}
	o.close()
}

func (c *Config) encode(indent string) ([]byte, error) {
	w := &writer{indent: indent, legacy: c.Format == FormatLegacy}
	w.buf.Grow(c.sizeHint())
	if c.Format == FormatLegacy {
		w.entries(0, c.Entries)
	} else {
		o := w.open(0)
		var done [3]bool // auths, credsStore, credHelpers written
		emit := func(i int) {
			if done[i] {
				return
			}
			done[i] = true
			switch i {
			case 0:
				o.key("auths")
				w.entries(1, c.Entries)
			case 1:
				if c.CredsStore != "" {
					o.key("credsStore")
					w.str(c.CredsStore)
				}
			case 2:
				if len(c.CredHelpers) > 0 {
					o.key("credHelpers")
					w.helpers(1, c)
				}
			}
		}
		for _, name := range c.order {
			switch strings.ToLower(name) {
			case "auths":
				emit(0)
			case "credsstore":
				emit(1)
			case "credhelpers":
				emit(2)
			default:
				if v, ok := c.extra[name]; ok {
					o.key(name)
					w.raw(v, 1)
				}
			}
		}
		emit(0)
		emit(1)
		emit(2)
		o.close()
	}
	if w.err != nil {
		return nil, w.err
	}
	if indent != "" {
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
