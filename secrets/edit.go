package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// ErrNotSingleSecret: manifests given to EditManifest that are not exactly
// one Secret object (a List, several documents, another kind).
var ErrNotSingleSecret = errors.New("not a single Secret manifest")

// IsManifest reports whether data is Kubernetes manifest content rather than
// a docker config, with the detection of ReadSource: a JSON object without a
// string "kind" member is a docker config; any other non-empty content is
// treated as manifests.
func IsManifest(data []byte) bool {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return false
	}
	return trimmed[0] != '{' || hasKind(trimmed)
}

// EditManifest applies edit to the credentials held by data, the manifest
// (YAML or JSON) of exactly one Secret of type kubernetes.io/dockerconfigjson
// or kubernetes.io/dockercfg, and returns the manifest re-encoded in the
// format it came in. Every other member (metadata, labels, annotations,
// resourceVersion, unknown fields) is kept; members are written in sorted
// order, as kubectl writes them. A payload in stringData is edited there
// (and its stale copy in data removed), otherwise the one in data. The
// payload keeps its own unknown members (dockercfg.Config round trip) and
// is written compact. The result is checked with Validate before it is
// returned. name is used in errors only; errors never contain credentials.
func EditManifest(name string, data []byte, edit func(*dockercfg.Config) error) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s: %w", name, dockercfg.ErrEmpty)
	}
	isJSON := trimmed[0] == '{'
	js := trimmed
	if !isJSON {
		var docs [][]byte
		for doc, err := range documents(data) {
			if err != nil {
				return nil, fmt.Errorf("%s: read YAML: %w", name, errors.Unwrap(err))
			}
			docs = append(docs, doc.JSON)
		}
		if len(docs) != 1 {
			return nil, fmt.Errorf("%s: %w: %d YAML documents", name, ErrNotSingleSecret, len(docs))
		}
		js = docs[0]
	}
	obj, end, err := decodeObject(js)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	js = js[:end] // without trailing empty documents
	if kind, _ := obj["kind"].(string); kind != "Secret" {
		return nil, fmt.Errorf("%s: %w: kind %q", name, ErrNotSingleSecret, kind)
	}
	typ, _ := obj["type"].(string)
	f, ok := FormatOf(corev1.SecretType(typ))
	if !ok {
		return nil, fmt.Errorf("%s: %w: type %q (want %s or %s)", name, ErrNotPullSecret, typ, corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg)
	}
	key := DataKey(f)
	dataMap, _ := obj["data"].(map[string]any)
	stringData, _ := obj["stringData"].(map[string]any)
	var payload []byte
	inString := false
	if v, ok := stringData[key].(string); ok {
		payload, inString = []byte(v), true
	} else if v, ok := dataMap[key].(string); ok {
		if payload, err = base64.StdEncoding.DecodeString(v); err != nil {
			return nil, fmt.Errorf("%s: data[%s]: not base64", name, key)
		}
	} else {
		return nil, fmt.Errorf("%s: %w: no %s in data or stringData", name, ErrNotPullSecret, key)
	}
	cfg, err := CheckPayload(payload, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, key, err)
	}
	// Edit only what ReadSource reads as exactly one pull secret (a Secret
	// without apiVersion v1 is not one), so that an edited manifest always
	// reads back as one (found by FuzzEditManifest).
	if srcs, err := ReadSource(name, data); err != nil {
		return nil, err
	} else if len(srcs) != 1 {
		return nil, fmt.Errorf("%s: %w: %d pull secrets", name, ErrNotSingleSecret, len(srcs))
	}
	if err := edit(cfg); err != nil {
		return nil, err
	}
	cfg.Format = f
	out, err := cfg.MarshalCompact()
	if err != nil {
		return nil, fmt.Errorf("%s: encode %s: %w", name, key, err)
	}
	if inString {
		stringData[key] = string(out)
		delete(dataMap, key)
	} else {
		dataMap[key] = base64.StdEncoding.EncodeToString(out)
	}
	result, err := marshalJSON(obj, "")
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", name, err)
	}
	var s corev1.Secret
	if err := json.Unmarshal(result, &s); err != nil {
		return nil, fmt.Errorf("%s: decode Secret: %w", name, err)
	}
	if err := Validate(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !isJSON {
		y, err := yaml.JSONToYAML(result)
		if err != nil {
			return nil, fmt.Errorf("%s: encode YAML: %w", name, err)
		}
		return y, nil
	}
	if indent := jsonIndent(js); indent != "" {
		if result, err = marshalJSON(obj, indent); err != nil {
			return nil, fmt.Errorf("%s: encode: %w", name, err)
		}
	}
	return append(result, '\n'), nil
}

// decodeObject decodes one JSON object, keeping numbers as written, and
// returns where it ends in js. What follows it may only be trailing empty
// documents (emptyDocuments).
func decodeObject(js []byte) (map[string]any, int, error) {
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrNotManifest, err)
	}
	end := int(d.InputOffset())
	if !emptyDocuments(js[end:]) {
		return nil, 0, fmt.Errorf("%w: more than one JSON value", ErrNotSingleSecret)
	}
	if obj == nil {
		return nil, 0, ErrNotManifest
	}
	return obj, end, nil
}

// emptyDocuments reports whether rest, the text after a JSON object, holds
// only trailing empty documents, which every reader of documents skips:
// whitespace or a comment to the end of the object's line, then blank
// lines, comment lines and "---" separator lines (a separator may be
// followed by a comment). Anything else is another value.
func emptyDocuments(rest []byte) bool {
	for i, line := range bytes.Split(rest, []byte("\n")) {
		if i > 0 && bytes.HasPrefix(line, []byte("---")) {
			line = line[3:]
			if len(line) > 0 && line[0] != ' ' && line[0] != '\t' && line[0] != '\r' {
				return false // "---x" is text, not a separator
			}
		}
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// marshalJSON encodes v without HTML escaping, indented by indent ("" for
// compact), without a trailing newline.
func marshalJSON(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// jsonIndent returns the indentation of the first indented line of a JSON
// document, "" when it is written on one line.
func jsonIndent(js []byte) string {
	i := bytes.IndexByte(js, '\n')
	if i < 0 {
		return ""
	}
	rest := js[i+1:]
	j := 0
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	if j == 0 {
		return "    "
	}
	return string(rest[:j])
}
