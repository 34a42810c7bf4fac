package dockercfg_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// secretSources is n pull secrets, each holding credentials for quay.io, as
// `kubectl get secret -A -o yaml` gives them on a cluster where every
// namespace has its own pull secret for one registry.
func secretSources(tb testing.TB, n int) []dockercfg.Source {
	tb.Helper()
	cfg, err := dockercfg.Parse([]byte(`{"auths":{"quay.io":{"auth":"` + dockercfg.EncodeAuth("robot", "pass") + `"}}}`))
	if err != nil {
		tb.Fatal(err)
	}
	srcs := make([]dockercfg.Source, n)
	for i := range srcs {
		srcs[i] = dockercfg.Source{Name: "secrets.yaml", Secret: fmt.Sprintf("ns%05d/regcred", i), Type: "kubernetes.io/dockerconfigjson", Config: cfg}
	}
	return srcs
}

// warningBytes is the size of every warning of the report, as inspect prints
// them, and the largest for one entry.
func warningBytes(rep *dockercfg.InspectReport) (total, maxEntry int) {
	for _, e := range rep.Entries {
		n := 0
		for _, w := range e.Warnings {
			n += len(e.Source) + len(e.Key) + len(w) + len("warning: : \n")
		}
		total += n
		maxEntry = max(maxEntry, n)
	}
	return total, maxEntry
}

// TestInspectManySourcesLinear: the "also has credentials in" warning of one
// registry found in many Secrets names a few of them and counts the rest, so
// each entry's warnings are bounded and the report grows linearly with the
// number of Secrets (issue 8, item 16: 8,000 Secrets printed 2.1 GB).
func TestInspectManySourcesLinear(t *testing.T) {
	t.Parallel()
	const small, large = 200, 800
	totalSmall, maxSmall := warningBytes(dockercfg.Inspect(secretSources(t, small), dockercfg.InspectOptions{}))
	repLarge := dockercfg.Inspect(secretSources(t, large), dockercfg.InspectOptions{})
	totalLarge, maxLarge := warningBytes(repLarge)
	// One entry's warnings: a bounded number of source names, whatever n.
	const perEntry = 400
	if maxSmall > perEntry || maxLarge > perEntry {
		t.Errorf("largest warnings of one entry: %d bytes at %d Secrets, %d bytes at %d; want at most %d", maxSmall, small, maxLarge, large, perEntry)
	}
	// Four times the Secrets, about four times the output (not sixteen).
	if totalLarge > 5*totalSmall {
		t.Errorf("warnings grew from %d bytes (%d Secrets) to %d bytes (%d Secrets): not linear", totalSmall, small, totalLarge, large)
	}
	w := strings.Join(repLarge.Entries[10].Warnings, "|")
	for _, want := range []string{
		"registry quay.io also has credentials in 799 other sources: ",
		"secrets.yaml (secret ns00000/regcred), secrets.yaml (secret ns00001/regcred), secrets.yaml (secret ns00002/regcred) and 796 more",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("entry 10 warnings %q do not contain %q", w, want)
		}
	}
	// The entry's own source is not among the others named.
	if w := strings.Join(repLarge.Entries[1].Warnings, "|"); strings.Contains(w, "ns00001") {
		t.Errorf("entry 1 warnings %q name its own source", w)
	}
}

// TestInspectFewSourcesNamed: with a few other sources, all are named, as
// before.
func TestInspectFewSourcesNamed(t *testing.T) {
	t.Parallel()
	rep := dockercfg.Inspect(secretSources(t, 4), dockercfg.InspectOptions{})
	got := strings.Join(rep.Entries[0].Warnings, "|")
	want := "registry quay.io also has credentials in secrets.yaml (secret ns00001/regcred), secrets.yaml (secret ns00002/regcred), secrets.yaml (secret ns00003/regcred)"
	if !strings.Contains(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
}

// BenchmarkInspect8000Secrets reports the bytes of warnings inspect prints
// for 8,000 Secrets holding one registry (issue 8, item 16) and the
// allocations of Inspect.
func BenchmarkInspect8000Secrets(b *testing.B) {
	srcs := secretSources(b, 8000)
	b.ReportAllocs()
	var total int
	for b.Loop() {
		total, _ = warningBytes(dockercfg.Inspect(srcs, dockercfg.InspectOptions{}))
	}
	b.ReportMetric(float64(total), "warning-bytes")
}
