package cluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// kube-* and openshift-* are selected only by a glob that names them.
func TestSyncNamespaceMatches(t *testing.T) {
	for _, c := range []struct {
		ns    string
		globs []string
		want  bool
	}{
		{"team-a", nil, true},
		{"kube-system", nil, false},
		{"openshift-config", nil, false},
		{"openshift", nil, false},
		{"kube-system", []string{"*"}, false},
		{"kube-public", []string{"kube-public"}, true},
		{"kube-public", []string{"kube-*"}, true},
		{"openshift-config", []string{"openshift-*"}, true},
		{"team-a", []string{"team-*"}, true},
		{"team-a", []string{"ci", "team-?"}, true},
		{"ci-1", []string{"team-*"}, false},
	} {
		if got := syncNamespaceMatches(c.ns, SyncOptions{NameGlobs: c.globs}); got != c.want {
			t.Errorf("%s %v: %v, want %v", c.ns, c.globs, got, c.want)
		}
	}
}

// The hash covers the type and every key and value, unambiguously.
func TestSyncHash(t *testing.T) {
	a := SyncHash(corev1.SecretTypeDockerConfigJson, map[string][]byte{"k": []byte("v")})
	for _, other := range []string{
		SyncHash(corev1.SecretTypeDockercfg, map[string][]byte{"k": []byte("v")}),
		SyncHash(corev1.SecretTypeDockerConfigJson, map[string][]byte{"k": []byte("w")}),
		SyncHash(corev1.SecretTypeDockerConfigJson, map[string][]byte{"kv": nil}),
		SyncHash(corev1.SecretTypeDockerConfigJson, map[string][]byte{"k": []byte("v"), "x": nil}),
	} {
		if other == a {
			t.Error("different content, same hash")
		}
	}
	if SyncHash(corev1.SecretTypeDockerConfigJson, map[string][]byte{"k": []byte("v")}) != a || len(a) != 64 {
		t.Error("hash not stable")
	}
}
