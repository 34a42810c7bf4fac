package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// jsonManifest is a YAML manifest as -o json gives it.
func jsonManifest(t *testing.T, y string) string {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// globalPullSecret is what `oc get secret/pull-secret -n openshift-config -o
// yaml` gives: a kubernetes.io/dockerconfigjson Secret with server-set
// metadata, its payload formatted as the installer writes it.
func globalPullSecret(typ, key, payload string) string {
	return "apiVersion: v1\ndata:\n  " + key + ": " + base64.StdEncoding.EncodeToString([]byte(payload)) + "\n" +
		"kind: Secret\nmetadata:\n  creationTimestamp: \"2026-01-01T00:00:00Z\"\n  name: pull-secret\n  namespace: openshift-config\n" +
		"  resourceVersion: \"1234\"\n  uid: 3f0c5c1e-0000-4000-8000-000000000000\ntype: " + typ + "\n"
}

const globalPayload = "{\n  \"auths\": {\n    \"quay.io\": {\"auth\": \"cm9ib3Q6Z2xvYmFsLVNlY3JldC0x\", \"email\": \"ops@example.com\"}\n  }\n}\n"

// issue 8 item 7: create --from-file=.dockerconfigjson=FILE accepts the
// Secret manifest `oc get secret/pull-secret -o yaml` gives and stores its
// payload byte for byte; what it cannot use is refused with an exact message.
func TestCreateFromFileSecretManifest(t *testing.T) {
	t.Parallel()
	yamlFile := writeFile(t, "ps.yaml", globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload))
	for _, args := range [][]string{
		{"--from-file=.dockerconfigjson=" + yamlFile},
		{"--from-file", yamlFile},
	} {
		r := runCLI(t, "", nil, append([]string{"create", "copy", "-n", "team-a"}, args...)...)
		if r.code != 0 {
			t.Errorf("create %v: exit %d, stderr %q", args, r.code, r.stderr)
			continue
		}
		// The payload is the Secret's, byte for byte (kubectl stores file bytes as they are).
		var s struct {
			Data map[string]string `json:"data"`
		}
		if err := yaml.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Fatal(err)
		}
		if got, _ := base64.StdEncoding.DecodeString(s.Data[".dockerconfigjson"]); string(got) != globalPayload {
			t.Errorf("create %v: payload %q, want the Secret's %q", args, got, globalPayload)
		}
		wantNote := "pullsecret: warning: --from-file " + yamlFile + ": a Secret manifest: storing data[.dockerconfigjson] of secret openshift-config/pull-secret (kubectl would store the manifest itself)\n"
		if r.stderr != wantNote {
			t.Errorf("create %v: stderr\n got %q\nwant %q", args, r.stderr, wantNote)
		}
	}

	// The JSON form (-o json) too.
	r := runCLI(t, "", nil, "create", "x", "--from-file", writeFile(t, "ps.json", jsonManifest(t, globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload))))
	if r.code != 0 {
		t.Errorf("JSON manifest: exit %d, stderr %q", r.code, r.stderr)
	}

	legacy := `{"quay.io":{"auth":"` + dockercfg.EncodeAuth("robot", "global-Secret-1") + `"}}`
	twoSecrets := globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload) + "---\n" +
		strings.Replace(globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload), "name: pull-secret", "name: other", 1)
	refusals := []struct {
		name, content string
		extra         []string
		want          string
	}{
		{"other type", globalPullSecret("kubernetes.io/dockercfg", ".dockercfg", legacy), nil,
			"create: --from-file FILE: secret openshift-config/pull-secret is type kubernetes.io/dockercfg: payload format does not match the secret type: " +
				`a kubernetes.io/dockerconfigjson secret needs a config.json ({"auths":{...}}); use --type dockercfg, or convert it with pullsecret convert NAME --type dockerconfigjson --authfile FILE`},
		{"other type the other way", globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload), []string{"--type", "dockercfg"},
			"create: --from-file FILE: secret openshift-config/pull-secret is type kubernetes.io/dockerconfigjson: payload format does not match the secret type: " +
				`a kubernetes.io/dockercfg secret needs a legacy .dockercfg map ({"<registry>":{...}}); use --type dockerconfigjson, or convert it with pullsecret convert NAME --type dockercfg --authfile FILE`},
		{"two pull secrets", twoSecrets, nil,
			"create: --from-file FILE: 2 pull secrets (openshift-config/pull-secret, openshift-config/other), want one pull secret: merge them with pullsecret convert NAME --authfile FILE"},
		{"opaque", globalPullSecret("Opaque", ".dockerconfigjson", globalPayload), nil,
			"create: --from-file FILE: secret openshift-config/pull-secret: not a usable pull secret: type Opaque; the kubelet uses only types kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg (it holds .dockerconfigjson: pullsecret convert writes it as a pull secret)"},
		{"no secret", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", nil,
			"create: --from-file FILE: no pull secrets (types kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg) found"},
		{"neither config nor manifest", "auths: global-Secret-1\n", nil,
			"create: --from-file FILE: document 1: not a docker config or Kubernetes manifest: no kind"},
	}
	for _, tt := range refusals {
		file := writeFile(t, "ps.yaml", tt.content)
		r := runCLI(t, "", nil, append([]string{"create", "x", "--from-file", file}, tt.extra...)...)
		want := "pullsecret: " + strings.ReplaceAll(tt.want, "FILE", file) + "\n"
		if r.code != exitError || r.stderr != want {
			t.Errorf("%s: exit %d, stderr\n got %q\nwant %q", tt.name, r.code, r.stderr, want)
		}
		if strings.Contains(r.stderr, "global-Secret-1") || strings.Contains(r.stderr, "cm9ib3Q6") {
			t.Errorf("%s: secret on stderr", tt.name)
		}
	}
}

// issue 8 item 7: diagnose --node-config takes the global pull secret as
// `oc get secret/pull-secret -n openshift-config -o yaml` gives it.
func TestDiagnoseNodeConfigSecretManifest(t *testing.T) {
	t.Parallel()
	node := writeFile(t, "ps.yaml", globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload))
	pod := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team-a}\nspec:\n  containers: [{name: c, image: quay.io/team/app:1}]\n")
	r := runCLI(t, "", nil, "diagnose", "-f", pod, "--node-config", node)
	if r.code != 0 || !strings.Contains(r.stdout, "-> ok") ||
		!strings.Contains(r.stdout, `credential 1: quay.io  user "robot"  from node config `+node+` (secret openshift-config/pull-secret)`) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	two := writeFile(t, "two.yaml", globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload)+"---\n"+
		strings.Replace(globalPullSecret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", globalPayload), "name: pull-secret", "name: other", 1))
	r = runCLI(t, "", nil, "diagnose", "-f", pod, "--node-config", two)
	want := "pullsecret: diagnose: --node-config " + two + ": 2 pull secrets (openshift-config/pull-secret, openshift-config/other), want one pull secret: the node has one config.json\n"
	if r.code != exitError || r.stderr != want {
		t.Errorf("two secrets: exit %d, stderr\n got %q\nwant %q", r.code, r.stderr, want)
	}
}
