package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// printable returns s with every character a terminal could act on escaped
// the way Go writes it in a quoted string: control characters (\x1b, \n,
// \r, \t, DEL, C1), other non-printing runes such as bidirectional overrides
// (\u202e) and bytes that are not UTF-8 (\xff). Ordinary text, including
// spaces, quotes, backslashes and non-ASCII letters, is left unchanged.
// Every value that comes from a file, a Secret or a registry goes through it
// before a text report or an error line prints it; JSON output needs
// nothing, encoding/json escapes control characters itself.
func printable(s string) string {
	clean := true
	for i, r := range s {
		if !strconv.IsPrint(r) || (r == utf8.RuneError && !validRuneError(s[i:])) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\n', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// validRuneError reports whether s starts with an encoded U+FFFD rather
// than a byte that is not UTF-8.
func validRuneError(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return size > 1
}

// printLine writes the formatted text with printable and a newline: one
// line of a text report, whatever the values hold.
func printLine(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s\n", printable(fmt.Sprintf(format, args...)))
}

// printRow writes one tab-separated row for a tabwriter, each field made
// printable, so that no value adds a column or a row.
func printRow(w io.Writer, fields ...string) {
	for i, f := range fields {
		fields[i] = printable(f)
	}
	fmt.Fprintf(w, "%s\n", strings.Join(fields, "\t"))
}

// errorLines is err as the lines "pullsecret: ..." prints: one line, or one
// line per error when errors.Join put several together (each with the text
// that wraps the join, "convert: " say), with control characters escaped by
// printable so that no text in an error forges a line.
func errorLines(err error) []string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		j, ok := e.(interface{ Unwrap() []error })
		if !ok {
			continue
		}
		// errors.Join writes its errors one a line; fmt.Errorf with
		// several %w does not, and is one line.
		errs := j.Unwrap()
		parts := make([]string, len(errs))
		for i, c := range errs {
			parts[i] = c.Error()
		}
		joined := e.Error()
		at := strings.LastIndex(msg, joined)
		if len(errs) < 2 || joined != strings.Join(parts, "\n") || at < 0 {
			break
		}
		// What wraps the joined errors: a prefix goes on every line, a
		// suffix (a hint) on the last.
		prefix := printable(strings.TrimSpace(msg[:at]))
		if prefix != "" {
			prefix += " "
		}
		suffix := printable(strings.TrimSpace(msg[at+len(joined):]))
		var lines []string
		for _, c := range errs {
			for _, l := range errorLines(c) {
				lines = append(lines, prefix+l)
			}
		}
		if suffix != "" {
			lines[len(lines)-1] += " " + suffix
		}
		return lines
	}
	return []string{printable(strings.TrimSpace(msg))}
}
