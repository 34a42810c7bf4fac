package main

import (
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// jsonStreams returns objs as the two streams kubectl reads and users build
// from `kubectl ... -o json` in a loop: JSON objects one after the other, and
// JSON documents in a YAML stream separated by "---" lines.
func jsonStreams(objs ...string) map[string]string {
	return map[string]string{
		"concatenated JSON":             strings.Join(objs, ""),
		"YAML stream of JSON documents": strings.Join(objs, "---\n"),
	}
}

// issue 8 item 5: every command that reads manifests reads both streams.
func TestCommandsReadJSONStreams(t *testing.T) {
	t.Parallel()
	env := testPullEnv(t)
	// Two pull secrets as `pullsecret create -o json` (that is, kubectl) prints them.
	var objs []string
	for _, c := range [][]string{{"hub", "https://index.docker.io/v1/", "hubuser", "hub-Stream-Secret"}, {"reg", env.RegistryHost, "alice", tpAlicePass}} {
		r := runCLI(t, "", map[string]string{"PW": c[3]}, "create", c[0], "--docker-server", c[1], "-u", c[2], "--password-env", "PW", "-n", "team", "-o", "json")
		if r.code != 0 {
			t.Fatalf("create %s: exit %d: %s", c[0], r.code, r.stderr)
		}
		objs = append(objs, r.stdout)
	}
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"team"},` +
		`"spec":{"imagePullSecrets":[{"name":"reg"}],"containers":[{"name":"c","image":"` + env.Ref("team/app", "1") + `"}]}}`
	sa := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder","namespace":"team"}}`

	for name, stream := range jsonStreams(objs...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "secrets.json", stream)

			r := runCLI(t, "", nil, "convert", "--authfile", file, "-o", "dockerconfigjson")
			if c, err := dockercfg.ParseFormat([]byte(r.stdout), dockercfg.FormatConfigJSON); r.code != 0 || err != nil || len(c.Entries) != 2 {
				t.Errorf("convert: exit %d, %v: %s", r.code, err, r.stderr)
			}

			r = runCLI(t, "", nil, "inspect", "--authfile", file)
			if r.code != 0 || !strings.Contains(r.stdout, "(secret team/hub)") || !strings.Contains(r.stdout, "(secret team/reg)") {
				t.Errorf("inspect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			r = runCLI(t, "", nil, "match", "--authfile", file, "nginx")
			if r.code != 0 || !strings.Contains(r.stdout, "hubuser") {
				t.Errorf("match: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			r = runCLI(t, "", nil, append([]string{"test-pull", "--authfile", file, env.Ref("team/app", "1")}, netArgs(env, true)...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "secret team/reg") {
				t.Errorf("test-pull: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			// diagnose -f: the pod and its secret in one stream of either kind.
			withPod := jsonStreams(objs[1], pod)[name]
			r = runCLI(t, "", nil, "diagnose", "-f", writeFile(t, "all.json", withPod))
			if r.code != 0 || !strings.Contains(r.stdout, "-> ok") {
				t.Errorf("diagnose: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			// link -f: one ServiceAccount, written as a one-document stream.
			r = runCLI(t, "", nil, "link", "builder", "reg", "-f", writeFile(t, "sa.json", "---\n"+sa+"\n---\n"))
			if r.code != 0 || !strings.Contains(r.stdout, "name: reg") {
				t.Errorf("link: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			for _, secret := range []string{tpAlicePass, "hub-Stream-Secret"} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("secret %q on stderr", secret)
				}
			}
		})
	}
}
