package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/internal/registrytest"
)

// exitNets are the registries the exit-code table runs against: one that
// works, one that answers nothing in time, ones whose ping answers 401
// without a challenge, 403 and 404, plus a port nothing listens on and a host
// name that never resolves (.onion names are refused by the resolver
// without a DNS query, RFC 7686, so the test stays on loopback).
type exitNets struct {
	ok, slow, ping401, ping403, ping404 *registrytest.Env
	closed                              string // registry.test:PORT, nothing listening
	closedResolve                       string // --resolve for closed
	dns                                 string // a host that does not resolve
	files                               exitFiles
}

// exitFiles are the input files of the table.
type exitFiles struct {
	alice, wrong, other, garbage, helperMissing, empty, sa string
}

func newExitNets(t *testing.T) *exitNets {
	t.Helper()
	n := &exitNets{ok: testPullEnv(t), slow: testPullEnv(t), ping401: testPullEnv(t), ping403: testPullEnv(t), ping404: testPullEnv(t)}
	// Every request to the slow registry waits (until the client gives up).
	n.slow.SetFault(registrytest.HostRegistry, registrytest.Fault{Delay: time.Minute})
	n.ping401.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 401})
	n.ping403.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 403})
	n.ping404.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 404})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	n.closed = "registry.test:" + port
	n.closedResolve = n.closed + ":127.0.0.1"
	n.dns = "unreachable.onion"
	host := n.ok.RegistryHost
	n.files = exitFiles{
		alice:         writeFile(t, "alice.json", authConfig(host, "alice", tpAlicePass)),
		wrong:         writeFile(t, "wrong.json", authConfig(host, "alice", tpWrongPass)),
		other:         writeFile(t, "other.json", authConfig("other.example", "bob", "bob-Pass-3")),
		garbage:       writeFile(t, "garbage.json", "{not json"),
		helperMissing: writeFile(t, "helper.json", `{"auths":{},"credsStore":"missing-helper-xyz"}`),
		empty:         writeFile(t, "empty.json", `{"auths":{}}`),
		sa:            writeFile(t, "sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n  namespace: shop\n"),
	}
	return n
}

// TestExitCodes runs every command against every outcome the exit-code
// table of docs/exit-codes.md names, in process, and checks the code and
// that a failure is one line on stderr.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	n := newExitNets(t)
	f := n.files
	ok, slow := n.ok, n.slow
	withNet := func(env *registrytest.Env, args ...string) []string { return append(args, netArgs(env, true)...) }
	noCA := func(env *registrytest.Env, args ...string) []string { return append(args, netArgs(env, false)...) }
	closed := func(args ...string) []string { return append(args, "--resolve", n.closedResolve) }
	fast := []string{"--timeout", "300ms"}
	img := func(env *registrytest.Env, repo string) string { return env.RegistryHost + "/" + repo }
	emptyHome := map[string]string{"HOME": "/nonexistent-home-for-test", "PATH": "/nonexistent-path-for-test"}
	const pw = tpAlicePass + "\n"

	tests := []struct {
		name  string
		args  []string
		stdin string
		env   map[string]string
		want  int
	}{
		// Every command: usage errors.
		{name: "unknown command", args: []string{"frobnicate"}, want: exitUsage},
		{name: "create/usage", args: []string{"create"}, want: exitUsage},
		{name: "convert/usage", args: []string{"convert", "a", "b"}, want: exitUsage},
		{name: "inspect/usage", args: []string{"inspect", "-o", "table"}, want: exitUsage},
		{name: "match/usage", args: []string{"match"}, want: exitUsage},
		{name: "test-pull/usage", args: []string{"test-pull"}, want: exitUsage},
		{name: "resolve/usage", args: []string{"resolve"}, want: exitUsage},
		{name: "diagnose/usage", args: []string{"diagnose"}, want: exitUsage},
		{name: "delegated/usage", args: []string{"delegated", "-u", "a", "--password-stdin"}, stdin: pw, want: exitUsage},
		{name: "login/usage", args: []string{"login"}, want: exitUsage},
		{name: "logout/usage", args: []string{"logout"}, want: exitUsage},
		{name: "merge/usage", args: []string{"merge", "--prefer", "middle", "--authfile", f.alice}, want: exitUsage},
		{name: "link/usage", args: []string{"link"}, want: exitUsage},
		{name: "unlink/usage", args: []string{"unlink", "--for", "nothing", "sa", "s"}, want: exitUsage},
		{name: "grant-pull/usage", args: []string{"grant-pull", "--bogus-flag"}, want: exitUsage},

		// Commands without network.
		{name: "create/success", args: []string{"create", "regcred", "--docker-server", "quay.io", "-u", "a", "--password-stdin"}, stdin: "pw", want: exitOK},
		{name: "create/bad input", args: []string{"create", "Bad_Name", "--docker-server", "quay.io", "-u", "a", "--password-stdin"}, stdin: "pw", want: exitError},
		{name: "create/bad input file", args: []string{"create", "regcred", "--from-file", ".dockerconfigjson=" + f.garbage}, want: exitError},
		{name: "convert/success", args: []string{"convert", "regcred", "--authfile", f.alice}, want: exitOK},
		{name: "convert/bad input file", args: []string{"convert", "regcred", "--authfile", f.garbage}, want: exitError},
		{name: "convert/helper missing", args: []string{"convert", "regcred", "--authfile", f.helperMissing}, env: emptyHome, want: exitNoCredentials},
		{name: "convert/empty result", args: []string{"convert", "regcred", "--authfile", f.empty}, want: exitNoCredentials},
		{name: "convert/no credential file", args: []string{"convert", "regcred"}, env: emptyHome, want: exitNoCredentials},
		{name: "inspect/success", args: []string{"inspect", "--authfile", f.alice}, want: exitOK},
		{name: "inspect/bad input file", args: []string{"inspect", "--authfile", f.garbage}, want: exitError},
		{name: "inspect/missing file", args: []string{"inspect", "--authfile", f.alice + ".missing"}, want: exitError},
		{name: "inspect/no credential file", args: []string{"inspect"}, env: emptyHome, want: exitNoCredentials},
		{name: "inspect/strict with warnings", args: []string{"inspect", "--strict", "--authfile", writeFile(t, "hub.json", authConfig("Quay.IO:443", "a", "b"))}, want: exitError},
		{name: "match/success", args: []string{"match", img(ok, "team/app:1"), "--authfile", f.alice}, want: exitOK},
		{name: "match/no match", args: []string{"match", img(ok, "team/app:1"), "--authfile", f.other}, want: exitNoCredentials},
		{name: "match/no match json", args: []string{"match", img(ok, "team/app:1"), "--authfile", f.other, "-o", "json"}, want: exitNoCredentials},
		{name: "match/invalid reference", args: []string{"match", "UPPER/Case:tag", "--authfile", f.alice}, want: exitError},
		{name: "match/bad input file", args: []string{"match", "nginx", "--authfile", f.garbage}, want: exitError},
		{name: "match/no credential file", args: []string{"match", "nginx"}, env: emptyHome, want: exitNoCredentials},
		{name: "diagnose/success", args: []string{"diagnose", "-f", diagFile("deploy-sa.yaml")}, want: exitOK},
		{name: "diagnose/predicted failure", args: []string{"diagnose", "-f", diagFile("malformed.yaml")}, want: exitError},
		{name: "diagnose/bad input file", args: []string{"diagnose", "-f", f.garbage}, want: exitError},
		{name: "diagnose/missing file", args: []string{"diagnose", "-f", f.garbage + ".missing"}, want: exitError},
		{name: "logout/success", args: []string{"logout", ok.RegistryHost, "--from", writeFile(t, "lo.json", authConfig(ok.RegistryHost, "a", "b"))}, want: exitOK},
		{name: "logout/no entry", args: []string{"logout", "quay.io", "--from", writeFile(t, "lo2.json", authConfig(ok.RegistryHost, "a", "b"))}, want: exitError},
		{name: "logout/bad input file", args: []string{"logout", "quay.io", "--from", f.garbage}, want: exitError},
		{name: "login/success", args: []string{"login", "quay.io", "--to", writeFile(t, "li.json", `{}`), "-u", "a", "--password-stdin"}, stdin: "pw", want: exitOK},
		{name: "login/bad input file", args: []string{"login", "quay.io", "--to", f.garbage, "-u", "a", "--password-stdin"}, stdin: "pw", want: exitError},
		{name: "merge/success", args: []string{"merge", "--authfile", f.alice}, want: exitOK},
		{name: "link/success", args: []string{"link", "builder", "regcred"}, want: exitOK},
		{name: "link/bad input", args: []string{"link", "builder", "regcred", "-f", f.garbage}, want: exitError},
		{name: "unlink/success", args: []string{"unlink", "builder", "regcred", "-f", f.sa}, want: exitOK},
		{name: "grant-pull/success", args: []string{"grant-pull", "-n", "shop", "system:serviceaccount:ci:builder"}, want: exitOK},
		{name: "grant-pull/bad input", args: []string{"grant-pull", "-n", "Bad_NS", "alice"}, want: exitError},

		// test-pull: every verdict.
		{name: "test-pull/success", args: withNet(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.alice), want: exitOK},
		{name: "test-pull/anonymous public", args: withNet(ok, "test-pull", img(ok, "public/app:1"), "--authfile", f.other), want: exitOK},
		{name: "test-pull/invalid reference", args: withNet(ok, "test-pull", "UPPER/Case:tag", "--authfile", f.alice), want: exitError},
		{name: "test-pull/bad input file", args: withNet(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.garbage), want: exitError},
		{name: "test-pull/no credentials", args: withNet(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.other), want: exitNoCredentials},
		{name: "test-pull/helper missing", args: withNet(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.helperMissing), env: emptyHome, want: exitNoCredentials},
		{name: "test-pull/unauthorized", args: withNet(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.wrong), want: exitRejected},
		{name: "test-pull/forbidden", args: withNet(ok, "test-pull", img(ok, "other/app:1"), "--authfile", f.alice), want: exitRejected},
		{name: "test-pull/not found", args: withNet(ok, "test-pull", img(ok, "team/app:2"), "--authfile", f.alice), want: exitError},
		{name: "test-pull/network", args: closed("test-pull", n.closed+"/team/app:1", "--authfile", f.other), want: exitNetwork},
		{name: "test-pull/dns", args: []string{"test-pull", n.dns + "/team/app:1", "--authfile", f.other}, want: exitNetwork},
		{name: "test-pull/tls", args: noCA(ok, "test-pull", img(ok, "team/app:1"), "--authfile", f.alice), want: exitNetwork},
		{name: "test-pull/timeout", args: withNet(slow, append([]string{"test-pull", img(slow, "team/app:1"), "--authfile", f.other}, fast...)...), want: exitNetwork},

		// resolve: the same outcomes.
		{name: "resolve/success", args: withNet(ok, "resolve", img(ok, "team/app:1"), "--authfile", f.alice), want: exitOK},
		{name: "resolve/invalid reference", args: withNet(ok, "resolve", "UPPER/Case:tag", "--authfile", f.alice), want: exitError},
		{name: "resolve/bad input file", args: withNet(ok, "resolve", img(ok, "team/app:1"), "--authfile", f.garbage), want: exitError},
		{name: "resolve/missing image list", args: withNet(ok, "resolve", "-f", f.garbage+".missing", "--authfile", f.alice), want: exitError},
		{name: "resolve/no credentials", args: withNet(ok, "resolve", img(ok, "team/app:1"), "--authfile", f.other), want: exitNoCredentials},
		{name: "resolve/unauthorized", args: withNet(ok, "resolve", img(ok, "team/app:1"), "--authfile", f.wrong), want: exitRejected},
		{name: "resolve/forbidden", args: withNet(ok, "resolve", img(ok, "other/app:1"), "--authfile", f.alice), want: exitRejected},
		{name: "resolve/not found", args: withNet(ok, "resolve", img(ok, "team/app:2"), "--authfile", f.alice), want: exitError},
		{name: "resolve/network", args: closed("resolve", n.closed+"/team/app:1", "--authfile", f.other), want: exitNetwork},
		{name: "resolve/dns", args: []string{"resolve", n.dns + "/team/app:1", "--authfile", f.other}, want: exitNetwork},
		{name: "resolve/tls", args: noCA(ok, "resolve", img(ok, "team/app:1"), "--authfile", f.alice), want: exitNetwork},
		{name: "resolve/timeout", args: withNet(slow, append([]string{"resolve", img(slow, "team/app:1"), "--authfile", f.other}, fast...)...), want: exitNetwork},

		// login --check: the check's outcomes.
		{name: "login --check/success", args: withNet(ok, "login", ok.RegistryHost, "--to", writeFile(t, "c1.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitOK},
		{name: "login --check/unauthorized", args: withNet(ok, "login", ok.RegistryHost, "--to", writeFile(t, "c2.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: tpWrongPass, want: exitRejected},
		{name: "login --check/not found", args: withNet(n.ping404, "login", n.ping404.RegistryHost, "--to", writeFile(t, "c3.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitError},
		{name: "login --check/401 without challenge", args: withNet(n.ping401, "login", n.ping401.RegistryHost, "--to", writeFile(t, "c9.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitError},
		{name: "login --check/forbidden", args: withNet(n.ping403, "login", n.ping403.RegistryHost, "--to", writeFile(t, "c4.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitRejected},
		{name: "login --check/network", args: closed("login", n.closed, "--to", writeFile(t, "c5.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitNetwork},
		{name: "login --check/dns", args: []string{"login", n.dns, "--to", writeFile(t, "c6.json", "{}"), "-u", "alice", "--password-stdin", "--check"}, stdin: pw, want: exitNetwork},
		{name: "login --check/tls", args: noCA(ok, "login", ok.RegistryHost, "--to", writeFile(t, "c7.json", "{}"), "-u", "alice", "--password-stdin", "--check"), stdin: pw, want: exitNetwork},
		{name: "login --check/timeout", args: withNet(slow, append([]string{"login", slow.RegistryHost, "--to", writeFile(t, "c8.json", "{}"), "-u", "alice", "--password-stdin", "--check"}, fast...)...), stdin: pw, want: exitNetwork},

		// delegated: realm discovery.
		{name: "delegated/success", args: withNet(ok, "delegated", "--registry", ok.RegistryHost, "-u", "alice", "--password-stdin"), stdin: pw, want: exitOK},
		{name: "delegated/not found", args: withNet(n.ping404, "delegated", "--registry", n.ping404.RegistryHost, "-u", "alice", "--password-stdin"), stdin: pw, want: exitError},
		// Discovery sends no credentials: a 401 without a challenge is a
		// broken answer, not a rejection.
		{name: "delegated/401 without challenge", args: withNet(n.ping401, "delegated", "--registry", n.ping401.RegistryHost, "-u", "alice", "--password-stdin"), stdin: pw, want: exitError},
		{name: "delegated/forbidden", args: withNet(n.ping403, "delegated", "--registry", n.ping403.RegistryHost, "-u", "alice", "--password-stdin"), stdin: pw, want: exitRejected},
		{name: "delegated/network", args: closed("delegated", "--registry", n.closed, "-u", "alice", "--password-stdin"), stdin: pw, want: exitNetwork},
		{name: "delegated/dns", args: []string{"delegated", "--registry", n.dns, "-u", "alice", "--password-stdin"}, stdin: pw, want: exitNetwork},
		{name: "delegated/tls", args: noCA(ok, "delegated", "--registry", ok.RegistryHost, "-u", "alice", "--password-stdin"), stdin: pw, want: exitNetwork},
		{name: "delegated/timeout", args: withNet(slow, append([]string{"delegated", "--registry", slow.RegistryHost, "-u", "alice", "--password-stdin"}, fast...)...), stdin: pw, want: exitNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := tt.env
			if env == nil {
				// No default credential file is found by accident.
				env = map[string]string{"HOME": t.TempDir()}
			}
			r := runCLI(t, tt.stdin, env, tt.args...)
			if r.code != tt.want {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.want, r.stderr)
			}
			if tt.want == exitOK {
				if lines := strings.Count(r.stderr, "\n"); lines > 1 {
					t.Errorf("stderr has %d lines on success: %q", lines, r.stderr)
				}
				return
			}
			// The failure is one line; warnings before it are lines of their own.
			var lines []string
			for _, l := range strings.SplitAfter(r.stderr, "\n") {
				if l != "" && !strings.HasPrefix(l, "pullsecret: warning: ") {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "pullsecret: ") || !strings.HasSuffix(lines[0], "\n") {
				t.Errorf("the failure is not one line on stderr: %q", r.stderr)
			}
			for _, secret := range []string{tpAlicePass, tpWrongPass, "bob-Pass-3"} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("output leaks %q", secret)
				}
			}
		})
	}
}
