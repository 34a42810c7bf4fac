// Command demohelper is a docker credential helper for demos and tests. Install
// it as docker-credential-<name> on PATH and point $PULLSECRET_DEMO_STORE at a
// JSON store file:
//
//	{"credentials": {"localhost:5000": {"username": "demo", "secret": "..."}}}
//
// It implements get, store, erase, list and version through
// docker-credential-helpers' credentials.Serve; see package
// internal/credhelpertest for the store format.
package main

import "github.com/pullsecret/pullsecret/internal/credhelpertest"

func main() { credhelpertest.Main() }
