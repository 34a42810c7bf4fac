// Package match decides which registry credentials an image pull uses:
// image references and pull policy, credential matching under the rules of
// each consumer (kubelet, docker, podman) with the reasons for each choice,
// and the verdicts a pull can end in. It is pure: no network, no files
// beyond what it is handed. The registry client (package registry) and
// Kubernetes objects (package secrets) build on it; it builds on package
// dockercfg only.
//
// It must not import net/http, crypto/tls, go-containerregistry or any
// Kubernetes package (deps_test.go keeps it so). Besides dockercfg it uses
// one function of docker/cli, credentials.ConvertToHostname (the docker
// semantics' key-to-host mapping), whose package needs neither HTTP nor
// TLS. The behaviour contract
// it implements is docs/matching.md.
//
// # References and pull policy
//
// [ParseReference] normalises an image as the kubelet does
// (distribution/reference ParseNormalizedNamed): "nginx" is
// docker.io/library/nginx with the implied tag "latest". Its RepoToPull
// ("docker.io/library/nginx") is the string credentials are matched
// against. [Reference.PullPolicy] is the imagePullPolicy Kubernetes assigns
// when the field is empty: Always for a missing tag or ":latest" (also
// "name:latest@sha256:…"), IfNotPresent otherwise.
//
// # Credential matching
//
// A [Keyring] holds [Credential] values in source order and answers
// [Keyring.Lookup] for one of three consumers ([Semantics]). [MatchImage]
// wraps it and also reports where the other consumers would choose
// differently, with notes that explain why.
//
// kubelet (pod imagePullSecrets and the node config.json; k8s.io/kubernetes
// pkg/credentialprovider keyring.go):
//   - A key without http:// or https:// gets https://; it is parsed as a URL
//     (an unparseable key is ignored); a path starting /v1/ or /v2/ loses its
//     first three bytes; the scheme is dropped; a path of "" or "/" leaves
//     host[:port]. http and https keys for one host therefore collide.
//   - The distinct keys are sorted in reverse lexicographic order, so longer
//     keys come before their prefixes and literal labels before '*'.
//   - A key matches when the port is equal (":443" is not no port), the host
//     has as many dot-separated labels as the image's and each label matches
//     as a filepath.Match pattern ("*.example.com" covers one label), and the
//     key's path is a plain string prefix of the image's. Matching is
//     case-sensitive. The string prefix means the key quay.io/repo also
//     matches quay.io/repository-main/x; Match.Note says so.
//   - Every matching key contributes all its credentials, in input order.
//     Only when nothing matched and the image is a Docker Hub one (or its
//     first element has no '.' or ':', e.g. "localhost/x") are the
//     credentials stored under exactly "index.docker.io" used; any matching
//     key, a wildcard such as "*.io" included, shadows that fallback.
//   - The kubelet passes on username and password only: identitytoken and
//     registrytoken are dropped, and a token-only entry becomes an empty
//     credential (one failed attempt).
//   - All of a pod's pull secrets form one keyring, so ordering is global by
//     key and spec order only decides between equal keys. The node's
//     config.json is a separate keyring whose matches come after the pod's:
//     build one Keyring each and concatenate the results. Within one secret
//     the kubelet iterates a Go map, so two keys that normalise alike (such
//     as "quay.io" and "https://quay.io") come out in random order there;
//     here they keep file order.
//
// docker (the docker CLI and go-containerregistry's authn.DefaultKeychain,
// i.e. crane, ko and friends; docker/cli configfile and ggcr keychain.go):
// one credential or none. Sources are searched one at a time, in order
// (docker itself reads a single file). In each, go-containerregistry first
// asks for the full repository key (registry spelled "index.docker.io" for
// Docker Hub), then the registry key ("https://index.docker.io/v1/" for
// Docker Hub). Each ask takes the exact key, else any key whose host — after
// removing the scheme and everything from the first '/', docker/cli's
// credentials.ConvertToHostname — equals it; when
// several keys share that host docker picks one at random and we take the
// first. An entry with no credential counts as not found. There are no
// globs and no namespace keys: "docker.io" and "index.docker.io" are never
// found for Docker Hub, and a "quay.io/ns" key serves every quay.io image
// that has no better key.
//
// podman (containers/image: podman, skopeo, buildah; pkg/docker/config):
// one credential or none. Sources are searched in order. In each, the keys
// tried are the repository name, then each parent namespace, then the
// registry ("quay.io/a/b/c", "quay.io/a/b", "quay.io/a", "quay.io"), which
// is segment-aware. The first key present decides the source's answer even
// if its entry is unusable. Failing all, a key whose normalised form equals
// the registry is used (scheme and path dropped only when the key has a
// scheme; docker.io and registry-1.docker.io mean index.docker.io). Only
// entries with an "auth" field count: username and password fields are
// never read, and the registry token is ignored. Legacy .dockercfg files,
// which containers/image reads by registry key only, are treated as normal
// files here.
//
// # Verdicts
//
// [Verdict] names the outcome class of a pull (ok, unauthorized, forbidden,
// not-found, ...). Each failure verdict has a sentinel error ([Verdict.Err])
// for errors.Is; the registry client measures verdicts and diagnose predicts
// them.
package match
