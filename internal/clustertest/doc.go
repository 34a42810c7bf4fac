// Package clustertest runs a real Kubernetes control plane on loopback for
// tests: an etcd server and a kube-apiserver v1.37, both upstream code built
// from the module proxy by the separate tool module tools/controlplane
// (`make controlplane`, which `make test` runs; the binaries land in
// bin/controlplane). No fake clientset: server-side apply, field managers,
// resourceVersion conflicts, admission and RBAC are the API server's own.
//
// # One control plane per test package
//
// A package that uses it declares
//
//	func TestMain(m *testing.M) { clustertest.Main(m) }
//
// and each test calls Start(t), which returns the package's shared Env
// (started on first use, stopped when the package's tests end). Tests
// isolate themselves with Env.Namespace, a fresh namespace each call. A test
// that needs a control plane of its own (one that sees only its own
// namespaces, e.g. for an all-namespaces listing) calls StartDedicated,
// stopped at the end of that test.
//
// # Restarting the API server
//
// Env.RestartAPIServer (only for a StartDedicated Env) stops kube-apiserver
// with SIGTERM, waits for it to exit, starts it again with the same flags,
// port, certificates and tokens against the same etcd, and waits for
// /readyz: objects and grants survive, existing clients reconnect by
// themselves. Env.RestartAPIServerErr does the same from a goroutine other
// than the test's (a RoundTripper that restarts the server after N
// requests, so that a fault comes at a given count, not at a time).
//
// # Identities
//
// Authentication is by static bearer tokens (--token-auth-file):
//
//   - Admin ("admin", group system:masters): may do everything, including
//     impersonation.
//   - the users in Users ("alice" in group "team-a", "bob" in group
//     "team-b"): no rights at all until a test grants some with Env.Grant.
//
// Authorization is RBAC only (--authorization-mode=RBAC). Env.AdminConfig and
// Env.UserConfig give client-go configurations (client-side rate limiting
// off, the serving CA trusted); Env.Kubeconfig writes a kubeconfig file for
// one identity and namespace, as a user of kubectl or pullsecret would have.
//
// # What is not there
//
// No controller-manager, scheduler or kubelet runs: a namespace gets no
// ServiceAccount token Secrets, nothing is garbage-collected, a deleted
// namespace stays Terminating, pods stay Pending and no Events are recorded
// by anyone but the tests. Env.Namespace creates the "default"
// ServiceAccount itself, as the controller-manager would, so that pods can be
// created (the ServiceAccount admission plugin requires it).
//
// # Binaries
//
// Start looks for etcd and kube-apiserver in $PULLSECRET_CONTROLPLANE_BIN,
// else in bin/controlplane of the repository. When they are missing the test
// is skipped, unless PULLSECRET_REQUIRE_CLUSTER is set (as .ci/run does):
// then it fails. Any other start-up failure fails the test, with the tail of
// the servers' log; the full logs stay in the directory named in the failure
// message.
//
// Both servers run in their own process group on 127.0.0.1 with ports picked
// free at start, etcd with --unsafe-no-fsync on a temporary data directory.
// On Linux they are killed when the test binary dies (Pdeathsig), so a
// panicking or timed-out test leaves nothing running.
//
// # Outside tests
//
// New starts the same control plane for a program (internal/democluster
// behind `make demo-cluster`, the live part of `make demo`) and Env.Stop
// stops it; a missing binary is an error wrapping ErrNoBinaries.
// Env.WriteKubeconfig writes an identity's kubeconfig to a chosen path.
package clustertest
