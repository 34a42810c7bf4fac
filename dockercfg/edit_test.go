package dockercfg_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestEditFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	upper := func(data []byte) ([]byte, error) { return []byte(strings.ToUpper(string(data)) + "!"), nil }

	existing := filepath.Join(dir, "config.json")
	if err := os.WriteFile(existing, []byte("abc"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := dockercfg.EditFile(context.Background(), existing, false, upper); err != nil {
		t.Fatalf("EditFile: %v", err)
	}
	got, err := os.ReadFile(existing)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "ABC!" {
		t.Errorf("content = %q, want %q", got, "ABC!")
	}
	if st, err := os.Stat(existing); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v (%v), want 0640 kept", st.Mode().Perm(), err)
	}

	missing := filepath.Join(dir, "new", "config.json")
	var seen []byte
	err = dockercfg.EditFile(context.Background(), missing, true, func(data []byte) ([]byte, error) {
		seen = data
		return []byte("{}"), nil
	})
	if err != nil || seen != nil {
		t.Fatalf("EditFile(missing, create) = %v, edit saw %q; want nil, nil content", err, seen)
	}
	if st, err := os.Stat(missing); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new file mode = %v (%v), want 0600", st.Mode().Perm(), err)
	}

	err = dockercfg.EditFile(context.Background(), filepath.Join(dir, "absent.json"), false, upper)
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "read "+filepath.Join(dir, "absent.json")+": no such file or directory" {
		t.Errorf("EditFile(missing) = %v, want a not-exist error naming the file once", err)
	}
	if err := dockercfg.EditFile(context.Background(), dir, true, upper); err == nil || !strings.HasSuffix(err.Error(), ": is a directory") {
		t.Errorf("EditFile(dir) = %v, want is a directory", err)
	}

	boom := errors.New("boom")
	err = dockercfg.EditFile(context.Background(), existing, false, func([]byte) ([]byte, error) { return []byte("changed"), boom })
	if !errors.Is(err, boom) {
		t.Errorf("EditFile(failing edit) = %v, want %v", err, boom)
	}
	if got, _ := os.ReadFile(existing); string(got) != "ABC!" {
		t.Errorf("a failing edit wrote %q", got)
	}
}

func TestEditConfig(t *testing.T) {
	t.Parallel()
	add := func(c *dockercfg.Config) error {
		c.Set(dockercfg.NewEntry("quay.io", "u", "p", ""))
		return nil
	}
	tests := []struct {
		name, in   string
		wantFormat dockercfg.Format
		wantKeys   []string
	}{
		{"empty is a new config.json", "", dockercfg.FormatConfigJSON, []string{"quay.io"}},
		{"white space is a new config.json", " \n", dockercfg.FormatConfigJSON, []string{"quay.io"}},
		{"config.json keeps its entries", `{"auths":{"a.example":{"auth":"` + b64("a:b") + `"}},"credsStore":"x"}`, dockercfg.FormatConfigJSON, []string{"a.example", "quay.io"}},
		{"legacy stays legacy", `{"a.example":{"auth":"` + b64("a:b") + `"}}`, dockercfg.FormatLegacy, []string{"a.example", "quay.io"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := dockercfg.EditConfig("f.json", []byte(tt.in), add)
			if err != nil {
				t.Fatalf("EditConfig: %v", err)
			}
			c, err := dockercfg.Parse(out)
			if err != nil {
				t.Fatalf("parse result: %v\n%s", err, out)
			}
			var keys []string
			for _, e := range c.Entries {
				keys = append(keys, e.Key)
			}
			if c.Format != tt.wantFormat || !cmp.Equal(keys, tt.wantKeys) {
				t.Errorf("result format %v keys %v, want %v %v", c.Format, keys, tt.wantFormat, tt.wantKeys)
			}
		})
	}
	if _, err := dockercfg.EditConfig("bad.json", []byte("{"), add); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("EditConfig(bad JSON) = %v, want an error naming the file", err)
	}
	boom := errors.New("boom")
	if _, err := dockercfg.EditConfig("f.json", nil, func(*dockercfg.Config) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("EditConfig(failing edit) = %v, want %v", err, boom)
	}
}

func TestRemoveServer(t *testing.T) {
	t.Parallel()
	keys := []string{
		"https://index.docker.io/v1/", "docker.io", "index.docker.io/v2/",
		"quay.io", "https://QUAY.io/", "quay.io/team", "registry:5000", "registry",
	}
	tests := []struct {
		server string
		want   int
		left   []string
	}{
		{"docker.io", 3, []string{"quay.io", "https://QUAY.io/", "quay.io/team", "registry:5000", "registry"}},
		{"quay.io", 2, []string{"https://index.docker.io/v1/", "docker.io", "index.docker.io/v2/", "quay.io/team", "registry:5000", "registry"}},
		{"quay.io/team/", 1, []string{"https://index.docker.io/v1/", "docker.io", "index.docker.io/v2/", "quay.io", "https://QUAY.io/", "registry:5000", "registry"}},
		{"registry:5000", 1, []string{"https://index.docker.io/v1/", "docker.io", "index.docker.io/v2/", "quay.io", "https://QUAY.io/", "quay.io/team", "registry"}},
		{"nowhere.example", 0, keys},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			t.Parallel()
			c := &dockercfg.Config{}
			for _, k := range keys {
				c.Entries = append(c.Entries, &dockercfg.Entry{Key: k})
			}
			n := c.RemoveServer(tt.server)
			var left []string
			for _, e := range c.Entries {
				left = append(left, e.Key)
			}
			if n != tt.want || !cmp.Equal(left, tt.left) {
				t.Errorf("RemoveServer(%q) = %d leaving %v, want %d leaving %v", tt.server, n, left, tt.want, tt.left)
			}
		})
	}
	// A server ParseKey rejects removes the entries keyed exactly so only.
	c := &dockercfg.Config{Entries: []*dockercfg.Entry{{Key: "ftp://x"}, {Key: "x"}}}
	if n := c.RemoveServer("ftp://x"); n != 1 || len(c.Entries) != 1 || c.Entries[0].Key != "x" {
		t.Errorf("RemoveServer(unparsable) removed %d, left %v", n, c.Entries)
	}
}

func TestSetLogin(t *testing.T) {
	t.Parallel()
	c, err := dockercfg.Parse([]byte(`{"auths":{"q.io":{"identitytoken":"tok","x":true,"username":"old","password":"old-pw","email":""}}}`))
	if err != nil {
		t.Fatal(err)
	}
	old := c.SetLogin("q.io", "bob", "pw", nil)
	if old == nil || old.Username != "old" || old.IdentityToken != "tok" {
		t.Fatalf("SetLogin returned %v, want the old entry", old)
	}
	email := "b@x.io"
	if c.SetLogin("new.io", "n", "np", &email) != nil {
		t.Errorf("SetLogin of a new key returned an old entry")
	}
	out, err := c.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"auths":{"q.io":{"x":true,"username":"bob","password":"pw","email":"","auth":"` + b64("bob:pw") + `"},` +
		`"new.io":{"email":"b@x.io","auth":"` + b64("n:np") + `"}}}`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
