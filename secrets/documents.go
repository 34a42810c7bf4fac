package secrets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// document is one non-empty document of a manifest stream.
type document struct {
	N    int    // 1-based number in the stream
	JSON []byte // the document as JSON
}

// documentError is an error reading a manifest stream: document Doc does
// not parse, or (Doc 0) the stream itself cannot be split. Err never holds
// input text.
type documentError struct {
	Doc int
	Err error
}

func (e *documentError) Error() string {
	if e.Doc == 0 {
		return "read YAML stream: " + e.Err.Error()
	}
	return fmt.Sprintf("document %d: %v", e.Doc, e.Err)
}

func (e *documentError) Unwrap() error { return e.Err }

// errBadSeparator: a "---" line followed by something other than a comment.
var errBadSeparator = errors.New("invalid YAML document separator: text after ---")

// documents returns the non-empty documents of a manifest stream, in order:
// the one reader of every manifest input of this package (ReadSource,
// Inventory.Add, ReadServiceAccount, EditManifest). A stream is what kubectl
// reads with -f:
//
//   - YAML documents separated by "---" lines, split by apimachinery's
//     YAMLReader; each document is YAML or JSON (JSON is YAML);
//   - within one document, JSON objects written one after the other
//     ({...}{...}, as a loop of kubectl create --dry-run=client -o json
//     prints them): each object is a document of its own.
//
// Documents of only comments are skipped but counted (YAMLReader itself
// drops a document with nothing between two "---" lines).
// Each document is converted to JSON by sigs.k8s.io/yaml, as kubectl
// converts it. On an error the iterator yields a zero document and a
// *documentError, then stops.
func documents(data []byte) iter.Seq2[document, error] {
	return func(yield func(document, error) bool) {
		yr := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		n := 0
		for {
			raw, err := yr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(document{}, &documentError{Err: streamError(err)})
				return
			}
			parts := splitJSONObjects(raw)
			if parts == nil {
				parts = [][]byte{raw}
			}
			for _, part := range parts {
				n++
				js, err := yaml.YAMLToJSON(part)
				if err != nil {
					yield(document{}, &documentError{Doc: n, Err: yamlError(err)})
					return
				}
				if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
					continue // empty document, or only comments
				}
				if !yield(document{N: n, JSON: js}, nil) {
					return
				}
			}
		}
	}
}

// splitJSONObjects returns the JSON objects of a document made of two or
// more JSON objects one after the other ({...}{...}), after any blank,
// comment and "---" lines; nil for anything else (one object, YAML, or
// content that does not decode), which is then read as one YAML document,
// with the errors YAML gives. (YAML itself would read only the first of
// concatenated objects and drop the others without an error.)
func splitJSONObjects(doc []byte) [][]byte {
	body := skipPreamble(doc)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	var out [][]byte
	for {
		var v json.RawMessage
		err := d.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil || len(v) == 0 || v[0] != '{' {
			return nil
		}
		out = append(out, v)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// skipPreamble returns doc from its first line that is not blank, a
// comment or a "---" separator (YAMLReader leaves the separator of an
// empty document in the next one), with leading white space trimmed.
func skipPreamble(doc []byte) []byte {
	for len(doc) > 0 {
		line, rest, _ := bytes.Cut(doc, []byte("\n"))
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && !bytes.HasPrefix(line, []byte("---")) {
			return bytes.TrimLeft(doc, " \t\r\n")
		}
		doc = rest
	}
	return nil
}

// streamError describes an error of apimachinery's YAMLReader without the
// input text it quotes.
func streamError(err error) error {
	var se utilyaml.YAMLSyntaxError
	if errors.As(err, &se) {
		return errBadSeparator
	}
	return err
}

var yamlLine = regexp.MustCompile(`line \d+`)

// yamlError keeps a YAML parser error free of input text: go-yaml quotes
// values in some messages, so only the line number (within the document) is
// kept.
func yamlError(err error) error {
	if loc := yamlLine.FindString(err.Error()); loc != "" {
		return fmt.Errorf("%w: invalid YAML at %s", ErrNotManifest, loc)
	}
	return fmt.Errorf("%w: invalid YAML", ErrNotManifest)
}

// hasKind reports whether the first JSON value of data is an object with a
// string member "kind", the mark of a Kubernetes object (docker configs
// never have one). Only the first value is read, so that a stream of
// objects ({...}{...}, or {...} --- {...}) is recognised as manifests.
func hasKind(data []byte) bool {
	var probe map[string]json.RawMessage
	if json.NewDecoder(bytes.NewReader(data)).Decode(&probe) != nil {
		return false
	}
	var kind string
	return json.Unmarshal(probe["kind"], &kind) == nil && kind != ""
}
