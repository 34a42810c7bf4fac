package dockercfg

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitObject: on valid JSON, the one-pass splitter (splitObject) and
// encoding/json's Decoder (decodeMembers) agree on members, values and errors.
// Seeds: testdata/fuzz/FuzzSplitObject.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, ` { "a" : "x" , "b" : [1, {"c": "}"}], "d": null } `,
		`{"a\"b":"\\","A":true,"a":false}`, `{"é":"\u00e9","\ud800":"\xff"}`, `[]`, `"x"`, `12`, `null`, `true`,
		`{"a":{"b":{"c":[[],{}]}},"a":1}`, `{"x":-1.5e+10,"y":0}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, fold bool) {
		if !json.Valid(data) {
			return
		}
		got, gerr := splitObject(data, fold)
		want, werr := decodeMembers(data, fold)
		// For a non-object, the Decoder may fail on the value itself (a
		// number out of float64 range): only the object case must match.
		isObject := bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
		if (gerr == nil) != (werr == nil) || isObject && gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("splitObject error %v, decodeMembers error %v", gerr, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("splitObject %d members, decodeMembers %d", len(got), len(want))
		}
		for i := range got {
			if got[i].Name != want[i].Name || !bytes.Equal(got[i].Value, want[i].Value) {
				t.Errorf("member %d: splitObject %q=%s, decodeMembers %q=%s", i, got[i].Name, got[i].Value, want[i].Name, want[i].Value)
			}
		}
	})
}

// FuzzDecodeString: the fast path of decodeString agrees with encoding/json.
func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`""`, `"abc"`, `"a\"b"`, `"\u00e9\ud83d\ude00"`, "\"\xff\xfe\"", `"\ud800"`, `"<&>"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		var want string
		werr := json.Unmarshal(tok, &want)
		if werr != nil || len(tok) == 0 || tok[0] != '"' {
			return
		}
		got, err := decodeString(tok)
		if err != nil || got != want {
			t.Errorf("decodeString(%q) = %q, %v; encoding/json %q", tok, got, err, want)
		}
	})
}
