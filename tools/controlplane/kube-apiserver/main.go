// Command kube-apiserver is the upstream Kubernetes API server (k8s.io/kubernetes
// v1.37.2), built from the module proxy for the project's tests. It is not part
// of pullsecret: internal/clustertest starts it on loopback.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
