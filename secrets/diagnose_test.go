package secrets_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

const diagPass = "diag-Secret-Pass-7"

// pullSecret returns a Secret manifest of type typ holding payload under key.
func pullSecret(ns, name, typ, key, payload string) string {
	return fmt.Sprintf("---\napiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: %s}\ntype: %s\ndata:\n  %s: %s\n",
		name, ns, typ, key, base64.StdEncoding.EncodeToString([]byte(payload)))
}

func authJSON(key, user, pass string) string {
	a := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return `{"auths":{"` + key + `":{"auth":"` + a + `"}}}`
}

// summary is a compact view of a container's diagnosis.
type summary struct {
	Pod, Container, Type string
	Policy               match.PullPolicy
	Secrets              string
	Creds                []string // "key|source"
	Prediction           secrets.Prediction
	Severities           []string
}

func summarize(d *secrets.Diagnosis) []summary {
	var out []summary
	for _, p := range d.Pods {
		for _, c := range p.Containers {
			s := summary{
				Pod: p.Kind + " " + p.Namespace + "/" + p.Name, Container: c.Name, Type: string(c.Type),
				Policy: c.PullPolicy, Secrets: string(p.PullSecretsFrom) + ":" + strings.Join(c.PullSecrets, ","),
				Prediction: c.Prediction,
			}
			for _, cr := range c.Credentials {
				s.Creds = append(s.Creds, cr.Key+"|"+cr.Source)
			}
			for _, pr := range c.Problems {
				s.Severities = append(s.Severities, string(pr.Severity))
			}
			out = append(out, s)
		}
	}
	return out
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	good := pullSecret("shop", "regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", authJSON("registry.example.com", "alice", diagPass))
	quay := pullSecret("shop", "quaycred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", authJSON("quay.io/repo", "bob", diagPass))
	node := []match.Credential{{Key: "registry.example.com", Username: "node", Password: diagPass, Source: "node.json"}}
	tests := []struct {
		name      string
		manifests string
		node      []match.Credential
		want      []summary
	}{
		{
			name: "deployment uses its service account's secrets",
			manifests: good + `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: builder
      containers: [{name: app, image: "registry.example.com/web"}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: shop}
imagePullSecrets: [{name: regcred}]
`,
			node: node,
			want: []summary{{
				Pod: "Deployment shop/web", Container: "app", Type: "container", Policy: match.PullAlways,
				Secrets: "serviceaccount:regcred", Prediction: secrets.PredictOK,
				Creds:      []string{"registry.example.com|secret shop/regcred", "registry.example.com|node config node.json"},
				Severities: []string{"note"},
			}},
		},
		{
			name: "pod secrets: missing, opaque, mismatched type and key",
			manifests: good + pullSecret("shop", "opaque", "Opaque", ".dockerconfigjson", authJSON("x.io", "u", diagPass)) +
				pullSecret("shop", "mismatch", "kubernetes.io/dockercfg", ".dockerconfigjson", authJSON("x.io", "u", diagPass)) + `---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  imagePullSecrets: [{name: gone}, {name: opaque}, {name: mismatch}, {name: regcred}]
  containers:
  - {name: a, image: "registry.example.com/a:1", imagePullPolicy: Always}
  - {name: b, image: "busybox@sha256:` + strings.Repeat("a", 64) + `"}
`,
			want: []summary{{
				Pod: "Pod shop/p", Container: "a", Type: "container", Policy: match.PullAlways,
				Secrets: "pod:gone,opaque,mismatch,regcred", Prediction: secrets.PredictOK,
				Creds:      []string{"registry.example.com|secret shop/regcred"},
				Severities: []string{"warning", "warning", "warning"},
			}, {
				Pod: "Pod shop/p", Container: "b", Type: "container", Policy: match.PullIfNotPresent,
				Secrets: "pod:gone,opaque,mismatch,regcred", Prediction: secrets.PredictUnknown,
				Severities: []string{"error", "warning", "warning", "warning"},
			}},
		},
		{
			name: "malformed secret fails every pull of the pod",
			manifests: good + pullSecret("shop", "bad", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"x.io":{"auth":"bm9jb2xvbg=="}}}`) + `---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  imagePullSecrets: [{name: regcred}, {name: bad}]
  containers: [{name: a, image: "registry.example.com/a:1"}, {name: b, image: "nginx:1"}]
`,
			want: []summary{
				{Pod: "Pod shop/p", Container: "a", Type: "container", Policy: match.PullIfNotPresent, Secrets: "pod:regcred,bad", Prediction: secrets.PredictFail, Severities: []string{"error"}},
				{Pod: "Pod shop/p", Container: "b", Type: "container", Policy: match.PullIfNotPresent, Secrets: "pod:regcred,bad", Prediction: secrets.PredictFail, Severities: []string{"error"}},
			},
		},
		{
			name: "bad JSON secret breaks the pod; a legacy dockercfg secret is usable elsewhere",
			manifests: pullSecret("a", "json", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":`) +
				pullSecret("b", "legacy", "kubernetes.io/dockercfg", ".dockercfg", `{"registry.example.com":{"auth":"`+base64.StdEncoding.EncodeToString([]byte("u:"+diagPass))+`"}}`) + `---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
  imagePullSecrets: [{name: json}]
  ephemeralContainers: [{name: dbg, image: "busybox:1"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, namespace: b}
spec: {template: {spec: {imagePullSecrets: [{name: legacy}], containers: [{name: c, image: "registry.example.com/c:1"}]}}}
`,
			want: []summary{
				{Pod: "Pod a/p", Container: "dbg", Type: "ephemeral", Policy: match.PullIfNotPresent, Secrets: "pod:json", Prediction: secrets.PredictFail, Severities: []string{"error"}},
				{Pod: "DaemonSet b/d", Container: "c", Type: "container", Policy: match.PullIfNotPresent, Secrets: "pod:legacy", Prediction: secrets.PredictOK,
					Creds: []string{"registry.example.com|secret b/legacy"}},
			},
		},
		{
			name: "cronjob init container, prefix match, token-only entry, anonymous",
			manifests: quay + pullSecret("shop", "tok", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", `{"auths":{"t.io":{"identitytoken":"tok-`+diagPass+`"}}}`) + `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          imagePullSecrets: [{name: quaycred}, {name: tok}]
          initContainers: [{name: i, image: "quay.io/repository-main/x:latest"}]
          containers: [{name: t, image: "t.io/a/b:1"}, {name: pub, image: "docker.io/library/alpine:3"}]
`,
			want: []summary{
				{Pod: "CronJob shop/c", Container: "i", Type: "init", Policy: match.PullAlways, Secrets: "pod:quaycred,tok", Prediction: secrets.PredictOK,
					Creds: []string{"quay.io/repo|secret shop/quaycred"}, Severities: []string{"note"}},
				{Pod: "CronJob shop/c", Container: "t", Type: "container", Policy: match.PullIfNotPresent, Secrets: "pod:quaycred,tok", Prediction: secrets.PredictAnonymous,
					Creds: []string{"t.io|secret shop/tok"}, Severities: []string{"note", "warning", "warning"}},
				{Pod: "CronJob shop/c", Container: "pub", Type: "container", Policy: match.PullIfNotPresent, Secrets: "pod:quaycred,tok", Prediction: secrets.PredictAnonymous,
					Severities: []string{"note"}},
			},
		},
		{
			name: "pod without service account in the input, List of kinds",
			manifests: `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db}
  spec: {template: {spec: {containers: [{name: db, image: "registry.example.com/db:5"}]}}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ignored}
`,
			node: node,
			want: []summary{{
				Pod: "StatefulSet default/db", Container: "db", Type: "container", Policy: match.PullIfNotPresent,
				Secrets: ":", Prediction: secrets.PredictOK,
				Creds: []string{"registry.example.com|node config node.json"}, Severities: []string{"note"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inv secrets.Inventory
			if err := inv.Add("in.yaml", []byte(tt.manifests)); err != nil {
				t.Fatal(err)
			}
			d := inv.Diagnose(tt.node)
			if diff := cmp.Diff(tt.want, summarize(d)); diff != "" {
				t.Errorf("diagnosis (-want +got):\n%s", diff)
			}
			wantFail := false
			for _, s := range tt.want {
				wantFail = wantFail || s.Prediction == secrets.PredictFail
			}
			if d.Failed() != wantFail {
				t.Errorf("Failed() = %v, want %v", d.Failed(), wantFail)
			}
			for _, p := range d.Pods {
				for _, c := range p.Containers {
					for _, pr := range c.Problems {
						if strings.Contains(pr.Message, diagPass) {
							t.Errorf("problem leaks the secret: %s", pr.Message)
						}
					}
				}
			}
		})
	}
}

func TestDiagnoseSetVerdict(t *testing.T) {
	t.Parallel()
	c := &secrets.ContainerDiagnosis{Prediction: secrets.PredictAnonymous}
	c.SetVerdict(match.VerdictOK, "")
	if c.Prediction != secrets.PredictOK {
		t.Errorf("ok verdict: prediction %q", c.Prediction)
	}
	c.SetVerdict(match.VerdictUnauthorized, "denied")
	if c.Prediction != secrets.PredictFail || len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Message, "unauthorized") {
		t.Errorf("unauthorized verdict: %+v", c)
	}
}

func TestInventoryAddErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     error
	}{
		{"not yaml", "a: [b\n", secrets.ErrNotManifest},
		{"no kind", "apiVersion: v1\nmetadata: {}\n", secrets.ErrNotManifest},
		{"scalar", "just text\n", secrets.ErrNotManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inv secrets.Inventory
			err := inv.Add("in.yaml", []byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Add = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "in.yaml: ") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func ExampleInventory_Diagnose() {
	var inv secrets.Inventory
	err := inv.Add("pod.yaml", []byte(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  imagePullSecrets: [{name: regcred}]
  containers: [{name: app, image: "quay.io/shop/web:latest"}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d := inv.Diagnose(nil)
	c := d.Pods[0].Containers[0]
	fmt.Println(c.Name, c.PullPolicy, c.Prediction)
	for _, p := range c.Problems {
		fmt.Println(p.Severity+":", p.Message)
	}
	// Output:
	// app Always unknown
	// error: secret shop/regcred is not in the input: the kubelet skips a missing secret, and the pull may fail
	// warning: no credential matches quay.io/shop/web; a missing secret may hold one
}

// TestDiagnosisJSONNamedTypes: the named string types of a diagnosis encode
// as their plain string values, as the untyped strings did.
func TestDiagnosisJSONNamedTypes(t *testing.T) {
	t.Parallel()
	pd := secrets.PodDiagnosis{
		PullSecretsFrom: secrets.PullSecretsFromServiceAccount,
		Containers: []*secrets.ContainerDiagnosis{{
			Type: secrets.ContainerInit, Prediction: secrets.PredictAnonymous,
			Problems: []secrets.Problem{{Severity: secrets.SeverityWarning, Message: "m"}},
		}},
	}
	b, err := json.Marshal(pd)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"pullSecretsFrom":"serviceaccount"`, `"type":"init"`, `"prediction":"anonymous"`, `"severity":"warning"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if b, _ := json.Marshal(secrets.PodDiagnosis{}); strings.Contains(string(b), `"pullSecretsFrom"`) {
		t.Errorf("no pull secrets: %s", b)
	}
}

// TestDiagnoseInternalRegistry: a pull from another project of OpenShift's
// internal registry needs that project's system:image-puller grant to the
// identity the registry sees (the pod's ServiceAccount with its generated
// dockercfg secret, else anonymous).
func TestDiagnoseInternalRegistry(t *testing.T) {
	t.Parallel()
	pods, err := os.ReadFile("testdata/diagnose/internal-pods.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const fix = "pullsecret grant-pull -n project-b system:serviceaccount:project-a:default"
	type want map[string]secrets.Prediction // "pod/container" -> prediction
	tests := []struct {
		bindings string // file under testdata/diagnose, "" for none
		want     want
		// a message of app/cross that must be there
		message string
	}{
		{"", want{"app/cross": secrets.PredictUnknown, "app/same": secrets.PredictOK, "app/route": secrets.PredictUnknown, "app/fqdn": secrets.PredictUnknown, "anon/cross": secrets.PredictUnknown}, fix},
		{"granted-group.yaml", want{"app/cross": secrets.PredictOK, "app/same": secrets.PredictOK, "app/route": secrets.PredictOK, "app/fqdn": secrets.PredictOK, "anon/cross": secrets.PredictFail}, "RoleBinding project-b/system:image-puller"},
		{"granted-other.yaml", want{"app/cross": secrets.PredictFail, "app/same": secrets.PredictOK, "app/route": secrets.PredictFail, "app/fqdn": secrets.PredictFail, "anon/cross": secrets.PredictFail}, fix},
		{"granted-cluster.yaml", want{"app/cross": secrets.PredictOK, "app/same": secrets.PredictOK, "app/route": secrets.PredictOK, "app/fqdn": secrets.PredictOK, "anon/cross": secrets.PredictUnknown}, "ClusterRoleBinding everyone-pulls"},
		{"granted-edit.yaml", want{"app/cross": secrets.PredictUnknown, "app/same": secrets.PredictOK, "app/route": secrets.PredictUnknown, "app/fqdn": secrets.PredictUnknown, "anon/cross": secrets.PredictFail}, "ClusterRole edit"},
		{"granted-anonymous.yaml", want{"app/cross": secrets.PredictFail, "app/same": secrets.PredictOK, "app/route": secrets.PredictFail, "app/fqdn": secrets.PredictFail, "anon/cross": secrets.PredictAnonymous}, fix},
	}
	for _, tt := range tests {
		t.Run(tt.bindings, func(t *testing.T) {
			t.Parallel()
			var inv secrets.Inventory
			if err := inv.Add("internal-pods.yaml", pods); err != nil {
				t.Fatal(err)
			}
			if tt.bindings != "" {
				data, err := os.ReadFile("testdata/diagnose/" + tt.bindings)
				if err != nil {
					t.Fatal(err)
				}
				if err := inv.Add(tt.bindings, data); err != nil {
					t.Fatal(err)
				}
			}
			d := inv.Diagnose(nil)
			got := want{}
			var messages []string
			for _, p := range d.Pods {
				for _, c := range p.Containers {
					got[p.Name+"/"+c.Name] = c.Prediction
					if p.Name+"/"+c.Name == "app/cross" {
						for _, pr := range c.Problems {
							messages = append(messages, string(pr.Severity)+": "+pr.Message)
						}
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("predictions (-want +got):\n%s", diff)
			}
			if !strings.Contains(strings.Join(messages, "\n"), tt.message) {
				t.Errorf("app/cross problems lack %q:\n%s", tt.message, strings.Join(messages, "\n"))
			}
		})
	}
}
