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

func (w *writer) nl(depth int) {
	if w.indent == "" {
		return
	}
	w.buf.WriteByte('\n')
	for i := 0; i < depth; i++ {
		w.buf.WriteString(w.indent)
	}
}

func (w *writer) str(s string) {
	b, err := json.Marshal(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b)
}

func (w *writer) colon() {
	w.buf.WriteByte(':')
	if w.indent != "" {
		w.buf.WriteByte(' ')
	}
}

func (w *writer) raw(v json.RawMessage, depth int) {
	if w.indent == "" {
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil && w.err == nil {
			w.err = err
		}
		w.buf.Write(b.Bytes())
		return
	}
	var b bytes.Buffer
	prefix := strings.Repeat(w.indent, depth)
	if err := json.Indent(&b, v, prefix, w.indent); err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b.Bytes())
}

// object writes members produced by fn; fn calls member for each.
type memberFunc func(name string, value func(depth int))

func (w *writer) object(depth int, fn func(member memberFunc)) {
	w.buf.WriteByte('{')
	n := 0
	fn(func(name string, value func(depth int)) {
		if n > 0 {
			w.buf.WriteByte(',')
		}
		n++
		w.nl(depth + 1)
		w.str(name)
		w.colon()
		value(depth + 1)
	})
	if n > 0 {
		w.nl(depth)
	}
	w.buf.WriteByte('}')
}

func (w *writer) entries(depth int, es []*Entry) {
	w.object(depth, func(member memberFunc) {
		for _, e := range es {
			e := e
			member(e.Key, func(d int) { w.entry(d, e) })
		}
	})
}

func (w *writer) entry(depth int, e *Entry) {
	w.object(depth, func(member memberFunc) {
		field := func(name, v string) {
			if v != "" {
				member(name, func(int) { w.str(v) })
			}
		}
		field("username", e.RawUsername)
		field("password", e.RawPassword)
		field("email", e.Email)
		field("auth", e.Auth)
		field("identitytoken", e.IdentityToken)
		field("registrytoken", e.RegistryToken)
		field("serveraddress", e.ServerAddress)
		if w.legacy {
			return
		}
		for _, f := range e.Extra {
			f := f
			member(f.Name, func(d int) { w.raw(f.Value, d) })
		}
	})
}

func (c *Config) encode(indent string) ([]byte, error) {
	w := &writer{indent: indent, legacy: c.Format == FormatLegacy}
	if c.Format == FormatLegacy {
		w.entries(0, c.Entries)
	} else {
		w.object(0, func(member memberFunc) {
			done := map[string]bool{}
			emit := func(lname string) {
				if done[lname] {
					return
				}
				done[lname] = true
				switch lname {
				case "auths":
					member("auths", func(d int) { w.entries(d, c.Entries) })
				case "credsstore":
					if c.CredsStore != "" {
						member("credsStore", func(int) { w.str(c.CredsStore) })
					}
				case "credhelpers":
					if len(c.CredHelpers) > 0 {
						member("credHelpers", func(d int) { w.helpers(d, c) })
					}
				}
			}
			for _, name := range c.order {
				l := strings.ToLower(name)
				if l == "auths" || l == "credsstore" || l == "credhelpers" {
					emit(l)
					continue
				}
				if v, ok := c.extra[name]; ok {
					member(name, func(d int) { w.raw(v, d) })
				}
			}
			emit("auths")
			emit("credsstore")
			emit("credhelpers")
		})
	}
	if w.err != nil {
		return nil, w.err
	}
	if indent != "" {
		w.buf.WriteByte('\n')
	}
	return w.buf.Bytes(), nil
}

func (w *writer) helpers(depth int, c *Config) {
	w.object(depth, func(member memberFunc) {
		seen := map[string]bool{}
		for _, h := range c.HelperOrder {
			if v, ok := c.CredHelpers[h]; ok && !seen[h] {
				seen[h] = true
				member(h, func(int) { w.str(v) })
			}
		}
		for _, h := range sortedKeys(c.CredHelpers) {
			if !seen[h] {
				member(h, func(int) { w.str(c.CredHelpers[h]) })
			}
		}
	})
}
