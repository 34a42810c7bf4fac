package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Hash returns kubectl's content hash of a Secret (k8s.io/kubectl
// pkg/util/hash SecretHash): the SHA-256 of the compact JSON of
// {"data","immutable" (only if set),"kind":"Secret","name","type"} with keys
// sorted and data values in base64, as hex, cut to 10 characters, with 0, 1,
// 3, a and e mapped to g, h, k, m and t so the suffix never looks like a
// number or a word. The namespace, labels, annotations and stringData are not
// part of it.
func Hash(s *corev1.Secret) (string, error) {
	m := map[string]any{
		"kind": "Secret",
		"type": s.Type,
		"name": s.Name,
		"data": s.Data,
	}
	if s.Immutable != nil {
		m["immutable"] = *s.Immutable
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("hash secret %q: %w", s.Name, err)
	}
	sum := sha256.Sum256(b)
	enc := []byte(hex.EncodeToString(sum[:])[:10])
	for i, c := range enc {
		switch c {
		case '0':
			enc[i] = 'g'
		case '1':
			enc[i] = 'h'
		case '3':
			enc[i] = 'k'
		case 'a':
			enc[i] = 'm'
		case 'e':
			enc[i] = 't'
		}
	}
	return string(enc), nil
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
