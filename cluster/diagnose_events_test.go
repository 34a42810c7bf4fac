package cluster_test

import (
	"testing"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/match"
)

// TestClassifyPullMessage: kubelet messages of containerd and CRI-O, as
// they appear in Events and waiting states, and their classes.
func TestClassifyPullMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		message string
		want    match.Verdict
	}{
		{`Failed to pull image "quay.io/a/b:1": rpc error: code = Unknown desc = failed to pull and unpack image "quay.io/a/b:1": failed to resolve reference "quay.io/a/b:1": unexpected status from HEAD request to https://quay.io/v2/a/b/manifests/1: 401 UNAUTHORIZED`, match.VerdictUnauthorized},
		{`Failed to pull image "registry.example.com/x:1": reading manifest 1 in registry.example.com/x: unauthorized: authentication required`, match.VerdictUnauthorized},
		{`Failed to pull image "quay.io/a/b:2": rpc error: code = NotFound desc = failed to pull and unpack image "quay.io/a/b:2": failed to resolve reference "quay.io/a/b:2": quay.io/a/b:2: not found`, match.VerdictNotFound},
		{`Failed to pull image "r.io/x:1": reading manifest 1 in r.io/x: manifest unknown`, match.VerdictNotFound},
		{`Failed to pull image "docker.io/library/nginx:1": toomanyrequests: You have reached your pull rate limit.`, match.VerdictRateLimited},
		{`Failed to pull image "r.io/x:1": reading manifest 1 in r.io/x: denied: requested access to the resource is denied`, match.VerdictForbidden},
		{`Failed to pull image "r.io/x:1": pinging container registry r.io: Get "https://r.io/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`, match.VerdictTLS},
		{`Failed to pull image "r.io/x:1": dial tcp: lookup r.io on 10.0.0.10:53: no such host`, match.VerdictNetwork},
		{`Failed to pull image "r.io/x:1": dial tcp 10.1.2.3:443: i/o timeout`, match.VerdictTimeout},
		{`Back-off pulling image "r.io/x:1"`, ""},
		{`Error: ErrImagePull`, ""},
	}
	for _, tt := range tests {
		if got := cluster.ClassifyPullMessage(tt.message); got != tt.want {
			t.Errorf("ClassifyPullMessage(%q) = %q, want %q", tt.message, got, tt.want)
		}
	}
}

// TestParseTarget: kubectl's TYPE/NAME forms.
func TestParseTarget(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]cluster.Target{
		"pod/a": {Kind: "Pod", Name: "a"}, "po/a": {Kind: "Pod", Name: "a"}, "deploy/web": {Kind: "Deployment", Name: "web"},
		"deployments.apps/web": {Kind: "Deployment", Name: "web"}, "sts/db": {Kind: "StatefulSet", Name: "db"},
		"ds/x": {Kind: "DaemonSet", Name: "x"}, "rs/x": {Kind: "ReplicaSet", Name: "x"}, "job/x": {Kind: "Job", Name: "x"},
		"cj/x": {Kind: "CronJob", Name: "x"}, "CronJob/x": {Kind: "CronJob", Name: "x"},
	} {
		got, err := cluster.ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"secret/a", "pod/", "web", "pod/Not_Valid", "svc/x"} {
		if _, err := cluster.ParseTarget(in); err == nil {
			t.Errorf("ParseTarget(%q): no error", in)
		}
	}
}
