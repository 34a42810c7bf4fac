package secrets_test

import (
	"fmt"
	"os"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/secrets"
)

// Build, check and print a pull secret as kubectl create secret
// docker-registry --dry-run=client -o yaml would.
func Example() {
	payload, err := secrets.DockerConfigJSON("quay.io", "alice", "alice-secret", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := secrets.New("regcred", "team-a", dockercfg.FormatConfigJSON, payload)
	if err := secrets.Validate(s); err != nil {
		fmt.Println(err)
		return
	}
	if err := secrets.Encode(os.Stdout, secrets.OutputYAML, s); err != nil {
		fmt.Println(err)
	}
	// Output:
	// apiVersion: v1
	// data:
	//   .dockerconfigjson: eyJhdXRocyI6eyJxdWF5LmlvIjp7InVzZXJuYW1lIjoiYWxpY2UiLCJwYXNzd29yZCI6ImFsaWNlLXNlY3JldCIsImF1dGgiOiJZV3hwWTJVNllXeHBZMlV0YzJWamNtVjAifX19
	// kind: Secret
	// metadata:
	//   name: regcred
	//   namespace: team-a
	// type: kubernetes.io/dockerconfigjson
}

// Read the pull secrets in a manifest stream; other objects are skipped.
func ExampleReadSource() {
	manifests := []byte(`apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team-a}
imagePullSecrets: [{name: regcred}]
---
apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: team-a}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"quay.io":{"auth":"YWxpY2U6YWxpY2Utc2VjcmV0"}}}'
`)
	srcs, err := secrets.ReadSource("team-a.yaml", manifests)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range srcs {
		for _, e := range s.Config.Entries {
			fmt.Println(s.Label(), e.Key, e.Username)
		}
	}
	// Output:
	// team-a.yaml (secret team-a/regcred) quay.io alice
}

// --append-hash names the secret after its content.
func ExampleAppendHash() {
	payload, _ := secrets.DockerConfigJSON(dockercfg.DockerHubKey, "u", "p", "")
	s := secrets.New("my-secret", "", dockercfg.FormatConfigJSON, payload)
	name, _ := secrets.AppendHash(s)
	fmt.Println(name)
	// Output: my-secret-66d74866gh
}
