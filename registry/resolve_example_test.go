package registry_test

import (
	"context"
	"fmt"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// Pin tags to digests, credentials chosen per image as the kubelet would.
func ExampleResolve() {
	results, err := registry.Resolve(context.Background(), []string{"ruby:2.0", "quay.io/prometheus/prometheus:v3.0.0"}, registry.ResolveOptions{
		Credentials: []match.Credential{{Key: "quay.io", Username: "robot", Password: "…"}},
		Platform:    "linux/amd64", // the platform manifest rather than the index
	})
	if err != nil {
		return // cancelled
	}
	for _, r := range results {
		if err := r.Err(); err != nil {
			fmt.Println(err) // resolve IMAGE: VERDICT: cause
			continue
		}
		fmt.Println(r.Reference) // docker.io/library/ruby@sha256:…
	}
}
