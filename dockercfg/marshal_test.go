package dockercfg_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/golden"
)

func configFiles(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "configs", "*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no test configs: %v", err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// TestMarshalGolden pins Marshal (docker's tab-indented layout), MarshalCompact
// (kubectl's payload) and the legacy conversion for every test config.
func TestMarshalGolden(t *testing.T) {
	t.Parallel()
	for _, name := range configFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := dockercfg.Parse(readConfig(t, name))
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(name, filepath.Ext(name))
			out, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "golden", base+".json"), out)
			compact, err := c.MarshalCompact()
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "golden", base+".compact.json"), compact)
			if c.Format == dockercfg.FormatConfigJSON && len(c.Entries) > 0 {
				legacy, err := c.MarshalAs(dockercfg.FormatLegacy)
				if err != nil {
					t.Fatal(err)
				}
				golden.Assert(t, filepath.Join("testdata", "golden", base+".dockercfg"), legacy)
			}
		})
	}
}

// TestRoundTrip: Parse → Marshal → Parse gives the same config, and Marshal of
// the re-parsed config is byte-identical (Marshal is idempotent).
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range configFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkRoundTrip(t, readConfig(t, name))
		})
	}
}

// entryOpts compares entries as Marshal preserves them: field spellings are
// normalised, and unknown values are compared as JSON, not as bytes.
var entryOpts = cmp.Options{
	cmpopts.IgnoreFields(dockercfg.Entry{}, "Spellings"),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b json.RawMessage) bool { return jsonEqual(a, b) }),
}

func checkRoundTrip(t testing.TB, data []byte) {
	t.Helper()
	c1, err := dockercfg.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, marshal := range []struct {
		name string
		fn   func(*dockercfg.Config) ([]byte, error)
	}{
		{"Marshal", (*dockercfg.Config).Marshal},
		{"MarshalCompact", (*dockercfg.Config).MarshalCompact},
	} {
		out1, err := marshal.fn(c1)
		if err != nil {
			t.Fatalf("%s: %v", marshal.name, err)
		}
		c2, err := dockercfg.Parse(out1)
		if err != nil {
			t.Fatalf("Parse(%s(Parse(data))): %v\n%s", marshal.name, err, out1)
		}
		if c2.Format != c1.Format || c2.CredsStore != c1.CredsStore {
			t.Errorf("%s: format, credsStore = %v, %q; want %v, %q", marshal.name, c2.Format, c2.CredsStore, c1.Format, c1.CredsStore)
		}
		if diff := cmp.Diff(c1.Entries, c2.Entries, entryOpts); diff != "" {
			t.Errorf("%s: entries changed (-first +second):\n%s", marshal.name, diff)
		}
		if diff := cmp.Diff(c1.CredHelpers, c2.CredHelpers, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: credHelpers changed (-first +second):\n%s", marshal.name, diff)
		}
		if diff := cmp.Diff(c1.HelperOrder, c2.HelperOrder, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: credHelpers order changed (-first +second):\n%s", marshal.name, diff)
		}
		out2, err := marshal.fn(c2)
		if err != nil {
			t.Fatalf("%s: %v", marshal.name, err)
		}
		if !bytes.Equal(out1, out2) {
			t.Errorf("%s is not idempotent:\nfirst:\n%s\nsecond:\n%s", marshal.name, out1, out2)
		}
	}
}

// TestMarshalKeepsEverything compares each file and its rewrite as generic
// JSON, after the only changes Marshal may make: known names spelled in
// lower case (credsStore, credHelpers in docker's case), empty or null known
// fields dropped, "auths" always present.
func TestMarshalKeepsEverything(t *testing.T) {
	t.Parallel()
	for _, name := range configFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := readConfig(t, name)
			c, err := dockercfg.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			legacy := c.Format == dockercfg.FormatLegacy
			if diff := cmp.Diff(normalise(t, data, legacy), normalise(t, out, legacy)); diff != "" {
				t.Errorf("rewrite lost or changed data (-file +Marshal):\n%s", diff)
			}
		})
	}
}

func normalise(t testing.TB, data []byte, legacy bool) map[string]any {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	entries := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		out := map[string]any{}
		for k, e := range m {
			fields, _ := e.(map[string]any)
			ne := map[string]any{}
			for f, v := range fields {
				switch l := strings.ToLower(f); l {
				case "auth", "username", "password", "email", "identitytoken", "registrytoken", "serveraddress":
					if v != nil && v != "" {
						ne[l] = v
					}
				default:
					ne[f] = v
				}
			}
			out[k] = ne
		}
		return out
	}
	if legacy {
		return entries(top)
	}
	out := map[string]any{"auths": map[string]any{}}
	for k, v := range top {
		switch strings.ToLower(k) {
		case "auths":
			out["auths"] = entries(v)
		case "credsstore":
			if v != nil && v != "" {
				out["credsStore"] = v
			}
		case "credhelpers":
			if m, _ := v.(map[string]any); len(m) > 0 {
				out["credHelpers"] = m
			}
		default:
			out[k] = v
		}
	}
	return out
}

func TestMarshalLayout(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse(readConfig(t, "unknown-fields.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Top-level members keep their file order; unknown values keep their
	// number spelling and are re-indented with tabs.
	s := string(out)
	first, auths, helpers, last := strings.Index(s, `"unknownFirst"`), strings.Index(s, `"auths"`), strings.Index(s, `"credHelpers"`), strings.Index(s, `"unknownLast"`)
	if !(first < auths && auths < helpers && helpers < last) || first < 0 {
		t.Errorf("member order changed:\n%s", out)
	}
	if !strings.Contains(s, "2.50") {
		t.Errorf("number spelling changed:\n%s", out)
	}
	if !strings.HasSuffix(s, "}\n") || !strings.HasPrefix(s, "{\n\t\"") {
		t.Errorf("not docker's tab-indented layout:\n%s", out)
	}
	// credHelpers keep file order, then new hosts sorted.
	c.CredHelpers["m.example.com"] = "mhelper"
	c.CredHelpers["b.example.com"] = "bhelper"
	out, err = c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s = string(out)
	order := []string{`"z.example.com"`, `"a.example.com"`, `"b.example.com"`, `"m.example.com"`}
	for i := 1; i < len(order); i++ {
		if strings.Index(s, order[i-1]) > strings.Index(s, order[i]) {
			t.Errorf("credHelpers order: %s before %s:\n%s", order[i], order[i-1], out)
		}
	}
}

func TestMarshalNewConfig(t *testing.T) {
	t.Parallel()
	// A Config built in code, as the generators build it.
	c := &dockercfg.Config{}
	c.Set(dockercfg.NewEntry(dockercfg.DockerHubKey, "u", "p<&>", "u@example.com"))
	c.Set(dockercfg.NewEntry("quay.io", "q", "qp", ""))
	out, err := c.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p\u003c\u0026\u003e","email":"u@example.com","auth":"dTpwPCY+"},"quay.io":{"username":"q","password":"qp","auth":"cTpxcA=="}}}`
	if string(out) != want {
		t.Errorf("MarshalCompact =\n%s\nwant\n%s", out, want)
	}
	legacy, err := c.MarshalAs(dockercfg.FormatLegacy)
	if err != nil {
		t.Fatal(err)
	}
	wantLegacy := `{"https://index.docker.io/v1/":{"username":"u","password":"p\u003c\u0026\u003e","email":"u@example.com","auth":"dTpwPCY+"},"quay.io":{"username":"q","password":"qp","auth":"cTpxcA=="}}`
	if string(legacy) != wantLegacy {
		t.Errorf("MarshalAs(legacy) =\n%s\nwant\n%s", legacy, wantLegacy)
	}
	// MarshalAs does not change c.
	if c.Format != dockercfg.FormatConfigJSON {
		t.Errorf("MarshalAs changed the format to %v", c.Format)
	}
}

// TestMarshalAsLegacyParsesBack: converting a config.json whose entries carry
// unknown fields gives a legacy file that is detected as legacy again.
func TestMarshalAsLegacyParsesBack(t *testing.T) {
	t.Parallel()
	for _, name := range configFiles(t) {
		c, err := dockercfg.Parse(readConfig(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Entries) == 0 {
			continue
		}
		out, err := c.MarshalAs(dockercfg.FormatLegacy)
		if err != nil {
			t.Fatal(err)
		}
		l, err := dockercfg.ParseFormat(out, dockercfg.FormatLegacy)
		if err != nil {
			t.Errorf("%s: ParseFormat(MarshalAs(legacy), legacy): %v\n%s", name, err, out)
			continue
		}
		if diff := cmp.Diff(c.Entries, l.Entries, entryOpts, cmpopts.IgnoreFields(dockercfg.Entry{}, "Extra")); diff != "" {
			t.Errorf("%s: legacy conversion changed entries (-config.json +dockercfg):\n%s", name, diff)
		}
		back, err := l.MarshalAs(dockercfg.FormatConfigJSON)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dockercfg.ParseFormat(back, dockercfg.FormatConfigJSON); err != nil {
			t.Errorf("%s: legacy back to config.json: %v", name, err)
		}
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(x, y)
}

func TestGoldenFilesParse(t *testing.T) {
	t.Parallel()
	names, _ := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dockercfg.Parse(data); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
