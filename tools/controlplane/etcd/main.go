// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3), built
// from the module proxy for the project's tests. It is not part of pullsecret:
// internal/clustertest starts it on loopback as the API server's storage.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
