package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/pullsecret/pullsecret/dockercfg"
)

var (
	b64JSON   = base64.StdEncoding.EncodeToString([]byte(goodJSON))
	b64Legacy = base64.StdEncoding.EncodeToString([]byte(goodLegacy))
)

// got is the comparable summary of a Source.
type got struct {
	Name, Secret, Type string
	Format             dockercfg.Format
	Keys               []string
}

func summarize(srcs []dockercfg.Source) []got {
	var out []got
	for _, s := range srcs {
		g := got{Name: s.Name, Secret: s.Secret, Type: s.Type, Format: s.Config.Format}
		for _, e := range s.Config.Entries {
			g.Keys = append(g.Keys, e.Key+"="+e.Username)
		}
		out = append(out, g)
	}
	return out
}

func TestReadSource(t *testing.T) {
	t.Parallel()
	const file = "in.yaml"
	alice := []string{"quay.io=alice"}
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"config.json", goodJSON, []got{{file, "", "", dockercfg.FormatConfigJSON, alice}}},
		{"auth.json indented", "{\n\t\"auths\": {\n\t\t\"quay.io\": {\"auth\": \"YWxpY2U6cHctWnE5\"}\n\t}\n}\n", []got{{file, "", "", dockercfg.FormatConfigJSON, alice}}},
		{"legacy .dockercfg", goodLegacy, []got{{file, "", "", dockercfg.FormatLegacy, alice}}},
		{"helper-only config", `{"credsStore":"desktop"}`, []got{{file, "", "", dockercfg.FormatConfigJSON, nil}}},
		{"secret yaml", `apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: team-a
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ` + b64JSON + "\n",
			[]got{{file, "team-a/regcred", "kubernetes.io/dockerconfigjson", dockercfg.FormatConfigJSON, alice}}},
		{"secret json", `{"kind":"Secret","apiVersion":"v1","metadata":{"name":"regcred"},"type":"kubernetes.io/dockercfg","data":{".dockercfg":"` + b64Legacy + `"}}`,
			[]got{{file, "regcred", "kubernetes.io/dockercfg", dockercfg.FormatLegacy, alice}}},
		{"stringData overrides data", `apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ` + base64.StdEncoding.EncodeToString([]byte("garbage")) + `
stringData:
  .dockerconfigjson: '` + goodJSON + "'\n",
			[]got{{file, "regcred", "kubernetes.io/dockerconfigjson", dockercfg.FormatConfigJSON, alice}}},
		{"stream with other kinds", `# pull secrets and friends
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default}
imagePullSecrets: [{name: a}]
---
---
apiVersion: v1
kind: Secret
metadata: {name: a}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: ` + b64JSON + `}
---
apiVersion: v1
kind: Secret
metadata: {name: b, namespace: ns}
type: kubernetes.io/dockercfg
data: {.dockercfg: ` + b64Legacy + `}
`, []got{
			{file, "a", "kubernetes.io/dockerconfigjson", dockercfg.FormatConfigJSON, alice},
			{file, "ns/b", "kubernetes.io/dockercfg", dockercfg.FormatLegacy, alice},
		}},
		{"List json", `{"apiVersion":"v1","kind":"List","items":[
			{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}},
			{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"` + b64JSON + `"}}]}`,
			[]got{{file, "a", "kubernetes.io/dockerconfigjson", dockercfg.FormatConfigJSON, alice}}},
		{"SecretList yaml", `apiVersion: v1
kind: SecretList
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: a}
  type: kubernetes.io/dockercfg
  data: {.dockercfg: ` + b64Legacy + `}
`, []got{{file, "a", "kubernetes.io/dockercfg", dockercfg.FormatLegacy, alice}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srcs, err := ReadSource(file, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(srcs)); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadSourceErrors(t *testing.T) {
	t.Parallel()
	secretYAML := func(typ, key, payload string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: team-a}\ntype: " + typ +
			"\ndata:\n  " + key + ": " + base64.StdEncoding.EncodeToString([]byte(payload)) + "\n"
	}
	tests := []struct {
		name    string
		in      string
		wantErr error
		wantMsg string
	}{
		{"empty", "  \n", dockercfg.ErrEmpty, "f.yaml: file is empty"},
		{"bom", "\xef\xbb\xbf" + goodJSON, dockercfg.ErrBOM, "f.yaml: file starts with a UTF-8 byte-order mark"},
		{"json array", `[` + goodJSON + `]`, ErrNotManifest, "f.yaml: not a docker config or Kubernetes manifest: found a JSON array"},
		{"package.json", `{"name":"app","version":"1.0.0","dependencies":{}}`, dockercfg.ErrNotConfig, "f.yaml: not a docker config"},
		{"bad auth", `{"auths":{"quay.io":{"auth":"pw-Zq9!!"}}}`, dockercfg.ErrAuthNotBase64, `f.yaml: entry "quay.io": auth: auth is not valid base64`},
		{"plain text", "pw-Zq9 is my password\n", ErrNotManifest, "f.yaml: document 1: not a docker config or Kubernetes manifest: found a string, not an object"},
		{"yaml without kind", "auths:\n  quay.io: {}\n", ErrNotManifest, "f.yaml: document 1: not a docker config or Kubernetes manifest: no kind"},
		{"bad yaml", "apiVersion: v1\nkind: Secret\n  data: [pw-Zq9\n", ErrNotManifest, "f.yaml: document 1: not a docker config or Kubernetes manifest: invalid YAML at line"},
		{"no pull secrets", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", ErrNoPullSecrets, "f.yaml: no pull secrets"},
		{"opaque", secretYAML("Opaque", ".dockerconfigjson", goodJSON), ErrNotPullSecret,
			"f.yaml: secret team-a/regcred: not a usable pull secret: type Opaque; the kubelet uses only types kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg"},
		{"no type", strings.Replace(secretYAML("x", ".dockerconfigjson", goodJSON), "type: x\n", "", 1), ErrNotPullSecret, "type Opaque"},
		{"key mismatch", secretYAML("kubernetes.io/dockerconfigjson", ".dockercfg", goodLegacy), ErrNotPullSecret,
			`f.yaml: secret team-a/regcred: not a usable pull secret: type kubernetes.io/dockerconfigjson but data key ".dockercfg"; the kubelet ignores this secret`},
		{"key missing", secretYAML("kubernetes.io/dockercfg", "config", goodLegacy), ErrNotPullSecret,
			`type kubernetes.io/dockercfg but no data key ".dockercfg"`},
		{"empty payload", secretYAML("kubernetes.io/dockercfg", ".dockercfg", ""), ErrNotPullSecret, "data[.dockercfg] is empty"},
		{"legacy in dockerconfigjson", secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", goodLegacy), ErrWrongFormat,
			"f.yaml: secret team-a/regcred: data[.dockerconfigjson]: payload format does not match the secret type: payload is a legacy flat dockercfg map"},
		{"auths in dockercfg", secretYAML("kubernetes.io/dockercfg", ".dockercfg", goodJSON), ErrWrongFormat, `payload is {"auths":{...}}`},
		{"payload not json", secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", "pw-Zq9"), nil,
			"f.yaml: secret team-a/regcred: data[.dockerconfigjson]: invalid JSON at byte 1"},
		{"payload bad auth", secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"quay.io":{"auth":"cHctWnE5"}}}`), dockercfg.ErrAuthNoColon,
			`f.yaml: secret team-a/regcred: data[.dockerconfigjson]: entry "quay.io": auth: auth must be base64 of username:password`},
		{"data not base64", "apiVersion: v1\nkind: Secret\nmetadata: {name: r}\ntype: kubernetes.io/dockercfg\ndata: {.dockercfg: 'pw-Zq9!!'}\n", nil,
			"f.yaml: secret r: data[.dockercfg]: not base64: illegal base64 data at input byte 2"},
		{"data wrong type", "apiVersion: v1\nkind: Secret\nmetadata: {name: r}\ntype: kubernetes.io/dockercfg\ndata: [pw-Zq9]\n", nil,
			"f.yaml: document 1: decode Secret: field data: found a JSON array"},
		{"list items not objects", `{"apiVersion":"v1","kind":"List","items":["pw-Zq9"]}`, ErrNotManifest, "found a string, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srcs, err := ReadSource("f.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("ReadSource = %v, want error", summarize(srcs))
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error:\n got %v\nwant …%s…", err, tt.wantMsg)
			}
			for _, secret := range []string{"pw-Zq9", "YWxpY2U6cHctWnE5", "cHctWnE5"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals %q: %v", secret, err)
				}
			}
		})
	}
}

// TestReadSourceRoundTrip reads back what Encode writes.
func TestReadSourceRoundTrip(t *testing.T) {
	t.Parallel()
	a := testSecret(t, "a", "ns")
	b := New("b", "", dockercfg.FormatLegacy, []byte(goodLegacy))
	for _, format := range []string{OutputYAML, OutputJSON} {
		for _, objs := range [][]runtime.Object{{a}, {a, b}} {
			var buf bytes.Buffer
			if err := Encode(&buf, format, objs...); err != nil {
				t.Fatal(err)
			}
			srcs, err := ReadSource("out", buf.Bytes())
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if len(srcs) != len(objs) {
				t.Fatalf("%s: %d sources from %d objects", format, len(srcs), len(objs))
			}
			for i, o := range objs {
				s := o.(*corev1.Secret)
				f, _ := FormatOf(s.Type)
				back, err := FromConfig(s.Name, s.Namespace, srcs[i].Config, f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(back.Data[DataKey(f)], s.Data[DataKey(f)]) {
					t.Errorf("%s: payload of %s changed:\n%s\n%s", format, s.Name, back.Data[DataKey(f)], s.Data[DataKey(f)])
				}
			}
		}
	}
}

func FuzzReadSource(f *testing.F) {
	f.Add([]byte(goodJSON))
	f.Add([]byte(goodLegacy))
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: r}\ntype: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: " + b64JSON + "}\n"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"List","items":[]}]}`))
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: r}\ntype: Opaque\ndata: {.dockerconfigjson: " + b64JSON + "}\n"))
	f.Add([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: r}\ndata: {.dockercfg: " + b64Legacy + ", .dockerconfigjson: " + b64JSON + "}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		srcs, err := ReadSource("fuzz", data)
		if err != nil {
			if srcs != nil {
				t.Fatal("sources and error")
			}
		}
		// Reading Opaque Secrets too finds at least what ReadSource finds.
		all, aerr := ReadSourceWith("fuzz", data, &ReadOptions{Opaque: true})
		if aerr != nil && all != nil {
			t.Fatal("sources and error (Opaque)")
		}
		if err == nil && aerr == nil && len(all) < len(srcs) {
			t.Fatalf("Opaque: %d sources, ReadSource %d", len(all), len(srcs))
		}
		for _, s := range append(srcs, all...) {
			if s.Config == nil {
				t.Fatal("nil config")
			}
			for _, e := range s.Config.Entries {
				if len(e.Password) >= 8 && strings.Contains(e.String(), e.Password) && !strings.Contains(e.Key+e.Username, e.Password) {
					t.Fatalf("entry String reveals password")
				}
			}
		}
	})
}

// TestReadSourceSkipsOtherSecretTypes: the output of kubectl get secret -o
// yaml mixes pull secrets with Opaque, tls and token Secrets; only the pull
// secrets are sources, the others are skipped.
func TestReadSourceSkipsOtherSecretTypes(t *testing.T) {
	t.Parallel()
	n := 0
	secretYAML := func(typ, key, payload string) string {
		n++
		return "apiVersion: v1\nkind: Secret\nmetadata: {name: s" + string(rune('0'+n)) + ", namespace: team-a}\ntype: " + typ +
			"\ndata:\n  " + key + ": " + base64.StdEncoding.EncodeToString([]byte(payload)) + "\n"
	}
	stream := secretYAML("Opaque", "password", "x") + "---\n" +
		secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", goodJSON) + "---\n" +
		secretYAML("kubernetes.io/tls", "tls.crt", "x")
	srcs, err := ReadSource("all.yaml", []byte(stream))
	if err != nil {
		t.Fatalf("ReadSource: %v", err)
	}
	if len(srcs) != 1 || srcs[0].Type != string(corev1.SecretTypeDockerConfigJson) {
		t.Fatalf("sources %+v, want the one pull secret", summarize(srcs))
	}
	// Only other types: an error naming the first of them.
	_, err = ReadSource("none.yaml", []byte(secretYAML("Opaque", "password", "x")+"---\n"+secretYAML("kubernetes.io/tls", "tls.crt", "x")))
	if !errors.Is(err, ErrNotPullSecret) || !strings.Contains(err.Error(), "none.yaml") || !strings.Contains(err.Error(), "type Opaque") {
		t.Errorf("only other types: %v", err)
	}
	// A pull secret type with the wrong key is still an error in a stream.
	_, err = ReadSource("mixed.yaml", []byte(secretYAML("kubernetes.io/dockerconfigjson", ".dockerconfigjson", goodJSON)+"---\n"+
		secretYAML("kubernetes.io/dockerconfigjson", ".dockercfg", goodLegacy)))
	if !errors.Is(err, ErrNotPullSecret) {
		t.Errorf("key mismatch in a stream: %v", err)
	}
}
