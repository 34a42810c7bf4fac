package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// reportAPIVersion is the apiVersion of every JSON report
// (docs/json-output.md): its major version changes only with a breaking
// change of a stable field.
const reportAPIVersion = "pullsecret.dev/v1"

// The kind of each JSON report.
const (
	kindInspectReport  = "InspectReport"
	kindMatchReport    = "MatchReport"
	kindTestPullReport = "TestPullReport"
	kindResolveReport  = "ResolveReport"
	kindDiagnoseReport = "DiagnoseReport"
	kindVersionReport  = "VersionReport"
)

// reportHeader opens every JSON report: what it is and which version of
// its schema.
type reportHeader struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// newReportHeader returns the header of a report of kind.
func newReportHeader(kind string) reportHeader {
	return reportHeader{APIVersion: reportAPIVersion, Kind: kind}
}

// writeJSON writes v as one JSON document, indented with 2 spaces and
// ended by a newline. "<", ">" and "&" are written as they are: the
// reports are not HTML.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonStream writes a report whose list is still growing, byte for byte in
// the layout writeJSON gives the finished report: the header and the list
// field ("results", "pods", "secrets") first, each element as it comes,
// then the fields that follow the list. The header is written by start, or
// with the first element, or at the end when nothing came.
type jsonStream struct {
	w       io.Writer
	kind    string
	field   string
	n       int
	started bool
}

// jsonField is a top-level field written after a jsonStream's list.
type jsonField struct {
	name  string
	value any
}

// start writes the header and opens the list.
func (s *jsonStream) start() error {
	if s.started {
		return nil
	}
	s.started = true
	h := newReportHeader(s.kind)
	_, err := fmt.Fprintf(s.w, "{\n  \"apiVersion\": %q,\n  \"kind\": %q,\n  %q: [", h.APIVersion, h.Kind, s.field)
	return err
}

// add writes one element of the list.
func (s *jsonStream) add(v any) error {
	if err := s.start(); err != nil {
		return err
	}
	b, err := indentJSON(v, "    ")
	if err != nil {
		return err
	}
	sep := ",\n    "
	if s.n == 0 {
		sep = "\n    "
	}
	s.n++
	_, err = io.WriteString(s.w, sep+b)
	return err
}

// end closes the list, writes the fields that follow it and closes the
// document.
func (s *jsonStream) end(fields ...jsonField) error {
	if err := s.start(); err != nil {
		return err
	}
	var b strings.Builder
	if s.n > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]")
	for _, f := range fields {
		v, err := indentJSON(f.value, "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, ",\n  %q: %s", f.name, v)
	}
	b.WriteString("\n}\n")
	_, err := io.WriteString(s.w, b.String())
	return err
}

// indentJSON is v as writeJSON writes it, every line but the first
// indented by prefix, without the final newline.
func indentJSON(v any, prefix string) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
