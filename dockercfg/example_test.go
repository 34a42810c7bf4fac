package dockercfg_test

import (
	"context"
	"fmt"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func ExampleParse() {
	cfg, err := dockercfg.Parse([]byte(`{
	"auths": {
		"https://index.docker.io/v1/": {"auth": "aHVidXNlcjpodWItcGFzcw=="},
		"quay.io/repository-main": {"username": "robot", "password": "p:w"},
		"ghcr.io": {}
	},
	"credsStore": "pass",
	"HttpHeaders": {"X-Team": "platform"}
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Format, "credsStore:", cfg.CredsStore)
	for _, e := range cfg.Entries {
		k, _ := dockercfg.ParseKey(e.Key)
		fmt.Printf("%s host=%s path=%q user=%q\n", e.Key, k.Host, k.Path, e.Username)
	}
	// Output:
	// dockerconfigjson credsStore: pass
	// https://index.docker.io/v1/ host=docker.io path="" user="hubuser"
	// quay.io/repository-main host=quay.io path="repository-main" user="robot"
	// ghcr.io host=ghcr.io path="" user=""
}

func ExampleParse_error() {
	// Errors name the file, the entry and the field, never the value.
	_, err := dockercfg.ParseNamed([]byte(`{"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}}`), "config.json")
	fmt.Println(err)
	// Output:
	// config.json: entry "quay.io": auth: auth must be base64 of username:password (no colon found)
}

func ExampleConfig_Resolve() {
	cfg, err := dockercfg.Parse([]byte(`{"auths":{
		"docker.io": {"username": "hubuser", "password": "hub-pass"},
		"registry.example.com": {"identitytoken": "refresh-token"}
	}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// In production newHelper is NewHelper with PATH; this config has no
	// credsStore or credHelpers, so no helper runs.
	resolved, errs := cfg.Resolve(context.Background(), func(name string) dockercfg.Helper {
		return dockercfg.NewHelper(name, nil)
	})
	for _, r := range resolved {
		fmt.Printf("%s auth=%s identity token set: %v\n", r.Entry.Key, r.Entry.Auth, r.Entry.IdentityToken != "")
	}
	fmt.Println("errors:", len(errs))
	// Output:
	// docker.io auth=aHVidXNlcjpodWItcGFzcw== identity token set: false
	// registry.example.com auth= identity token set: true
	// errors: 0
}

func ExampleConfig_Marshal() {
	cfg := &dockercfg.Config{}
	cfg.Set(dockercfg.NewEntry(dockercfg.DockerHubKey, "hubuser", "hub-pass", ""))
	out, _ := cfg.MarshalCompact()
	fmt.Println(string(out))
	// Output:
	// {"auths":{"https://index.docker.io/v1/":{"username":"hubuser","password":"hub-pass","auth":"aHVidXNlcjpodWItcGFzcw=="}}}
}

func ExampleParseKey() {
	for _, raw := range []string{"docker.io", "https://index.docker.io/v1/", "HTTPS://Quay.io/v2/ns/", "registry:443"} {
		k, _ := dockercfg.ParseKey(raw)
		fmt.Printf("%-28s -> %s\n", raw, k)
	}
	// Output:
	// docker.io                    -> https://index.docker.io/v1/
	// https://index.docker.io/v1/  -> https://index.docker.io/v1/
	// HTTPS://Quay.io/v2/ns/       -> quay.io/ns
	// registry:443                 -> registry:443
}

func ExampleKeyWarnings() {
	for _, w := range dockercfg.KeyWarnings("docker.io") {
		fmt.Println(w)
	}
	// Output:
	// Docker Hub alias "docker.io": docker and go-containerregistry only find "https://index.docker.io/v1/"
}

func ExampleDecodeAuth() {
	user, pass, unpadded, err := dockercfg.DecodeAuth("dXNlcjpwOnc") // unpadded base64 of "user:p:w"
	fmt.Println(user, pass, unpadded, err)
	// Output:
	// user p:w true <nil>
}
