package registrytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	storagedriver "github.com/distribution/distribution/v3/registry/storage/driver"
	storagemiddleware "github.com/distribution/distribution/v3/registry/storage/driver/middleware"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// Register the auth backends and the storage driver used by NewApp.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	"github.com/distribution/distribution/v3/registry/auth/token"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

// Mode selects how the registry authenticates clients.
type Mode int

const (
	// Open serves the registry without any authentication.
	Open Mode = iota
	// Htpasswd protects the registry with HTTP Basic auth backed by a
	// bcrypt htpasswd file. Every known user may pull, push and delete
	// everywhere (the htpasswd backend has no ACL).
	Htpasswd
	// Token protects the registry with Docker token auth: the registry
	// challenges with a Bearer realm served by this package's token server,
	// which grants scopes according to Options.ACL and Options.AnonymousPull.
	Token
)

// String returns "open", "htpasswd" or "token".
func (m Mode) String() string {
	switch m {
	case Open:
		return "open"
	case Htpasswd:
		return "htpasswd"
	case Token:
		return "token"
	default:
		return "Mode(" + strconv.Itoa(int(m)) + ")"
	}
}

// Default host names and values used when the corresponding Options field is
// empty.
const (
	DefaultRegistryName = "registry.test"
	DefaultRealmName    = "sso.test"
	DefaultCDNName      = "cdn.test"
	DefaultIssuer       = "registrytest"
	DefaultRealmPath    = "/token"
	// DefaultSameHostRealmPath is the realm path on the registry's own
	// listener when Options.SameHostRealm is set.
	DefaultSameHostRealmPath = "/auth/token"
	// DefaultTokenExpiry is the expires_in the token server reports.
	DefaultTokenExpiry = 300 * time.Second
)

// AdminUser is the user every Env creates for seeding content (see
// Env.PushRandomImage). It may pull, push and delete every repository and
// list the catalog. Its password is random per Env; use Env.AdminAuth.
const AdminUser = "registrytest-admin"

// Grant gives a user actions on the repositories whose names match Repo.
type Grant struct {
	// Repo is a repository name pattern. "*" matches any run of
	// characters, including "/"; every other character matches itself.
	// So "*" is every repository, "team/*" everything under team/.
	Repo string
	// Actions are the granted actions: "pull", "push", "delete", or "*"
	// for all of them.
	Actions []string
}

// Options configure Start. The zero value serves an Open registry named
// registry.test.
type Options struct {
	// Mode selects the authentication scheme (Open, Htpasswd or Token).
	Mode Mode
	// RegistryName is the host name the registry is served as
	// (default registry.test). The Env routes it to 127.0.0.1.
	RegistryName string
	// RealmName is the host name of the token server (default sso.test).
	// Token mode only.
	RealmName string
	// CDNName is the host name of the redirect target server (default
	// cdn.test).
	CDNName string
	// Service is the token service and JWT audience (default RegistryName).
	Service string
	// Issuer is the JWT issuer (default "registrytest").
	Issuer string
	// Users maps user names to passwords (Htpasswd and Token modes).
	Users map[string]string
	// ACL maps a user name (which must be in Users) to its grants
	// (Token mode). Users without an entry are granted nothing, but still
	// get a token: a partial or empty grant is not an error.
	ACL map[string][]Grant
	// AnonymousPull lists repository patterns (as Grant.Repo) that anyone,
	// authenticated or not, may pull (Token mode).
	AnonymousPull []string
	// TokenExpiry is the lifetime of issued tokens (default 300s). The
	// registry accepts tokens up to 60 s past expiry (its clock leeway).
	TokenExpiry time.Duration
	// PlainHTTPRealm serves the token server over http:// instead of
	// https:// (Token mode; not with SameHostRealm).
	PlainHTTPRealm bool
	// SameHostRealm serves the token endpoint on the registry's own
	// listener at DefaultSameHostRealmPath, so the realm host equals the
	// registry host (Token mode).
	SameHostRealm bool
}

// Env is a running registry, token server and CDN on loopback. Its exported
// fields are set by Start and must not be modified. All methods are safe for
// concurrent use.
type Env struct {
	// Mode is the authentication mode the registry runs in.
	Mode Mode
	// RegistryHost is the registry's "name:port", e.g. "registry.test:41234".
	RegistryHost string
	// RealmHost is the token server's "name:port" ("" unless Token mode).
	// With SameHostRealm it equals RegistryHost.
	RealmHost string
	// RealmURL is the realm the registry's Bearer challenge advertises
	// ("" unless Token mode).
	RealmURL string
	// CDNHost is the "name:port" of the redirect target server.
	CDNHost string
	// Service is the token service name (the JWT audience).
	Service string
	// CAPEM is the PEM certificate of the per-Env CA that signed every
	// server certificate.
	CAPEM []byte
	// CAFile is a file holding CAPEM, inside a temporary directory removed
	// by Close.
	CAFile string

	opts      Options
	dir       string
	ca        *authority
	signer    *signer
	routes    map[string]string // lower-cased "name:port" we serve → 127.0.0.1:port
	adminPass string
	seedKey   string // value of seedHeader marking unrecorded seeding requests

	app      *handlers.App
	driver   storagedriver.StorageDriver
	registry *httptest.Server
	realm    *httptest.Server // nil unless Token mode without SameHostRealm
	cdn      *httptest.Server

	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	requests []*Request
	leaks    []string
	faults   map[Host][]*faultState
	refresh  map[string]refreshGrant // refresh token → grant
}

// seedHeader marks requests made by the Env's own seeding helpers; they are
// neither recorded nor subject to faults.
const seedHeader = "X-Registrytest-Seed"

// captureMiddleware is the name under which we register a storage
// middleware that hands the registry's storage driver back to the Env.
const captureMiddleware = "registrytest-capture"

// driverBox receives the storage driver of one App.
type driverBox struct {
	driver storagedriver.StorageDriver
}

// processSetup performs the process-wide setup the Distribution library
// forces on us, once: its logrus standard logger is silenced (the registry
// and its token verifier log through the global logrus logger, and the
// per-request logger context key is internal), and a storage middleware is
// registered (the middleware registry is a global map) that hands each
// App's storage driver back through its per-App options.
var processSetup = sync.OnceValue(func() error {
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.ErrorLevel)
	return storagemiddleware.Register(captureMiddleware, func(_ context.Context, d storagedriver.StorageDriver, options map[string]any) (storagedriver.StorageDriver, error) {
		box, ok := options["box"].(*driverBox)
		if !ok {
			return nil, errors.New("registrytest capture middleware: missing driver box")
		}
		box.driver = d
		return d, nil
	})
})

// New starts an Env for a test and closes it in t.Cleanup. It calls
// t.Fatal if the Env cannot start.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	env, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start registrytest env: %v", err)
	}
	t.Cleanup(env.Close)
	return env
}

// Start runs a Distribution registry (in-memory storage), and in Token mode
// a token server, each on its own 127.0.0.1 listener served under a host
// name with TLS from a fresh CA. ctx bounds the start-up only; the Env runs
// until Close. Start may be called many times in one process.
func Start(ctx context.Context, opts Options) (env *Env, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start registrytest env: %w", err)
	}
	if err := processSetup(); err != nil {
		return nil, fmt.Errorf("start registrytest env: %w", err)
	}
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("start registrytest env: %w", err)
	}

	e := &Env{
		Mode:    opts.Mode,
		opts:    opts,
		routes:  map[string]string{},
		closing: make(chan struct{}),
		faults:  map[Host][]*faultState{},
		refresh: map[string]refreshGrant{},
	}
	defer func() {
		if err != nil {
			e.Close()
			env = nil
		}
	}()
	if e.dir, err = os.MkdirTemp("", "registrytest-"); err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	if e.ca, err = newAuthority(); err != nil {
		return nil, err
	}
	e.CAPEM = e.ca.pem
	e.CAFile = filepath.Join(e.dir, "ca.pem")
	if err := os.WriteFile(e.CAFile, e.CAPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write CA file: %w", err)
	}
	if e.adminPass, err = randomHex(16); err != nil {
		return nil, err
	}
	if e.seedKey, err = randomHex(16); err != nil {
		return nil, err
	}

	// Listeners first: the realm URL must be known before the App exists.
	e.registry = e.newServer(HostRegistry)
	e.RegistryHost = e.hostPort(opts.RegistryName, e.registry)
	e.cdn = e.newServer(HostCDN)
	e.CDNHost = e.hostPort(opts.CDNName, e.cdn)
	e.Service = opts.Service
	if opts.Mode == Token {
		if opts.SameHostRealm {
			e.RealmHost = e.RegistryHost
			e.RealmURL = "https://" + e.RealmHost + DefaultSameHostRealmPath
		} else {
			e.realm = e.newServer(HostRealm)
			e.RealmHost = e.hostPort(opts.RealmName, e.realm)
			scheme := "https"
			if opts.PlainHTTPRealm {
				scheme = "http"
			}
			e.RealmURL = scheme + "://" + e.RealmHost + DefaultRealmPath
		}
	}

	if err := e.startApp(); err != nil {
		return nil, err
	}

	if err := e.startTLS(e.registry, opts.RegistryName); err != nil {
		return nil, err
	}
	if err := e.startTLS(e.cdn, opts.CDNName); err != nil {
		return nil, err
	}
	if e.realm != nil {
		if opts.PlainHTTPRealm {
			e.realm.Start()
		} else if err := e.startTLS(e.realm, opts.RealmName); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Mode < Open || o.Mode > Token {
		return o, fmt.Errorf("invalid mode %v", o.Mode)
	}
	setDefault := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	setDefault(&o.RegistryName, DefaultRegistryName)
	setDefault(&o.RealmName, DefaultRealmName)
	setDefault(&o.CDNName, DefaultCDNName)
	setDefault(&o.Service, o.RegistryName)
	setDefault(&o.Issuer, DefaultIssuer)
	if o.TokenExpiry == 0 {
		o.TokenExpiry = DefaultTokenExpiry
	}
	if o.TokenExpiry < time.Second {
		return o, fmt.Errorf("token expiry %v is below one second", o.TokenExpiry)
	}
	seen := map[string]string{}
	for field, n := range map[string]string{"RegistryName": o.RegistryName, "RealmName": o.RealmName, "CDNName": o.CDNName} {
		if err := checkHostName(n); err != nil {
			return o, fmt.Errorf("check %s: %w", field, err)
		}
		if other, dup := seen[strings.ToLower(n)]; dup {
			return o, fmt.Errorf("host name %q used for both %s and %s", n, other, field)
		}
		seen[strings.ToLower(n)] = field
	}
	if o.Mode != Token {
		switch {
		case o.PlainHTTPRealm:
			return o, fmt.Errorf("PlainHTTPRealm needs Token mode, not %v", o.Mode)
		case o.SameHostRealm:
			return o, fmt.Errorf("SameHostRealm needs Token mode, not %v", o.Mode)
		case len(o.ACL) > 0:
			return o, fmt.Errorf("ACL needs Token mode, not %v", o.Mode)
		case len(o.AnonymousPull) > 0:
			return o, fmt.Errorf("AnonymousPull needs Token mode, not %v", o.Mode)
		}
	}
	if o.Mode == Open && len(o.Users) > 0 {
		return o, errors.New("users need Htpasswd or Token mode, not open")
	}
	if o.PlainHTTPRealm && o.SameHostRealm {
		return o, errors.New("PlainHTTPRealm and SameHostRealm conflict: the registry is served over https")
	}
	users := make(map[string]string, len(o.Users))
	for u, p := range o.Users {
		switch {
		case u == "" || strings.ContainsAny(u, ":\n"):
			return o, fmt.Errorf("invalid user name %q", u)
		case u == AdminUser:
			return o, fmt.Errorf("user name %q is reserved", u)
		case p == "":
			return o, fmt.Errorf("user %q has an empty password", u)
		}
		users[u] = p
	}
	o.Users = users
	acl := make(map[string][]Grant, len(o.ACL))
	for u, grants := range o.ACL {
		if _, ok := users[u]; !ok {
			return o, fmt.Errorf("ACL names user %q who is not in Users", u)
		}
		for _, g := range grants {
			if g.Repo == "" {
				return o, fmt.Errorf("ACL of user %q has a grant without Repo", u)
			}
			for _, a := range g.Actions {
				switch a {
				case "pull", "push", "delete", "*":
				default:
					return o, fmt.Errorf("ACL of user %q grants unknown action %q", u, a)
				}
			}
		}
		acl[u] = append([]Grant(nil), grants...)
	}
	o.ACL = acl
	o.AnonymousPull = append([]string(nil), o.AnonymousPull...)
	return o, nil
}

// checkHostName accepts lower-case DNS names with at least one dot, so that
// names cannot collide with IP literals or "localhost".
func checkHostName(n string) error {
	if n != strings.ToLower(n) {
		return fmt.Errorf("host name %q is not lower-case", n)
	}
	if net.ParseIP(n) != nil || !strings.Contains(n, ".") {
		return fmt.Errorf("host name %q must be a dotted DNS name, not an IP address", n)
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("host name %q has an invalid label %q", n, label)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("host name %q has an invalid character %q", n, c)
			}
		}
	}
	return nil
}

// newServer creates an unstarted server on a 127.0.0.1 listener whose
// handler records requests and applies faults for role.
func (e *Env) newServer(role Host) *httptest.Server {
	s := httptest.NewUnstartedServer(e.front(role))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ReadHeaderTimeout = 10 * time.Second
	return s
}

// hostPort names s's listener as name:port and routes it.
func (e *Env) hostPort(name string, s *httptest.Server) string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	hp := net.JoinHostPort(name, port)
	e.routes[hp] = net.JoinHostPort("127.0.0.1", port)
	return hp
}

// startTLS starts s with a certificate for name issued by the Env's CA.
func (e *Env) startTLS(s *httptest.Server, name string) error {
	cert, err := e.ca.serverCert(name)
	if err != nil {
		return err
	}
	s.TLS = newServerTLSConfig(cert)
	s.StartTLS()
	return nil
}

// startApp builds the Distribution App for the Env's mode.
func (e *Env) startApp() (err error) {
	secret, err := randomHex(32)
	if err != nil {
		return err
	}
	box := &driverBox{}
	cfg := &configuration.Configuration{}
	cfg.Version = configuration.CurrentVersion
	cfg.Log.Level = "error"
	cfg.HTTP.Secret = secret
	cfg.Storage = configuration.Storage{
		"inmemory": configuration.Parameters{},
		"delete":   configuration.Parameters{"enabled": true},
		// The purger goroutine would outlive nothing useful in a test.
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
	}
	cfg.Middleware = map[string][]configuration.Middleware{
		"storage": {{Name: captureMiddleware, Options: configuration.Parameters{"box": box}}},
	}

	switch e.opts.Mode {
	case Htpasswd:
		path, err := e.writeHtpasswd()
		if err != nil {
			return err
		}
		dummy, err := bcrypt.GenerateFromPassword([]byte("registrytest-dummy"), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("hash dummy password: %w", err)
		}
		cfg.Auth = configuration.Auth{"htpasswd": configuration.Parameters{
			"realm": "registrytest",
			"path":  path,
			// Unknown users are compared against this hash; the default
			// one has a high cost and would slow every anonymous request.
			"overrideDummyHash": dummy,
		}}
	case Token:
		if e.signer, err = newSigner(); err != nil {
			return err
		}
		cert, err := parseCertDER(e.signer.certDER)
		if err != nil {
			return err
		}
		// The same function the registry uses to index its trusted keys.
		e.signer.kid = token.GetJWKThumbprint(cert.PublicKey)
		bundle := filepath.Join(e.dir, "token-signer.pem")
		if err := os.WriteFile(bundle, e.signer.certPEM, 0o600); err != nil {
			return fmt.Errorf("write token root cert bundle: %w", err)
		}
		cfg.Auth = configuration.Auth{"token": configuration.Parameters{
			"realm":             e.RealmURL,
			"service":           e.Service,
			"issuer":            e.opts.Issuer,
			"rootcertbundle":    bundle,
			"signingalgorithms": []any{"ES256"},
		}}
	}

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("create distribution app: %v", r)
		}
	}()
	e.app = handlers.NewApp(context.Background(), cfg)
	e.driver = box.driver
	if e.driver == nil {
		return errors.New("create distribution app: storage driver not captured")
	}
	return nil
}

// writeHtpasswd writes a bcrypt htpasswd file with the users and the admin.
func (e *Env) writeHtpasswd() (string, error) {
	var b strings.Builder
	users := map[string]string{AdminUser: e.adminPass}
	for u, p := range e.opts.Users {
		users[u] = p
	}
	for u, p := range users {
		hash, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.MinCost)
		if err != nil {
			return "", fmt.Errorf("hash password of %q: %w", u, err)
		}
		fmt.Fprintf(&b, "%s:%s\n", u, hash)
	}
	path := filepath.Join(e.dir, "htpasswd")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write htpasswd file: %w", err)
	}
	return path, nil
}

// Close stops the servers and the registry and removes the temporary
// directory. Requests in flight are given up: injected delays end at once.
// Close is idempotent.
func (e *Env) Close() {
	e.closeOnce.Do(func() {
		close(e.closing)
		for _, s := range []*httptest.Server{e.registry, e.realm, e.cdn} {
			if s != nil {
				if s.URL == "" {
					// Never started: only the listener exists.
					s.Listener.Close()
					continue
				}
				s.CloseClientConnections()
				s.Close()
			}
		}
		if e.app != nil {
			_ = e.app.Shutdown()
		}
		if e.dir != "" {
			_ = os.RemoveAll(e.dir)
		}
	})
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// routeHandler returns the handler serving role's non-faulted requests.
func (e *Env) routeHandler(role Host) http.Handler {
	switch role {
	case HostRealm:
		return http.HandlerFunc(e.serveToken)
	case HostCDN:
		return http.HandlerFunc(e.serveCDN)
	default:
		return e.app
	}
}
