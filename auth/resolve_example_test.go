package auth_test

import (
	"context"
	"fmt"

	"github.com/pullsecret/pullsecret/auth"
)

// Pin tags to digests, credentials chosen per image as the kubelet would.
func ExampleResolve() {
	results, err := auth.Resolve(context.Background(), []string{"ruby:2.0", "quay.io/prometheus/prometheus:v3.0.0"}, auth.ResolveOptions{
		Credentials: []auth.Credential{{Key: "quay.io", Username: "robot", Password: "…"}},
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
