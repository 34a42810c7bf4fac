package dockercfg_test

import (
	"context"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// BenchmarkParseConvertInspect10k is the whole of `pullsecret convert` and
// `pullsecret inspect` on a 10,000-entry config minus the process: parse,
// resolve to inline credentials under canonical keys, marshal the secret
// payload, and build the lint report. bytes/op is the file size; B/op over
// it is the memory factor (target < 20).
func BenchmarkParseConvertInspect10k(b *testing.B) {
	data := config10k(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		cfg, err := dockercfg.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		src := []dockercfg.Source{{Name: "config.json", Config: cfg}}
		res, err := dockercfg.Convert(ctx, src, dockercfg.ConvertOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := res.Config.MarshalCompact(); err != nil {
			b.Fatal(err)
		}
		rep := dockercfg.Inspect(src, dockercfg.InspectOptions{})
		if len(rep.Entries) != 10000 {
			b.Fatalf("%d entries", len(rep.Entries))
		}
	}
}
