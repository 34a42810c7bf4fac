package secrets

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/kubectl/pkg/util/hash"
)

// Hash returns kubectl's content hash of a Secret, the suffix of
// kubectl create secret --append-hash. It is kubectl's own code
// (k8s.io/kubectl/pkg/util/hash SecretHash): the SHA-256 of the compact JSON
// of {"data","immutable" (only if set),"kind":"Secret","name","type"} with
// keys sorted and data values in base64, as hex, cut to 10 characters, with
// 0, 1, 3, a and e mapped to g, h, k, m and t so the suffix never looks like
// a number or a word. The namespace, labels, annotations and stringData are
// not part of it.
func Hash(s *corev1.Secret) (string, error) {
	h, err := hash.SecretHash(s)
	if err != nil {
		return "", fmt.Errorf("hash secret %q: %w", s.Name, err)
	}
	return h, nil
}

// AppendHash renames s to NAME-HASH, as kubectl create --append-hash does,
// and returns the new name. The hash is computed over the current name.
func AppendHash(s *corev1.Secret) (string, error) {
	h, err := Hash(s)
	if err != nil {
		return "", err
	}
	s.Name = s.Name + "-" + h
	return s.Name, nil
}
