package clustertest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Identities known to every control plane (see the package documentation).
const (
	// Admin is in group system:masters: every right, impersonation included.
	Admin = "admin"
	// Alice has no rights until granted; she is in group AliceGroup.
	Alice = "alice"
	// Bob has no rights until granted; he is in group BobGroup.
	Bob = "bob"

	AliceGroup = "team-a"
	BobGroup   = "team-b"
)

// ImagePullerRole is OpenShift's ClusterRole for pulling from the internal
// registry, which every control plane of this package has as OpenShift
// defines it (get imagestreams/layers), so that RoleBindings to it resolve
// as on OpenShift: a user may bind it only with those rights or "bind".
const ImagePullerRole = "system:image-puller"

// imagePullerRole is OpenShift's system:image-puller.
func imagePullerRole() *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: ImagePullerRole},
		Rules: []rbacv1.PolicyRule{{
			Verbs: []string{"get"}, APIGroups: []string{"", "image.openshift.io"}, Resources: []string{"imagestreams/layers"},
		}},
	}
}

// Users are the identities with no rights until granted.
var Users = []string{Alice, Bob}

// Environment variables read by Start and StartDedicated.
const (
	// BinEnv names a directory holding etcd and kube-apiserver; default:
	// bin/controlplane in the repository.
	BinEnv = "PULLSECRET_CONTROLPLANE_BIN"
	// RequireEnv, when non-empty, makes missing binaries a failure instead
	// of a skip.
	RequireEnv = "PULLSECRET_REQUIRE_CLUSTER"
)

// Env is a running control plane.
type Env struct {
	cp        *controlPlane
	admin     *kubernetes.Clientset
	dedicated bool       // made by StartDedicated: RestartAPIServer may stop it
	restartMu sync.Mutex // one restart at a time
	restarts  int
}

// shared is the package's control plane, started by the first Start and
// stopped by Main.
var shared struct {
	inMain bool
	once   sync.Once
	env    *Env
	err    error
	failed atomic.Bool // a test using it failed: keep the logs
}

// Main runs the package's tests through Run and exits with their result. A
// package whose tests call Start uses it (or Run) as its TestMain:
//
//	func TestMain(m *testing.M) { clustertest.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the package's tests (m.Run), then stops the shared control plane
// if one was started, and returns m.Run's exit code. It is for a TestMain
// that does more than Main:
//
//	func TestMain(m *testing.M) {
//		code := clustertest.Run(m)
//		cleanUpOtherThings()
//		os.Exit(code)
//	}
//
// When a test failed, the servers' logs are kept and their directory is
// printed on stderr.
func Run(m *testing.M) int {
	shared.inMain = true
	code := m.Run()
	if env := shared.env; env != nil {
		keep := code != 0 || shared.failed.Load()
		env.cp.stop(keep)
		if keep {
			fmt.Fprintf(os.Stderr, "clustertest: control plane logs kept in %s\n", env.cp.dir)
		}
	}
	return code
}

// Start returns the package's shared control plane, starting it on first use
// (the wait for readiness is bounded by a generous deadline). It skips the
// test when the binaries are missing, unless $PULLSECRET_REQUIRE_CLUSTER is
// set, and fails it when the control plane cannot start. The package must run
// its tests through Main.
func Start(t testing.TB) *Env {
	t.Helper()
	if !shared.inMain {
		t.Fatal("clustertest.Start needs the package's tests to run through clustertest.Main or Run: " +
			"add func TestMain(m *testing.M) { clustertest.Main(m) }")
	}
	bins := findBinaries(t)
	shared.once.Do(func() {
		shared.env, shared.err = newEnv(bins)
	})
	if shared.err != nil {
		shared.failed.Store(true)
		t.Fatalf("start control plane: %v", shared.err)
	}
	env := shared.env
	t.Cleanup(func() {
		if t.Failed() {
			shared.failed.Store(true)
			t.Logf("control plane at %s; logs in %s\n%s", env.cp.host, env.cp.dir, env.cp.logTail(20))
		}
	})
	return env
}

// StartDedicated starts a control plane for this test alone, stopped when the
// test ends (its logs are kept when the test failed). Use it when a test must
// see no other test's namespaces; otherwise prefer Start, which is shared.
func StartDedicated(t testing.TB) *Env {
	t.Helper()
	env, err := newEnv(findBinaries(t))
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	env.dedicated = true
	t.Cleanup(func() {
		env.cp.stop(t.Failed())
		if t.Failed() {
			t.Logf("control plane logs kept in %s\n%s", env.cp.dir, env.cp.logTail(20))
		}
	})
	return env
}

// newEnv starts a control plane from bins.
func newEnv(bins binaries) (*Env, error) {
	cp, err := startControlPlane(bins)
	if err != nil {
		if cp != nil {
			cp.stop(true)
			return nil, fmt.Errorf("%w\nlogs in %s\n%s", err, cp.dir, cp.logTail(30))
		}
		return nil, err
	}
	env := &Env{cp: cp}
	env.admin, err = kubernetes.NewForConfig(env.AdminConfig())
	if err != nil {
		cp.stop(true)
		return nil, fmt.Errorf("admin client: %w", err)
	}
	if _, err := env.admin.RbacV1().ClusterRoles().Create(context.Background(), imagePullerRole(), metav1.CreateOptions{}); err != nil {
		cp.stop(true)
		return nil, fmt.Errorf("create clusterrole %s: %w", ImagePullerRole, err)
	}
	return env, nil
}

// New starts a control plane outside a test (make demo-cluster, a demo):
// etcd and kube-apiserver from binDir, or when binDir is "" from
// $PULLSECRET_CONTROLPLANE_BIN or bin/controlplane of the repository. The
// caller must call Stop. A missing binary is an error wrapping ErrNoBinaries.
func New(binDir string) (*Env, error) {
	bins, err := lookBinaries(binDir)
	if err != nil {
		return nil, err
	}
	return newEnv(bins)
}

// RestartAPIServer stops the kube-apiserver of an Env made by
// StartDedicated (SIGTERM, then waits for it to exit), starts it again with
// the same flags, port, certificates and tokens against the same etcd, and
// returns once it answers /readyz. Objects survive (they live in etcd);
// clients made before keep working: their next request opens a new
// connection to the same address, while requests in flight during the
// restart fail (connection refused or reset, or an error the draining
// server sends). It fails t for a shared Env (Start): other tests use that
// one. It may be called from any goroutine, but then t.Fatal is not
// allowed: use RestartAPIServerErr there.
func (e *Env) RestartAPIServer(t testing.TB) {
	t.Helper()
	if err := e.RestartAPIServerErr(); err != nil {
		t.Fatal(err)
	}
}

// RestartAPIServerErr is RestartAPIServer returning its error, for a caller
// that is not the test goroutine (a RoundTripper restarting the server
// after N requests).
func (e *Env) RestartAPIServerErr() error {
	if !e.dedicated {
		return errors.New("clustertest: RestartAPIServer needs an Env from StartDedicated (the shared one serves other tests)")
	}
	e.restartMu.Lock()
	defer e.restartMu.Unlock()
	e.restarts++
	return e.cp.restartAPIServer(e.restarts)
}

// Stop kills the servers of an Env made by New and removes their directory.
func (e *Env) Stop() { e.cp.stop(false) }

// lookBinaries finds etcd and kube-apiserver in dir (see New for the
// default) and says which is missing.
func lookBinaries(dir string) (binaries, error) {
	if dir == "" {
		dir = os.Getenv(BinEnv)
	}
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return binaries{}, fmt.Errorf("find the repository for bin/controlplane: %w (or set %s)", err, BinEnv)
		}
		dir = filepath.Join(root, "bin", "controlplane")
	}
	// The servers run in their own directory: a relative path would not do.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return binaries{}, fmt.Errorf("find control plane binaries: %w", err)
	}
	bins := binaries{etcd: filepath.Join(dir, "etcd"), apiserver: filepath.Join(dir, "kube-apiserver")}
	for _, p := range []string{bins.etcd, bins.apiserver} {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return bins, &missingError{path: p}
		}
	}
	return bins, nil
}

// ErrNoBinaries is what an error of New about a missing etcd or
// kube-apiserver executable wraps (errors.Is), for a program that goes on
// without a control plane.
var ErrNoBinaries = errors.New("control plane binary missing")

// missingError is a control plane binary that is not there.
type missingError struct{ path string }

func (e *missingError) Unwrap() error { return ErrNoBinaries }

func (e *missingError) Error() string {
	return fmt.Sprintf("control plane binary %s missing (run `make controlplane`, or set %s)", e.path, BinEnv)
}

// findBinaries locates etcd and kube-apiserver, skipping or failing t when
// they are missing.
func findBinaries(t testing.TB) binaries {
	t.Helper()
	bins, err := lookBinaries("")
	var missing *missingError
	switch {
	case errors.As(err, &missing) && os.Getenv(RequireEnv) == "":
		t.Skip(err)
	case errors.As(err, &missing):
		t.Fatalf("%v and %s is set", err, RequireEnv)
	case err != nil:
		t.Fatal(err)
	}
	return bins
}

// repoRoot walks up from the working directory (a package directory under
// go test) to the directory whose go.mod declares this module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			sc.Scan()
			f.Close()
			if strings.TrimSpace(sc.Text()) == "module github.com/pullsecret/pullsecret" {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module github.com/pullsecret/pullsecret above the working directory")
		}
		dir = parent
	}
}

// Host is the API server's URL, https://127.0.0.1:PORT.
func (e *Env) Host() string { return e.cp.host }

// CAData is the PEM certificate of the CA that signed the serving
// certificate.
func (e *Env) CAData() []byte { return append([]byte(nil), e.cp.pki.caPEM...) }

// CAFile is the path of CAData's file.
func (e *Env) CAFile() string { return e.cp.pki.caFile }

// LogDir is the directory holding the servers' logs (etcd.log,
// kube-apiserver.log).
func (e *Env) LogDir() string { return e.cp.dir }

// AdminConfig is a client configuration for Admin.
func (e *Env) AdminConfig() *rest.Config { return e.UserConfig(Admin) }

// UserConfig is a client configuration for identity (Admin or one of Users)
// with the serving CA trusted and client-side rate limiting off. It panics
// on an unknown identity.
func (e *Env) UserConfig(identity string) *rest.Config {
	tok, ok := e.cp.tokens[identity]
	if !ok {
		panic(fmt.Sprintf("clustertest: unknown identity %q (have %s and %v)", identity, Admin, Users))
	}
	return &rest.Config{
		Host:            e.cp.host,
		BearerToken:     tok,
		TLSClientConfig: rest.TLSClientConfig{CAData: e.CAData()},
		QPS:             -1, // no client-side rate limiter
		UserAgent:       "pullsecret-clustertest/" + identity,
	}
}

// AdminClient is a clientset for Admin, shared by the Env's users.
func (e *Env) AdminClient() kubernetes.Interface { return e.admin }

// Client is a new clientset for identity.
func (e *Env) Client(t testing.TB, identity string) kubernetes.Interface {
	t.Helper()
	c, err := kubernetes.NewForConfig(e.UserConfig(identity))
	if err != nil {
		t.Fatalf("client for %s: %v", identity, err)
	}
	return c
}

// Kubeconfig writes a kubeconfig file for identity whose current context has
// the given namespace ("" for none) into a test temporary directory, and
// returns its path. See WriteKubeconfig.
func (e *Env) Kubeconfig(t testing.TB, identity, namespace string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := e.WriteKubeconfig(path, identity, namespace); err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteKubeconfig writes a kubeconfig file for identity (Admin or one of
// Users) to path: one cluster with the server and its CA, one user with the
// identity's token, and one context, current, with the namespace ("" for
// none).
func (e *Env) WriteKubeconfig(path, identity, namespace string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["clustertest"] = &clientcmdapi.Cluster{
		Server:                   e.cp.host,
		CertificateAuthorityData: e.CAData(),
	}
	cfg.AuthInfos[identity] = &clientcmdapi.AuthInfo{Token: e.UserConfig(identity).BearerToken}
	cfg.Contexts[identity] = &clientcmdapi.Context{Cluster: "clustertest", AuthInfo: identity, Namespace: namespace}
	cfg.CurrentContext = identity
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

// nameUnsafe matches what may not be in a namespace name.
var nameUnsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// Namespace creates a fresh namespace named after the test, with a
// "default" ServiceAccount as the controller-manager would create, and
// returns its name. Namespaces are not deleted (without a controller-manager
// a deleted namespace never finishes terminating); the control plane goes
// away with the package.
func (e *Env) Namespace(t testing.TB) string {
	t.Helper()
	base := strings.Trim(nameUnsafe.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], "-")
	}
	if base == "" {
		base = "test"
	}
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatalf("namespace suffix: %v", err)
	}
	name := base + "-" + hex.EncodeToString(suffix)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := e.admin.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	if _, err := e.admin.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create serviceaccount default in %s: %v", name, err)
	}
	return name
}

// Grant gives user the verbs on the resources in namespace ns (cluster-wide
// when ns is ""), through a new Role and RoleBinding (ClusterRole and
// ClusterRoleBinding), and returns once the authorizer allows every
// combination. A resource is "secrets" for the core group,
// "rolebindings.rbac.authorization.k8s.io" (resource.group) for another, and
// may name a subresource ("pods/log", "imagestreams/layers.image.openshift.io"). The
// user need not be one of Users: any user name (or
// "system:serviceaccount:NS:NAME") works for impersonation tests.
func (e *Env) Grant(t testing.TB, user, ns string, verbs, resources []string) {
	t.Helper()
	ctx := context.Background()
	var rules []rbacv1.PolicyRule
	for _, r := range resources {
		res, group, _ := strings.Cut(r, ".")
		rules = append(rules, rbacv1.PolicyRule{Verbs: verbs, APIGroups: []string{group}, Resources: []string{res}})
	}
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatalf("grant name suffix: %v", err)
	}
	name := "clustertest-grant-" + hex.EncodeToString(suffix)
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}
	meta := metav1.ObjectMeta{Name: name}
	rbac := e.admin.RbacV1()
	var err error
	if ns == "" {
		_, err = rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{})
		if err == nil {
			_, err = rbac.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: meta, Subjects: []rbacv1.Subject{subject},
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
			}, metav1.CreateOptions{})
		}
	} else {
		_, err = rbac.Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{})
		if err == nil {
			_, err = rbac.RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: meta, Subjects: []rbacv1.Subject{subject},
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
			}, metav1.CreateOptions{})
		}
	}
	if err != nil {
		t.Fatalf("grant %v on %v in %q to %s: %v", verbs, resources, ns, user, err)
	}
	for _, r := range resources {
		res, group, _ := strings.Cut(r, ".")
		res, sub, _ := strings.Cut(res, "/")
		for _, verb := range verbs {
			e.waitAllowed(t, user, ns, verb, group, res, sub)
		}
	}
}

// waitAllowed polls SubjectAccessReviews until the authorizer, whose RBAC
// view follows the API by a watch, allows the access just granted.
func (e *Env) waitAllowed(t testing.TB, user, ns, verb, group, resource, subresource string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: ns, Verb: verb, Group: group, Resource: resource, Subresource: subresource,
		},
	}}
	for {
		got, err := e.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err == nil && got.Status.Allowed {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("grant %s %s.%s in %q to %s: not effective (last error %v)", verb, resource, group, ns, user, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
