// Command etcd: the published etcd server module, started through its own entry point
// (go.etcd.io/etcd/server/v3/etcdmain.Main, which the etcd repository's main.go calls too).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
