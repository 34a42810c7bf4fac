package registrytest_test

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pullsecret/pullsecret/internal/registrytest"
)

// A token-auth registry whose token server is on another host; a client
// resolves a tag, and the Env counts what it did.
func ExampleStart() {
	ctx := context.Background()
	env, err := registrytest.Start(ctx, registrytest.Options{
		Mode:  registrytest.Token,
		Users: map[string]string{"alice": "example-password"},
		ACL:   map[string][]registrytest.Grant{"alice": {{Repo: "team/*", Actions: []string{"pull"}}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()

	want, err := env.PushRandomImage(ctx, "team/app", "v1")
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, err := name.ParseReference(env.Ref("team/app", "v1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	desc, err := remote.Head(ref,
		remote.WithAuth(&authn.Basic{Username: "alice", Password: "example-password"}),
		remote.WithTransport(env.Transport()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("digest matches:", desc.Digest.String() == want)
	fmt.Println("realm on another host:", env.RealmHost != env.RegistryHost)
	for _, r := range env.Requests() {
		fmt.Println(r.Host, r.Method, r.Route, r.AuthScheme, r.Status, r.Granted)
	}
	fmt.Println("leaks:", len(env.Leaks()))
	// Output:
	// digest matches: true
	// realm on another host: true
	// registry GET ping  401 []
	// realm GET token Basic 200 [repository:team/app:pull]
	// registry HEAD manifest Bearer 200 []
	// leaks: 0
}
