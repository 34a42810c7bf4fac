package secrets

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/golden"
)

func testSecret(t *testing.T, name, namespace string) *corev1.Secret {
	t.Helper()
	payload, err := DockerConfigJSON("quay.io", "alice", "a<b>&c", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return New(name, namespace, dockercfg.FormatConfigJSON, payload)
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	labelled := testSecret(t, "regcred", "team-a")
	labelled.Labels = map[string]string{"app": "web", "tier": "front"}
	labelled.Annotations = map[string]string{"note": "a & <b>"}
	// No TypeMeta: Encode fills it in from the Go type.
	bare := testSecret(t, "other", "")
	bare.TypeMeta = metav1.TypeMeta{}
	legacy := New("legacy", "", dockercfg.FormatLegacy, []byte(goodLegacy))
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "team-a"},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}}}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "pullers", Namespace: "team-a"},
		RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:image-puller"}}

	tests := []struct {
		name string
		objs []runtime.Object
	}{
		{"secret", []runtime.Object{testSecret(t, "regcred", "")}},
		{"labelled", []runtime.Object{labelled}},
		{"bare", []runtime.Object{bare}},
		{"legacy", []runtime.Object{legacy}},
		{"stream", []runtime.Object{testSecret(t, "regcred", ""), legacy}},
		{"mixed", []runtime.Object{sa, rb}},
		{"none", nil},
	}
	for _, tt := range tests {
		for _, format := range []string{OutputYAML, OutputJSON, OutputName} {
			t.Run(tt.name+"."+format, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				if err := Encode(&buf, format, tt.objs...); err != nil {
					t.Fatal(err)
				}
				golden.Assert(t, filepath.Join("testdata", "encode", tt.name+"."+format), buf.Bytes())
			})
		}
	}
	if bare.Kind != "" {
		t.Errorf("Encode modified its argument: kind %q", bare.Kind)
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Encode(&buf, "wide", testSecret(t, "x", "")); !errors.Is(err, ErrUnknownOutput) {
		t.Errorf("Encode wide: %v", err)
	}
	if err := Encode(&buf, OutputYAML, &unregistered{}); err == nil {
		t.Errorf("Encode of an unregistered type without kind: no error")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q on error", buf.String())
	}
}

// unregistered is a runtime.Object of a type no scheme knows.
type unregistered struct{ metav1.TypeMeta }

func (u *unregistered) DeepCopyObject() runtime.Object { c := *u; return &c }
