// Package registry is the project's one registry client: every HTTP
// request pullsecret makes goes through it, behind one redirect and
// credential guard. It pings registries and parses their WWW-Authenticate
// challenges, fetches Bearer tokens, test-pulls images, resolves tags to
// digests, checks a login, and offers a go-containerregistry keychain.
//
// It builds on package match (which credential to use) and package
// dockercfg; it must not import Kubernetes packages or package secrets
// (deps_test.go keeps it so). The behaviour contract is docs/registry.md.
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
