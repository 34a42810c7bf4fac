package secrets_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubectl/pkg/util/hash"

	"github.com/pullsecret/pullsecret/secrets"
)

// formulaHash is the hash as secrets.Hash documents it, written out
// independently of both implementations: SHA-256 of the sorted compact JSON
// of {"data","immutable" (only when set),"kind":"Secret","name","type"}, the
// first 10 hex digits with 0, 1, 3, a, e turned into g, h, k, m, t. Hash is
// kubectl's code, so this oracle is what catches an upgrade of k8s.io/kubectl
// that changes the suffix (and so the name of every --append-hash secret).
func formulaHash(t *testing.T, s *corev1.Secret) string {
	t.Helper()
	m := map[string]any{"data": s.Data, "kind": "Secret", "name": s.Name, "type": s.Type}
	if s.Immutable != nil {
		m["immutable"] = *s.Immutable
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return strings.NewReplacer("0", "g", "1", "h", "3", "k", "a", "m", "e", "t").Replace(hex.EncodeToString(sum[:])[:10])
}

// checkSameHash fails unless secrets.Hash, kubectl's hash.SecretHash and the
// documented formula agree on s.
func checkSameHash(t *testing.T, s *corev1.Secret) string {
	t.Helper()
	want, err := hash.SecretHash(s.DeepCopy())
	if err != nil {
		t.Fatalf("kubectl SecretHash: %v", err)
	}
	got, err := secrets.Hash(s.DeepCopy())
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if got != want {
		t.Errorf("Hash = %q, kubectl SecretHash = %q for %#v", got, want, s)
	}
	if f := formulaHash(t, s); f != want {
		t.Errorf("documented formula = %q, kubectl SecretHash = %q for %#v", f, want, s)
	}
	return want
}

func boolPtr(b bool) *bool { return &b }

// TestHashMatchesKubectl compares secrets.Hash with kubectl's own
// (k8s.io/kubectl/pkg/util/hash SecretHash, the code behind
// kubectl create secret --append-hash) over Secrets of every shape the
// project writes and some it never does.
func TestHashMatchesKubectl(t *testing.T) {
	t.Parallel()
	payload := []byte(`{"auths":{"quay.io":{"auth":"YWxpY2U6YWxpY2Utc2VjcmV0"}}}`)
	tests := []struct {
		name   string
		secret *corev1.Secret
	}{
		{"dockerconfigjson", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: payload}}},
		{"dockercfg", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockercfg, Data: map[string][]byte{corev1.DockerConfigKey: []byte(`{"quay.io":{"auth":"YTpi"}}`)}}},
		{"opaque several keys", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"z": []byte("1"), "a": []byte("2"), "m": nil}}},
		{"no type", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Data: map[string][]byte{"k": []byte("v")}}},
		{"nil data", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: corev1.SecretTypeOpaque}},
		{"empty data", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{}}},
		{"empty name", &corev1.Secret{Type: corev1.SecretTypeOpaque}},
		{"immutable true", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: payload}, Immutable: boolPtr(true)}},
		{"immutable false", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: payload}, Immutable: boolPtr(false)}},
		{"binary and html in data", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: "x/<y>&z", Data: map[string][]byte{"<k>&": {0, 0xff, '<', '>', '&', 0xe2, 0x80, 0xa8}}}},
		{"invalid utf-8 in name and type", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a\xffb\u2028"}, Type: "t\xfe"}},
		{"stringData, namespace, labels present", &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "regcred", Namespace: "team-a", Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"c": "d"}},
			Type:       corev1.SecretTypeDockerConfigJson,
			Data:       map[string][]byte{corev1.DockerConfigJsonKey: payload},
			StringData: map[string]string{"extra": "not hashed"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkSameHash(t, tt.secret)
		})
	}

	// kubectl hashes data only: stringData, the namespace, labels and
	// annotations do not change the suffix, immutable does.
	t.Run("hashed fields", func(t *testing.T) {
		t.Parallel()
		base := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: payload}}
		h := checkSameHash(t, base)
		withMeta := base.DeepCopy()
		withMeta.Namespace, withMeta.Labels, withMeta.StringData = "team-a", map[string]string{"a": "b"}, map[string]string{"k": "v"}
		if got := checkSameHash(t, withMeta); got != h {
			t.Errorf("namespace, labels or stringData changed the hash: %q, want %q", got, h)
		}
		immutable := base.DeepCopy()
		immutable.Immutable = boolPtr(true)
		if got := checkSameHash(t, immutable); got == h {
			t.Errorf("immutable did not change the hash %q", h)
		}
	})
}

// FuzzSecretHashDifferential compares secrets.Hash with kubectl's
// SecretHash on arbitrary names, types, data and immutable settings.
// Data is nil when k1 and v1 are both empty; immutable is 0 for unset, 1
// for false, anything else for true.
func FuzzSecretHashDifferential(f *testing.F) {
	f.Add("regcred", string(corev1.SecretTypeDockerConfigJson), corev1.DockerConfigJsonKey, []byte(`{"auths":{}}`), "", []byte(nil), byte(0), "")
	f.Add("my-secret", string(corev1.SecretTypeDockercfg), corev1.DockerConfigKey, []byte(`{}`), "", []byte(nil), byte(2), "sd")
	f.Add("", "", "", []byte(nil), "", []byte(nil), byte(1), "")
	f.Fuzz(func(t *testing.T, name, typ, k1 string, v1 []byte, k2 string, v2 []byte, immutable byte, stringData string) {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: corev1.SecretType(typ)}
		if k1 != "" || len(v1) > 0 {
			s.Data = map[string][]byte{k1: v1}
			if k2 != k1 {
				s.Data[k2] = v2
			}
		}
		switch immutable {
		case 0:
		case 1:
			s.Immutable = boolPtr(false)
		default:
			s.Immutable = boolPtr(true)
		}
		if stringData != "" {
			s.StringData = map[string]string{stringData: stringData}
		}
		checkSameHash(t, s)
	})
}
