package secrets

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func pullRefs(names ...string) []corev1.LocalObjectReference {
	var out []corev1.LocalObjectReference
	for _, n := range names {
		out = append(out, corev1.LocalObjectReference{Name: n})
	}
	return out
}

func mountRefs(names ...string) []corev1.ObjectReference {
	var out []corev1.ObjectReference
	for _, n := range names {
		out = append(out, corev1.ObjectReference{Name: n})
	}
	return out
}

func TestLinkServiceAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		pull, mount     []string // existing
		link            []string
		forPull, forMnt bool
		wantPull        []string
		wantMount       []string
		wantAdded       []string
	}{
		{"new pull", nil, nil, []string{"b", "a"}, true, false, []string{"b", "a"}, nil, []string{"b", "a"}},
		{"append after existing", []string{"z"}, []string{"tok"}, []string{"a"}, true, false, []string{"z", "a"}, []string{"tok"}, []string{"a"}},
		{"no duplicates", []string{"a"}, nil, []string{"a", "b", "b"}, true, false, []string{"a", "b"}, nil, []string{"b"}},
		{"idempotent", []string{"a", "b"}, nil, []string{"b", "a"}, true, false, []string{"a", "b"}, nil, nil},
		{"mount", []string{"p"}, nil, []string{"a"}, false, true, []string{"p"}, []string{"a"}, []string{"a"}},
		{"both, partly present", []string{"a"}, nil, []string{"a"}, true, true, []string{"a"}, []string{"a"}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sa := NewServiceAccount("default", "")
			sa.ImagePullSecrets, sa.Secrets = pullRefs(tt.pull...), mountRefs(tt.mount...)
			added := LinkServiceAccount(sa, tt.link, tt.forPull, tt.forMnt)
			if diff := cmp.Diff(tt.wantAdded, added); diff != "" {
				t.Errorf("added (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(pullRefs(tt.wantPull...), sa.ImagePullSecrets); diff != "" {
				t.Errorf("imagePullSecrets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(mountRefs(tt.wantMount...), sa.Secrets); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnlinkServiceAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		pull, mount     []string
		unlink          []string
		forPull, forMnt bool
		wantPull        []string
		wantMount       []string
		wantRemoved     []string
	}{
		{"pull keeps order", []string{"a", "b", "c"}, []string{"b"}, []string{"b"}, true, false, []string{"a", "c"}, []string{"b"}, []string{"b"}},
		{"absent", []string{"a"}, nil, []string{"x"}, true, false, []string{"a"}, nil, nil},
		{"last one", []string{"a"}, nil, []string{"a", "a"}, true, false, nil, nil, []string{"a"}},
		{"both", []string{"a", "b"}, []string{"b", "tok"}, []string{"b", "x"}, true, true, []string{"a"}, []string{"tok"}, []string{"b"}},
		{"mount only", []string{"a"}, []string{"a"}, []string{"a"}, false, true, []string{"a"}, nil, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sa := NewServiceAccount("default", "")
			sa.ImagePullSecrets, sa.Secrets = pullRefs(tt.pull...), mountRefs(tt.mount...)
			removed := UnlinkServiceAccount(sa, tt.unlink, tt.forPull, tt.forMnt)
			if diff := cmp.Diff(tt.wantRemoved, removed); diff != "" {
				t.Errorf("removed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(pullRefs(tt.wantPull...), sa.ImagePullSecrets); diff != "" {
				t.Errorf("imagePullSecrets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(mountRefs(tt.wantMount...), sa.Secrets); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSecretName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arg, want string
		wantErr   string
	}{
		{"regcred", "regcred", ""},
		{"secret/regcred", "regcred", ""},
		{"secrets/a.b-c", "a.b-c", ""},
		{"configmap/x", "", `expected resource of type secret, got "configmap/x"`},
		{"secret/", "", "invalid name"},
		{"Reg_Cred", "", "invalid name"},
		{"", "", "invalid name"},
		{"secret/a/b", "", "invalid name"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSecretName(tt.arg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSecretName(%q) = %q, %v; want error containing %q", tt.arg, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSecretName(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
			}
		})
	}
}

func TestReadServiceAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    string
		wantErr error
		wantMsg string
	}{
		{"yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n", "builder", nil, ""},
		{"json", `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder"}}`, "builder", nil, ""},
		{"any name", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n", "", nil, ""},
		{"comment documents", "# c\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n---\n", "builder", nil, ""},
		{"secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: builder\n", "builder", ErrNotServiceAccount, "kind Secret"},
		{"no kind", "metadata:\n  name: builder\n", "builder", ErrNotServiceAccount, "without kind"},
		{"list", "apiVersion: v1\nkind: List\nitems: []\n", "builder", ErrNotServiceAccount, "kind List"},
		{"two", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n", "a", ErrNotServiceAccount, "2 documents"},
		{"empty", "", "a", ErrNotServiceAccount, "empty"},
		{"array", "[1]", "a", ErrNotServiceAccount, "not an object"},
		{"wrong name", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n", "default", ErrWrongServiceAccount, `"builder", not "default"`},
		{"wrong apiVersion", "apiVersion: v2\nkind: ServiceAccount\nmetadata:\n  name: a\n", "a", ErrNotServiceAccount, "apiVersion"},
		{"unknown field", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nextra: 1\n", "a", nil, "extra"},
		{"bad yaml", "apiVersion: v1\nkind: [\n", "a", ErrNotManifest, "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sa, err := ReadServiceAccount("sa.yaml", []byte(tt.data), tt.want)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sa.Name != "builder" {
					t.Fatalf("name %q", sa.Name)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want errors.Is %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "sa.yaml") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want the file and %q", err, tt.wantMsg)
			}
		})
	}
}

func ExampleLinkServiceAccount() {
	sa := NewServiceAccount("default", "team-a")
	LinkServiceAccount(sa, []string{"regcred"}, true, false)
	added := LinkServiceAccount(sa, []string{"regcred", "quay"}, true, false)
	fmt.Println(added)
	_ = Encode(os.Stdout, OutputYAML, sa)
	// Output:
	// [quay]
	// apiVersion: v1
	// imagePullSecrets:
	// - name: regcred
	// - name: quay
	// kind: ServiceAccount
	// metadata:
	//   name: default
	//   namespace: team-a
}
