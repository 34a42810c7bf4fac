// Package registry is the project's one registry client: every HTTP
// request pullsecret makes (ping, token, manifest, blob, login check) goes
// through it. It pings registries and parses their WWW-Authenticate
// challenges, fetches Bearer tokens, test-pulls images ([TestPull]),
// resolves tags to digests ([Resolver]), checks a login ([CheckLogin]),
// and offers a go-containerregistry keychain.
//
// It builds on package match (which credential to use, verdicts) and
// package dockercfg (keys); it must not import Kubernetes packages, package
// secrets or the CLI (deps_test.go keeps it so). The behaviour contract is
// docs/registry.md.
//
// # One client, one guard
//
// Every request is sent by a client from one constructor (client.go), over
// the transport of [NetworkOptions.Transport] (extra CAs, --resolve, the
// timeout bounding each request whole, body included, and retries of
// idempotent requests). Its guard:
//
//   - sends an Authorization header only to the registry's own host:port
//     and to the token realm the registry itself named in its challenge; a
//     challenge that comes from another host (the ping was redirected
//     there) is not trusted;
//   - sends credentials over plain HTTP only with PlainHTTP (or to a
//     registry that answered over http), and a realm must pass
//     [CheckRealm] (no private-IP realm on another host);
//   - follows at most 10 redirects, never from https to http without
//     PlainHTTP, and drops the Authorization header on a redirect to
//     another host.
//
// One token fetch serves test-pull, resolve and the login check (the
// OAuth2 POST with an identity token, falling back to GET; GET with Basic
// credentials and one scope per repository), and one redaction removes
// the credentials and issued tokens from every text the package returns,
// whatever a hostile server echoes.
//
// # Challenges
//
// [ParseChallenges] parses WWW-Authenticate values (RFC 9110 §11.6.1):
// several challenges per line and several lines, quoted strings with
// escapes, token68, case-insensitive scheme and parameter names.
// [Challenge.Scopes] splits the space-separated scope parameter and
// [ParseScope] splits one scope at its first and last ':', so resource
// names may contain host:port.
package registry
