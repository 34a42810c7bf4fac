package registry

import (
	"context"
	"strings"

	"github.com/pullsecret/pullsecret/match"

	"github.com/google/go-containerregistry/pkg/authn"
)

// keychain resolves go-containerregistry resources through a Keyring.
type keychain struct {
	ring *match.Keyring
	sem  match.Semantics
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
func NewKeychain(creds []match.Credential, sem match.Semantics) authn.Keychain {
	if sem == "" {
		sem = match.SemanticsKubelet
	}
	return &keychain{ring: match.NewKeyring(creds), sem: sem}
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
func resourceReference(res authn.Resource) match.Reference {
	repo := ""
	if s := res.String(); s != res.RegistryStr() {
		repo = strings.TrimPrefix(s, res.RegistryStr()+"/")
	}
	return match.RepositoryReference(res.RegistryStr(), repo)
}

// Authenticator maps a credential to a go-containerregistry
// authenticator: username and password, identity token (OAuth2 refresh
// token) and registry token (sent as Bearer) as they are. An empty
// credential is authn.Anonymous.
func Authenticator(c match.Credential) authn.Authenticator {
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
