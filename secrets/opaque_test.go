package secrets

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// opaqueYAML is a Secret like the seed's example pull secret: type Opaque
// (or no type at all), holding a pull secret's data key.
func opaqueYAML(name, typ string, data map[string]string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: default\n  resourceVersion: \"37676\"\n")
	if typ != "" {
		b.WriteString("type: " + typ + "\n")
	}
	b.WriteString("data:\n")
	for _, k := range []string{".dockerconfigjson", ".dockercfg", "password"} {
		if v, ok := data[k]; ok {
			b.WriteString("  " + k + ": " + base64.StdEncoding.EncodeToString([]byte(v)) + "\n")
		}
	}
	return b.String()
}

// issue 8 item 6: convert reads an Opaque Secret holding .dockerconfigjson
// (ReadOptions.Opaque); every other reader keeps refusing it.
func TestReadSourceOpaque(t *testing.T) {
	t.Parallel()
	seed := opaqueYAML("pull-secret", "Opaque", map[string]string{".dockerconfigjson": goodJSON})

	// The default reader refuses it, as before.
	want := "f.yaml: secret default/pull-secret: not a usable pull secret: type Opaque; the kubelet uses only types kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg" +
		" (it holds .dockerconfigjson: pullsecret convert writes it as a pull secret)"
	if _, err := ReadSource("f.yaml", []byte(seed)); !errors.Is(err, ErrNotPullSecret) || err.Error() != want {
		t.Errorf("ReadSource: %v\nwant ErrNotPullSecret: %s", err, want)
	}

	opts := &ReadOptions{Opaque: true}
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"seed example", seed, []got{{Name: "f.yaml", Secret: "default/pull-secret", Type: "Opaque", Format: dockercfg.FormatConfigJSON, Keys: []string{"quay.io=alice"}}}},
		{"no type, legacy key", opaqueYAML("old", "", map[string]string{".dockercfg": goodLegacy}),
			[]got{{Name: "f.yaml", Secret: "default/old", Type: "Opaque", Format: dockercfg.FormatLegacy, Keys: []string{"quay.io=alice"}}}},
		{"other Opaque secrets still skipped", opaqueYAML("db", "Opaque", map[string]string{"password": "pw-Zq9"}) + "---\n" + seed,
			[]got{{Name: "f.yaml", Secret: "default/pull-secret", Type: "Opaque", Format: dockercfg.FormatConfigJSON, Keys: []string{"quay.io=alice"}}}},
		{"typed secrets unchanged", strings.Replace(seed, "type: Opaque", "type: kubernetes.io/dockerconfigjson", 1),
			[]got{{Name: "f.yaml", Secret: "default/pull-secret", Type: "kubernetes.io/dockerconfigjson", Format: dockercfg.FormatConfigJSON, Keys: []string{"quay.io=alice"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srcs, err := ReadSourceWith("f.yaml", []byte(tt.in), opts)
			if err != nil {
				t.Fatalf("ReadSourceWith: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(srcs)); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})
	}

	errTests := []struct {
		name    string
		in      string
		wantErr error
		wantMsg string
	}{
		{"both keys", opaqueYAML("two", "Opaque", map[string]string{".dockerconfigjson": goodJSON, ".dockercfg": goodLegacy}), ErrNotPullSecret,
			`f.yaml: secret default/two: not a usable pull secret: type Opaque with both ".dockerconfigjson" and ".dockercfg"`},
		{"wrong format", opaqueYAML("bad", "Opaque", map[string]string{".dockerconfigjson": goodLegacy}), ErrWrongFormat,
			"f.yaml: secret default/bad: data[.dockerconfigjson]: payload format does not match"},
		{"empty payload", opaqueYAML("empty", "Opaque", map[string]string{".dockerconfigjson": ""}), ErrNotPullSecret, "data[.dockerconfigjson] is empty"},
		{"no pull secret key", opaqueYAML("db", "Opaque", map[string]string{"password": "pw-Zq9"}), ErrNotPullSecret, "f.yaml: secret default/db: not a usable pull secret: type Opaque"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadSourceWith("f.yaml", []byte(tt.in), opts)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
			if err != nil && (strings.Contains(err.Error(), "pw-Zq9") || strings.Contains(err.Error(), "YWxpY2U6cHctWnE5")) {
				t.Errorf("error reveals a secret: %v", err)
			}
		})
	}
}

func TestSourceSecret(t *testing.T) {
	t.Parallel()
	srcs, err := ReadSource("f.yaml", []byte(secretDoc("regcred", "team-a")+"---\n"+secretDoc("plain", "")))
	if err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	for _, s := range srcs {
		ns, name, ok := SourceSecret(s)
		out = append(out, [3]string{ns, name, map[bool]string{true: "ok"}[ok]})
	}
	ns, name, ok := SourceSecret(dockercfg.Source{Name: "config.json"})
	out = append(out, [3]string{ns, name, map[bool]string{true: "ok"}[ok]})
	want := [][3]string{{"team-a", "regcred", "ok"}, {"", "plain", "ok"}, {"", "", ""}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("SourceSecret (-want +got):\n%s", diff)
	}
}

// secretDoc is a kubernetes.io/dockerconfigjson Secret holding goodJSON.
func secretDoc(name, namespace string) string {
	ns := ""
	if namespace != "" {
		ns = ", namespace: " + namespace
	}
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ns + "}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " + b64JSON + "\n"
}

// The seed's example pull secret, verbatim: besides its type, its data is
// not base64. The error names the secret and the key, never the value.
func TestReadSourceSeedExample(t *testing.T) {
	t.Parallel()
	seed := "apiVersion: v1\ndata:\n  .dockerconfigjson: ewogICAiYXV0aHMiOnsKICAgICAgIm0iOnsKICAgICAgIsKICAgICAgICAgImF1dGgiOiJiM0JsYj0iLAogICAgICAgICAiZW1haWwiOiJ5b3VAZXhhbXBsZS5jb20iCiAgICAgIH0KICAgfQp9Cg==\n" +
		"kind: Secret\nmetadata:\n  creationTimestamp: \"2021-09-09T19:10:11Z\"\n  name: pull-secret\n  namespace: default\n  resourceVersion: \"37676\"\n" +
		"  uid: e2851531-01bc-48ba-878c-de96cfe31020\ntype: Opaque\n"
	want := "seed.yaml: secret default/pull-secret: data[.dockerconfigjson]: not base64: illegal base64 data at input byte 149"
	for _, opts := range []*ReadOptions{nil, {Opaque: true}} {
		_, err := ReadSourceWith("seed.yaml", []byte(seed), opts)
		var se *SecretError
		if !errors.As(err, &se) || err.Error() != want {
			t.Errorf("opts %+v: error %v, want *SecretError %q", opts, err, want)
		}
	}
}
