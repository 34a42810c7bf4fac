package match

import "github.com/pullsecret/pullsecret/dockercfg"

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
