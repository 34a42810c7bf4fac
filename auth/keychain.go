package auth

import (
	"context"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// keychain resolves go-containerregistry resources through a Keyring.
type keychain struct {
	ring *Keyring
	sem  Semantics
}

var (
	_ authn.Keychain        = (*keychain)(nil)
	_ authn.ContextKeychain = (*keychain)(nil)
)

// NewKeychain returns a go-containerregistry keychain over creds that
// resolves a repository or registry to the first credential the consumer
// sem would use for it (see [Keyring.Lookup]; empty sem is the kubelet),
// or to authn.Anonymous when none matches. Pass it to
// remote.WithAuthFromKeychain.
//
// The credential is handed on as that consumer passes it: the kubelet
// drops identity and registry tokens; docker semantics keep them, and
// go-containerregistry then runs the OAuth2 refresh flow with an identity
// token and sends a registry token as the Bearer token.
func NewKeychain(creds []Credential, sem Semantics) authn.Keychain {
	if sem == "" {
		sem = SemanticsKubelet
	}
	return &keychain{ring: NewKeyring(creds), sem: sem}
}

// Resolve implements authn.Keychain.
func (k *keychain) Resolve(res authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), res)
}

// ResolveContext implements authn.ContextKeychain.
func (k *keychain) ResolveContext(_ context.Context, res authn.Resource) (authn.Authenticator, error) {
	ref := resourceReference(res)
	ms := k.ring.Lookup(ref, k.sem)
	if len(ms) == 0 {
		return authn.Anonymous, nil
	}
	return Authenticator(ms[0].Credential), nil
}

// resourceReference turns a go-containerregistry resource (a Repository
// or a Registry) into the Reference the matcher looks up: Docker Hub is
// "docker.io", and a registry resource has an empty repository.
func resourceReference(res authn.Resource) Reference {
	reg := res.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = dockerHubDomain
	}
	repo := ""
	if s := res.String(); s != res.RegistryStr() {
		repo = strings.TrimPrefix(s, res.RegistryStr()+"/")
	}
	if repo == "" {
		return Reference{Kind: KindTag, Registry: reg, RepoToPull: reg}
	}
	return Reference{Kind: KindTag, Registry: reg, Repository: repo, RepoToPull: reg + "/" + repo, Tag: defaultTag, ImplicitTag: true}
}

// Authenticator maps a credential to a go-containerregistry
// authenticator: username and password, identity token (OAuth2 refresh
// token) and registry token (sent as Bearer) as they are. An empty
// credential is authn.Anonymous.
func Authenticator(c Credential) authn.Authenticator {
	if c.IsEmpty() {
		return authn.Anonymous
	}
	return authn.FromConfig(authn.AuthConfig{
		Username:      c.Username,
		Password:      c.Password,
		IdentityToken: c.IdentityToken,
		RegistryToken: c.RegistryToken,
	})
}

// CredentialsFromConfig returns the inline credentials of cfg's entries in
// file order, each with Source set to source (a file path or
// "secret NAMESPACE/NAME"). Entries served only by a credential helper
// (credsStore, credHelpers) are not resolved here; the kubelet never
// consults helpers. Use dockercfg.Config.Resolve first to include them.
func CredentialsFromConfig(cfg *dockercfg.Config, source string) []Credential {
	if cfg == nil {
		return nil
	}
	out := make([]Credential, 0, len(cfg.Entries))
	for _, e := range cfg.Entries {
		out = append(out, Credential{
			Key:           e.Key,
			Username:      e.Username,
			Password:      e.Password,
			IdentityToken: e.IdentityToken,
			RegistryToken: e.RegistryToken,
			Email:         e.Email,
			HasAuthField:  e.Auth != "",
			Source:        source,
		})
	}
	return out
}

// CredentialsFromSources returns the inline credentials of every source in
// order; Source is the file path, or "secret NAMESPACE/NAME" for entries
// from a Kubernetes Secret.
func CredentialsFromSources(srcs []dockercfg.Source) []Credential {
	var out []Credential
	for _, s := range srcs {
		label := s.Name
		if s.Secret != "" {
			label = "secret " + s.Secret
		}
		out = append(out, CredentialsFromConfig(s.Config, label)...)
	}
	return out
}
