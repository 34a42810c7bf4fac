package dockercfg_test

import (
	"fmt"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// Logging out of Docker Hub removes every spelling of its key.
func ExampleConfig_RemoveServer() {
	cfg, err := dockercfg.Parse([]byte(`{"auths":{
		"https://index.docker.io/v1/": {"auth": "dTpw"},
		"docker.io": {"auth": "dTpw"},
		"quay.io": {"auth": "dTpw"}
	}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.RemoveServer("index.docker.io"), "removed")
	for _, e := range cfg.Entries {
		fmt.Println("kept", e.Key)
	}
	// Output:
	// 2 removed
	// kept quay.io
}

// EditConfig is the pure core of an in-place edit: empty content is a new
// config.json.
func ExampleEditConfig() {
	out, err := dockercfg.EditConfig("config.json", nil, func(c *dockercfg.Config) error {
		c.Set(dockercfg.NewEntry("quay.io", "robot", "s3cret", ""))
		return nil
	})
	if err != nil {
		panic(err)
	}
	cfg, err := dockercfg.Parse(out)
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Format, cfg.Entries[0].Key, cfg.Entries[0].Username)
	// Output:
	// dockerconfigjson quay.io robot
}

// SetLogin replaces an entry in place: a rewrite keeps its fields, their
// order and explicit empty values, and reports the user it replaced.
func ExampleConfig_SetLogin() {
	in := []byte(`{"auths":{"quay.io":{"email":"","auth":"b2xkOm9sZC1wdw==","x-note":"kept"}},"credsStore":""}`)
	var was string
	out, err := dockercfg.EditConfig("config.json", in, func(c *dockercfg.Config) error {
		if old := c.SetLogin("quay.io", "robot", "s3cret", nil); old != nil {
			was = old.Username
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("was", was)
	fmt.Println(string(out))
	// Output:
	// was old
	// {"auths":{"quay.io":{"email":"","auth":"cm9ib3Q6czNjcmV0","x-note":"kept"}},"credsStore":""}
}
