package match

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/<FuzzName>/; a plain `go test` replays them.

func FuzzParseReference(f *testing.F) {
	f.Fuzz(func(t *testing.T, image string) {
		r, err := ParseReference(image)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", image)) {
				t.Fatalf("error does not name the image: %v", err)
			}
			if DefaultPullPolicy(image) != PullIfNotPresent {
				t.Fatal("unparseable image must default to IfNotPresent")
			}
			return
		}
		if r.RepoToPull != r.Registry+"/"+r.Repository {
			t.Fatalf("RepoToPull %q != %q/%q", r.RepoToPull, r.Registry, r.Repository)
		}
		if (r.Kind == KindDigest) != (r.Digest != "") || (r.Tag == "" && r.Digest == "") || (r.ImplicitTag && r.Tag != defaultTag) {
			t.Fatalf("inconsistent reference %+v", r)
		}
		again, err := ParseReference(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseReference(%q) = %+v, %v; want %+v", r.String(), again, err, r)
		}
		if DefaultPullPolicy(image) != r.PullPolicy() {
			t.Fatal("DefaultPullPolicy disagrees with PullPolicy")
		}
	})
}

// FuzzLookup feeds newline-separated keys and an image to every consumer
// and checks invariants that hold whatever the input.
func FuzzLookup(f *testing.F) {
	f.Fuzz(func(t *testing.T, keys, image string) {
		ref, err := ParseReference(image)
		if err != nil {
			return
		}
		var creds []Credential
		for i, key := range strings.Split(keys, "\n") {
			creds = append(creds, Credential{
				Key:          key,
				Username:     fmt.Sprintf("u%d", i),
				Password:     fmt.Sprintf("SECRET-%d", i),
				HasAuthField: i%3 != 2,
				Source:       fmt.Sprintf("file%d", i%2),
			})
		}
		k := NewKeyring(creds)
		kube := k.Lookup(ref, SemanticsKubelet)
		kubeIdx := map[int]bool{}
		fallback := false
		for j, m := range kube {
			checkMatch(t, creds, m)
			if kubeIdx[m.index] {
				t.Fatalf("kubelet returned credential %d twice", m.index)
			}
			kubeIdx[m.index] = true
			if m.Reason == ReasonDockerHubFallback {
				fallback = true
				if m.MatchedKey != dockerHubIndexHost {
					t.Fatalf("fallback key %q", m.MatchedKey)
				}
			} else if fallback {
				t.Fatal("fallback mixed with matches")
			}
			if j > 0 && !fallback && strings.Compare(kube[j-1].MatchedKey, m.MatchedKey) < 0 {
				t.Fatalf("kubelet keys not in reverse order: %q before %q", kube[j-1].MatchedKey, m.MatchedKey)
			}
			if m.IdentityToken != "" || m.RegistryToken != "" {
				t.Fatal("kubelet passed a token on")
			}
		}
		for _, sem := range []Semantics{SemanticsDocker, SemanticsPodman} {
			ms := k.Lookup(ref, sem)
			if len(ms) > 1 {
				t.Fatalf("%s returned %d credentials", sem, len(ms))
			}
			for _, m := range ms {
				checkMatch(t, creds, m)
				key := creds[m.index].Key
				// A literal key that docker or podman found by exact lookup is a
				// key the kubelet matches too (the kubelet only adds matches).
				literal := !strings.Contains(key, "://") && !strings.HasPrefix(pathOf(key), "/v1/") && !strings.HasPrefix(pathOf(key), "/v2/")
				exact := m.Reason == ReasonExact || m.Reason == ReasonRegistry || m.Reason == ReasonPathPrefix
				if sem == SemanticsDocker && ref.IsDockerHub() {
					exact = false // ggcr's Docker Hub keys are spelled differently
				}
				if literal && exact && !kubeIdx[m.index] {
					t.Fatalf("%s chose %q by %s, but the kubelet does not match it (kubelet: %v)", sem, key, m.Reason, kube)
				}
				if sem == SemanticsPodman && (m.RegistryToken != "" || !creds[m.index].HasAuthField) {
					t.Fatal("podman used an entry without auth or passed a registry token")
				}
			}
		}
		if !slices.EqualFunc(kube, k.Lookup(ref, SemanticsKubelet), func(a, b Match) bool { return a.index == b.index && a.Note == b.Note }) {
			t.Fatal("kubelet lookup is not deterministic")
		}
		res, err := k.Match(image, ref, SemanticsKubelet)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "SECRET-") {
			t.Fatalf("match JSON leaks a password: %s", b)
		}
	})
}

func checkMatch(t *testing.T, creds []Credential, m Match) {
	t.Helper()
	if m.index < 0 || m.index >= len(creds) || creds[m.index].Key != m.Key || creds[m.index].Source != m.Source {
		t.Fatalf("match %v does not point at its credential", m)
	}
	switch m.Reason {
	case ReasonExact, ReasonRegistry, ReasonPathPrefix, ReasonWildcard, ReasonDockerHubFallback, ReasonHostFallback:
	default:
		t.Fatalf("unknown reason %q", m.Reason)
	}
}

// pathOf returns the path of a schemeless key, starting with '/', or "".
func pathOf(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[i:]
	}
	return ""
}
