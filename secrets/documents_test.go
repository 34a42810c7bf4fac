package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// jsonSecret is a pull secret written as one line of JSON, as kubectl
// create secret docker-registry --dry-run=client -o json prints it (but
// compact).
func jsonSecret(name string) string {
	return `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"` + name + `","namespace":"ns"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"` + b64JSON + `"}}`
}

// streams are manifest streams kubectl reads with -f, with the names of
// the objects in them.
var streams = []struct {
	name  string
	in    string
	names []string
}{
	{"one yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n", []string{"a"}},
	{"yaml stream", "---\nkind: Secret\nmetadata: {name: a}\n---\n# only a comment\n---\nkind: Secret\nmetadata: {name: b}\n", []string{"a", "b"}},
	{"one json", jsonSecret("a"), []string{"a"}},
	{"json documents in a yaml stream", jsonSecret("a") + "\n---\n" + jsonSecret("b") + "\n", []string{"a", "b"}},
	{"concatenated json", jsonSecret("a") + jsonSecret("b"), []string{"a", "b"}},
	{"json objects one a line", jsonSecret("a") + "\n" + jsonSecret("b") + "\n" + jsonSecret("c") + "\n", []string{"a", "b", "c"}},
	{"indented json objects", "{\n  \"kind\": \"Secret\",\n  \"metadata\": {\"name\": \"a\"}\n}\n{\n  \"kind\": \"Secret\",\n  \"metadata\": {\"name\": \"b\"}\n}\n", []string{"a", "b"}},
}

func docNames(t *testing.T, docs [][]byte) []string {
	t.Helper()
	var names []string
	for _, d := range docs {
		var o struct {
			Metadata struct{ Name string } `json:"metadata"`
		}
		if err := json.Unmarshal(d, &o); err != nil {
			t.Fatalf("document is not JSON: %v", err)
		}
		names = append(names, o.Metadata.Name)
	}
	return names
}

// TestDocuments: the reader splits YAML streams, JSON documents in a YAML
// stream and concatenated JSON objects, and gives each document as JSON.
func TestDocuments(t *testing.T) {
	t.Parallel()
	for _, tt := range streams {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var docs [][]byte
			for doc, err := range documents([]byte(tt.in)) {
				if err != nil {
					t.Fatalf("documents: %v", err)
				}
				docs = append(docs, doc.JSON)
			}
			if diff := cmp.Diff(tt.names, docNames(t, docs)); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDocumentsLikeKubectl: on the streams kubectl reads, the reader gives
// the objects apimachinery's YAMLOrJSONDecoder (kubectl's -f reader) gives.
func TestDocumentsLikeKubectl(t *testing.T) {
	t.Parallel()
	for _, tt := range streams {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var want []any
			d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(tt.in), 4096)
			for {
				var v any
				err := d.Decode(&v)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("kubectl's decoder: %v", err)
				}
				if v != nil {
					want = append(want, v)
				}
			}
			var got []any
			for doc, err := range documents([]byte(tt.in)) {
				if err != nil {
					t.Fatalf("documents: %v", err)
				}
				var v any
				if err := json.Unmarshal(doc.JSON, &v); err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("documents differ from kubectl's (-kubectl +ours):\n%s", diff)
			}
		})
	}
}

// TestDocumentsNumbering: every document counts, empty ones too, and each
// object of a concatenated JSON document is a document; errors name the
// document and never quote the input.
func TestDocumentsNumbering(t *testing.T) {
	t.Parallel()
	in := "kind: A\n---\n---\n" + `{"kind":"B"}{"kind":"C"}` + "\n---\nkind: D\n---\nkind: [pw-Zq9\n"
	var nums []int
	var err error
	for doc, e := range documents([]byte(in)) {
		if e != nil {
			err = e
			break
		}
		nums = append(nums, doc.N)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4}, nums); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	var de *documentError
	if !errors.As(err, &de) || de.Doc != 5 || !errors.Is(err, ErrNotManifest) {
		t.Fatalf("error %v, want a *documentError for document 5 wrapping ErrNotManifest", err)
	}
	if want := "document 5: not a docker config or Kubernetes manifest: invalid YAML at line"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want prefix %q", err, want)
	}
	if strings.Contains(err.Error(), "pw-Zq9") {
		t.Errorf("error quotes the input: %v", err)
	}
}

// TestDocumentsBadSeparator: apimachinery's YAMLReader quotes the text after
// a "---" in its error; the reader's error does not.
func TestDocumentsBadSeparator(t *testing.T) {
	t.Parallel()
	in := "kind: Secret\n--- pw-Zq9\nkind: Secret\n"
	_, err := ReadSource("f.yaml", []byte(in))
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml: read YAML stream: invalid YAML document separator") {
		t.Fatalf("ReadSource: %v, want a separator error naming the file", err)
	}
	if strings.Contains(err.Error(), "pw-Zq9") {
		t.Errorf("error quotes the input: %v", err)
	}
	_, err = ReadServiceAccount("sa.yaml", []byte(in), "")
	if err == nil || strings.Contains(err.Error(), "pw-Zq9") || !strings.HasPrefix(err.Error(), "read sa.yaml: invalid YAML document separator") {
		t.Errorf("ReadServiceAccount: %v", err)
	}
}

// TestDocumentsStop: the iterator stops when the loop breaks.
func TestDocumentsStop(t *testing.T) {
	t.Parallel()
	n := 0
	for range documents([]byte(jsonSecret("a") + jsonSecret("b") + "\n---\nkind: C\n")) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("%d documents after break, want 1", n)
	}
}

// TestJSONStreams: every manifest reader reads JSON documents in a YAML
// stream and concatenated JSON objects, as kubectl does (issue 8, item 5).
func TestJSONStreams(t *testing.T) {
	t.Parallel()
	for _, sep := range []string{"", "\n", "\n---\n"} {
		in := []byte(jsonSecret("a") + sep + jsonSecret("b") + "\n")
		t.Run("ReadSource"+strings.ReplaceAll(sep, "\n", `\n`), func(t *testing.T) {
			t.Parallel()
			srcs, err := ReadSource("s.json", in)
			if err != nil {
				t.Fatalf("ReadSource: %v", err)
			}
			var got []string
			for _, s := range srcs {
				got = append(got, s.Secret)
			}
			if diff := cmp.Diff([]string{"ns/a", "ns/b"}, got); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
			if !IsManifest(in) {
				t.Errorf("IsManifest = false")
			}
		})
	}
	pod := func(name, secret string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + name + `","namespace":"ns"},"spec":{"imagePullSecrets":[{"name":"` + secret + `"}],"containers":[{"name":"c","image":"quay.io/team/app:1"}]}}`
	}
	var inv Inventory
	if err := inv.Add("all.json", []byte(jsonSecret("a")+pod("p1", "a")+"\n"+pod("p2", "missing"))); err != nil {
		t.Fatalf("Add: %v", err)
	}
	d := inv.Diagnose(nil)
	var preds []string
	for _, p := range d.Pods {
		preds = append(preds, string(p.Containers[0].Prediction))
	}
	if diff := cmp.Diff([]string{string(PredictOK), string(PredictUnknown)}, preds); diff != "" {
		t.Errorf("predictions (-want +got):\n%s", diff)
	}
	sa := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder"}}`
	if _, err := ReadServiceAccount("sa.json", []byte(sa+sa), ""); !errors.Is(err, ErrNotServiceAccount) || !strings.Contains(err.Error(), "found 2 documents") {
		t.Errorf("ReadServiceAccount of two objects: %v", err)
	}
	if _, err := EditManifest("ps.json", []byte(jsonSecret("a")+jsonSecret("b")), nil); !errors.Is(err, ErrNotSingleSecret) {
		t.Errorf("EditManifest of two objects: %v", err)
	}
	if _, err := EditManifest("ps.yaml", []byte("# two\n"+jsonSecret("a")+jsonSecret("b")), nil); !errors.Is(err, ErrNotSingleSecret) || !strings.Contains(err.Error(), "2 YAML documents") {
		t.Errorf("EditManifest of two objects after a comment: %v", err)
	}
}

// TestDocumentsDockerConfigNotSplit: a docker config followed by another
// object stays a docker config error, as before (a config is one object).
func TestDocumentsDockerConfigNotSplit(t *testing.T) {
	t.Parallel()
	_, err := ReadSource("c.json", []byte(goodJSON+goodJSON))
	if err == nil || bytes.Contains([]byte(err.Error()), []byte("document")) {
		t.Errorf("ReadSource of two configs: %v, want the docker config error", err)
	}
}

// FuzzDocuments: any input gives documents numbered upwards from 1, each
// valid JSON and not null, or stops at one error free of input lines.
func FuzzDocuments(f *testing.F) {
	for _, tt := range streams {
		f.Add([]byte(tt.in))
	}
	f.Add([]byte("kind: A\n--- x\n"))
	f.Add([]byte("{}{\n"))
	f.Add([]byte("# c\n---\n{}{}[]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		for doc, err := range documents(data) {
			if err != nil {
				var de *documentError
				if !errors.As(err, &de) || (de.Doc != 0 && de.Doc <= last) {
					t.Fatalf("error %v after document %d", err, last)
				}
				continue // the iterator must stop after an error
			}
			if doc.N <= last {
				t.Fatalf("document %d after %d", doc.N, last)
			}
			last = doc.N
			if !json.Valid(doc.JSON) || string(bytes.TrimSpace(doc.JSON)) == "null" {
				t.Fatalf("document %d is not a JSON value: %q", doc.N, doc.JSON)
			}
		}
	})
}
