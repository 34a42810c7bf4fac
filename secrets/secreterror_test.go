package secrets_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// TestSecretError: every problem with one Secret is a *secrets.SecretError
// naming the file and the secret, read with errors.As, and its sentinels
// and causes stay reachable with errors.Is and errors.As.
func TestSecretError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		secret   string
		wantIs   error
		wantTail string // Err.Error()
	}{
		{"opaque", pullSecret("team-a", "regcred", "Opaque", ".dockerconfigjson", "{}"), "team-a/regcred", secrets.ErrNotPullSecret,
			"not a usable pull secret: type Opaque; the kubelet uses only types kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg" +
				" (it holds .dockerconfigjson: pullsecret convert writes it as a pull secret)"},
		{"key mismatch", pullSecret("team-a", "regcred", "kubernetes.io/dockercfg", ".dockerconfigjson", "{}"), "team-a/regcred", secrets.ErrNotPullSecret,
			`not a usable pull secret: type kubernetes.io/dockercfg but data key ".dockerconfigjson"; the kubelet ignores this secret`},
		{"wrong format", pullSecret("team-a", "regcred", "kubernetes.io/dockercfg", ".dockercfg", authJSON("x.io", "u", diagPass)), "team-a/regcred", secrets.ErrWrongFormat,
			`data[.dockercfg]: payload format does not match the secret type: payload is {"auths":{...}} (dockerconfigjson format), but type kubernetes.io/dockercfg needs the flat {"<registry>":{...}} map; the kubelet would find no credentials in it`},
		{"bad payload", pullSecret("", "regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"x.io":{"auth":"bm9jb2xvbg=="}}}`), "regcred", dockercfg.ErrAuthNoColon,
			`data[.dockerconfigjson]: entry "x.io": auth: auth must be base64 of username:password (no colon found)`},
		{"unnamed", "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockercfg\n", "(unnamed, document 1)", secrets.ErrNotPullSecret,
			`not a usable pull secret: type kubernetes.io/dockercfg but no data key ".dockercfg"; the kubelet ignores this secret`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := secrets.ReadSource("f.yaml", []byte(tt.in))
			var se *secrets.SecretError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SecretError", err, err)
			}
			if diff := cmp.Diff([]string{"f.yaml", tt.secret}, []string{se.File, se.Secret}); diff != "" {
				t.Errorf("File, Secret (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if got := se.Err.Error(); got != tt.wantTail {
				t.Errorf("Err:\n got %s\nwant %s", got, tt.wantTail)
			}
			if want := "f.yaml: secret " + tt.secret + ": " + tt.wantTail; err.Error() != want {
				t.Errorf("Error():\n got %s\nwant %s", err, want)
			}
		})
	}
}

// TestDiagnoseSecretReason: diagnose reports why a secret is ignored or
// malformed with the cause of the SecretError, without the file and secret
// prefix (the message names the secret itself).
func TestDiagnoseSecretReason(t *testing.T) {
	t.Parallel()
	in := pullSecret("shop", "opaque", "Opaque", ".dockerconfigjson", "{}") +
		pullSecret("shop", "bad", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"x.io":{"auth":"bm9jb2xvbg=="}}}`) + `---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  imagePullSecrets: [{name: opaque}, {name: bad}]
  containers: [{name: a, image: "x.io/a:1"}]
`
	var inv secrets.Inventory
	if err := inv.Add("in.yaml", []byte(in)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Diagnose(nil).Pods[0].Containers[0].Problems {
		got = append(got, p.Message)
	}
	want := []string{
		"secret shop/opaque is ignored by the kubelet: not a usable pull secret: type Opaque; the kubelet uses only types kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg" +
			" (it holds .dockerconfigjson: pullsecret convert writes it as a pull secret)",
		`secret shop/bad is malformed, which breaks every pull of the pod: data[.dockerconfigjson]: entry "x.io": auth: auth must be base64 of username:password (no colon found)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
