// Package registrytest runs real container registries on loopback for tests
// and demos: the CNCF Distribution registry (v3, in process, in-memory
// storage), a Docker token server of ours, and a "CDN" host for redirects,
// each on its own 127.0.0.1 listener served under a host name with TLS from a
// CA generated per Env.
//
// # Host names
//
// The registry is served as RegistryHost ("registry.test:PORT"), the token
// server as RealmHost ("sso.test:PORT", a different host unless
// Options.SameHostRealm) and the redirect target as CDNHost
// ("cdn.test:PORT"). Names rather than IP literals are needed because
// go-containerregistry ≥ v0.22 refuses a Bearer realm on a loopback IP of
// another host:port. Clients reach the names through Env.DialContext (also
// used by Env.Transport), which maps them to 127.0.0.1 and refuses every
// other address; external programs take Env.ResolveArgs as curl-style
// --resolve values and Env.CAFile as the CA to trust.
//
// # Authentication
//
// Open needs no credentials. Htpasswd checks Basic auth against a bcrypt
// file (cost 4) holding Options.Users and AdminUser; every valid user may do
// everything. Token makes the registry challenge with
//
//	Bearer realm="<RealmURL>",service="<Service>",scope="repository:NAME:pull"
//
// and the token server answers GET RealmURL (Basic auth optional, repeated
// scope parameters, service, account, offline_token=true for a
// refresh_token) and the OAuth2 POST form (grant_type password or
// refresh_token, one space-separated scope parameter, access_type=offline).
// It grants the intersection of the requested actions and what the user may
// do: Options.ACL (user → repository pattern → actions), plus pull on the
// Options.AnonymousPull patterns for everyone. A partial or empty grant is a
// 200 with fewer actions; the registry then answers 401 insufficient_scope.
// Wrong credentials get a 401 with a JSON error. Tokens are ES256 JWTs with
// iss, sub, aud (= Service), exp, nbf, iat, jti and access claims, whose
// header carries x5c (the signing certificate, which is the registry's
// rootcertbundle) and kid (the certificate key's RFC 7638 thumbprint).
// AdminUser (random password, Env.AdminAuth) may do anything, including the
// catalog; so may users granted "*" on repository pattern "*".
//
// # Recording, leaks and faults
//
// Every request to every host is recorded (role, Host header, method, path,
// route, repository, requested scopes, Authorization scheme — never its
// value — and status) before it is served; see Env.Requests and Env.Count.
// A leak is recorded when an Authorization header reaches the CDN host or
// Basic credentials reach an http:// realm (Env.Leaks). Env.SetFault makes a
// host answer matching requests with a status (e.g. 429 with Retry-After),
// a delay, a connection reset, or a redirect to the CDN, which serves the
// content from the registry's storage without asking for credentials.
// Requests made by the seeding helpers (PushRandomImage, PushIndex, TagMany)
// are neither recorded nor faulted.
//
// # Process-wide state
//
// Envs share nothing, and many may run in parallel in one process, except
// for what the Distribution library forces: its loggers are the global
// logrus standard logger (the per-request logger's context key is internal),
// which the first Start silences (level error, output io.Discard); its
// storage-middleware registry is a global map, in which the first Start
// registers "registrytest-capture" (used to reach each App's storage
// driver); its auth backends, storage drivers and Prometheus metrics
// register themselves at init. No OpenTelemetry variables need setting: the
// span exporters (and their attempts to reach localhost:4318) are only
// installed by the registry command's tracing.InitOpenTelemetry, which
// handlers.NewApp never calls, so the global tracer provider stays a no-op.
package registrytest
