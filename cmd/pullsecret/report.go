package main

import (
	"encoding/json"
	"io"
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
