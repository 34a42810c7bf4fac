package main

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile is text a file, a Secret or a registry could carry to recolour the
// terminal and forge a row of a table.
const hostile = "\x1b[31m\nforged row"

// hostileEscaped is how it must be printed.
const hostileEscaped = `\x1b[31m\nforged row`

// checkEscaped fails if out holds a control character other than the
// newlines and tabs of the output's own layout, a line that starts with the
// forged row, or not the escaped text.
func checkEscaped(t *testing.T, what, out string) {
	t.Helper()
	checkEscapedAs(t, what, out, hostileEscaped)
}

// checkEscapedAs is checkEscaped for text the registry client already made
// one line (its newline is a space): escaped must appear.
func checkEscapedAs(t *testing.T, what, out, escaped string) {
	t.Helper()
	if strings.Contains(out, "\x1b") {
		t.Errorf("%s holds a raw ESC:\n%s", what, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "forged row") {
			t.Errorf("%s has a forged line %q:\n%s", what, line, out)
		}
	}
	if !strings.Contains(out, escaped) {
		t.Errorf("%s does not show the text escaped as %s:\n%s", what, escaped, out)
	}
}

// hostileRegistry is a registry whose manifest errors carry hostile text.
func hostileRegistry(t *testing.T) (host, caFile string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		msg, _ := json.Marshal("manifest unknown " + hostile)
		fmt.Fprintf(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":%s}]}`, msg)
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(srv.URL, "https://"), caFile
}

// TestHostileTextEscaped: control characters from files, Secrets and
// registries are printed escaped by every text report and error line
// (issue 8, item 18).
func TestHostileTextEscaped(t *testing.T) {
	t.Parallel()
	auth := base64.StdEncoding.EncodeToString([]byte("u:p"))
	host, caFile := hostileRegistry(t)
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{
		"quay.io/team" + hostile: map[string]string{"auth": auth},
		host:                     map[string]string{"username": "evil" + hostile, "password": "p"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	file := writeAuthFile(t, string(cfg))

	t.Run("inspect", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", nil, "inspect", "--authfile", file)
		checkEscaped(t, "inspect stdout", r.stdout)
	})
	t.Run("match", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", nil, "match", "--authfile", file, host+"/app:1")
		checkEscaped(t, "match stdout", r.stdout)
	})
	t.Run("test-pull", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", nil, "test-pull", "--authfile", file, "--ca-file", caFile, host+"/app:1")
		checkEscaped(t, "test-pull stdout", r.stdout)
		// The registry's error text, made one line by the registry client.
		checkEscapedAs(t, "test-pull stderr", r.stderr, `manifest unknown \x1b[31m forged row`)
	})
	t.Run("resolve", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", nil, "resolve", "--authfile", file, "--ca-file", caFile, host+"/app:1")
		checkEscaped(t, "resolve stderr", r.stderr)
	})
	t.Run("diagnose", func(t *testing.T) {
		t.Parallel()
		manifest, err := json.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "List", "items": []any{
				map[string]any{"apiVersion": "v1", "kind": "Pod",
					"metadata": map[string]any{"name": "pod" + hostile, "namespace": "ns" + hostile},
					"spec": map[string]any{
						"serviceAccountName": "sa" + hostile,
						"imagePullSecrets":   []any{map[string]any{"name": "pull" + hostile}},
						"containers": []any{
							map[string]any{"name": "ctr" + hostile, "image": "quay.io/team/app" + hostile},
							map[string]any{"name": "app" + hostile, "image": host + "/app:1"},
						},
					}},
				map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
					"metadata": map[string]any{"name": "pull" + hostile, "namespace": "ns" + hostile},
					"data":     map[string]any{".dockerconfigjson": base64.StdEncoding.EncodeToString(cfg)}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, string(manifest), nil, "diagnose", "-f", "-")
		checkEscaped(t, "diagnose stdout", r.stdout)
	})
	t.Run("error line", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, "", nil, "inspect", "--authfile", filepath.Join(t.TempDir(), "x"+hostile))
		if r.code == 0 {
			t.Fatalf("inspect of a missing file: exit 0")
		}
		checkEscaped(t, "error line", r.stderr)
	})
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"quay.io/team  robot's \\x1b (ok) é 日本", "quay.io/team  robot's \\x1b (ok) é 日本"},
		{"a\x1b[31mb", `a\x1b[31mb`},
		{"row\nforged\r\tx", `row\nforged\r\tx`},
		{"bidi \u202e reversed", `bidi \u202e reversed`},
		{"bad \xff utf-8", `bad \xff utf-8`},
		{"del \x7f c1 \u009b", `del \x7f c1 \u009b`},
	}
	for _, tt := range tests {
		if got := printable(tt.in); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorLines(t *testing.T) {
	t.Parallel()
	joined := fmt.Errorf("convert: %w", errors.Join(errors.New("entry a: failed"), errors.New("entry b: "+hostile)))
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"plain", errors.New("read x: no such file"), []string{"read x: no such file"}},
		{"hostile", fmt.Errorf("read %s: %w", "x"+hostile, errors.New("gone")), []string{`read x\x1b[31m\nforged row: gone`}},
		{"join, one line each", joined, []string{"convert: entry a: failed", `convert: entry b: \x1b[31m\nforged row`}},
		{"join with a hint", fmt.Errorf("convert: %w (try --x)", errors.Join(errors.New("a"), errors.New("b"))), []string{"convert: a", "convert: b (try --x)"}},
		{"two %w is not a join", fmt.Errorf("%w: %w", errors.New("a"), errors.New("b\nc")), []string{`a: b\nc`}},
		{"trailing newline", errors.New("boom\n"), []string{"boom"}},
	}
	for _, tt := range tests {
		if got := errorLines(tt.err); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: errorLines = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzPrintable: whatever the input, the output has no character a terminal
// acts on, and printable text comes back unchanged.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "quay.io", hostile, "\u202e", "\xff\xfe", "a\\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := printable(s)
		if !utf8.ValidString(out) {
			t.Fatalf("printable(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if !strconv.IsPrint(r) {
				t.Fatalf("printable(%q) = %q holds %U", s, out, r)
			}
		}
		clean := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) < 0
		if clean && out != s {
			t.Fatalf("printable(%q) = %q, want it unchanged", s, out)
		}
	})
}
