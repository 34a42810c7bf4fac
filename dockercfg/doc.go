// Package dockercfg reads and writes the credential files container tools use:
// docker's config.json, containers' auth.json and the legacy flat .dockercfg map.
//
// Parsing keeps what it does not understand. Unknown top-level keys and unknown
// entry fields survive a Parse/Marshal round trip, entries keep their file order,
// and several entries for one registry (quay.io and quay.io/repository-main) are
// ordinary, separate entries.
//
// Field names are matched case-insensitively, as encoding/json does for docker,
// the kubelet and podman, so "Auth", "identityToken" and "IdentityToken" are all
// read. Marshal writes the lower-case spelling docker writes. A field given
// twice ("auth" and "Auth") is an error; registry keys are map keys, so
// "Quay.io" and "quay.io" are two entries, and only an exact repeat is an error.
//
// The auth field is base64 of "user:password", split at the first colon. Padded
// and unpadded base64 are both accepted (the kubelet's rule); a value that is not
// base64, has no colon or has an empty user name is an error for that entry,
// reported as a *ParseError that names the entry and never the value.
//
// Registry keys are normalised by one function, ParseKey: the scheme and a
// /v1/ or /v2/ path prefix are dropped, the host is lower-cased, and the Docker
// Hub aliases (docker.io, index.docker.io, registry-1.docker.io,
// https://index.docker.io/v1/) are one registry whose canonical written form is
// https://index.docker.io/v1/, the one key kubelet, docker and podman all accept.
//
// Credential helpers (credsStore, credHelpers) run through the
// docker-credential-helpers protocol; see Helper and Resolve. Resolution order
// for an entry is credHelpers[host], then credsStore, then the entry's inline
// fields. A helper is found only in absolute directories of the search path
// (never through a relative PATH entry, as exec.LookPath since Go 1.19); one
// call may take 30 seconds and print 1 MiB (MaxHelperOutput); the calls of
// one operation share the caller's deadline (WithHelperDeadline); a stopped
// helper is killed with its process group.
package dockercfg
