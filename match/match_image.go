package match

import "fmt"

// MatchResult is what `pullsecret match IMAGE` reports: the parsed
// reference, its default pull policy, and the credentials the simulated
// consumer would try, in order. Its JSON form is the element of the stable
// `match` report's "results" (docs/json-output.md#match).
type MatchResult struct {
	Image      string     `json:"image"`
	Kind       Kind       `json:"kind"`
	Registry   string     `json:"registry"`
	Repository string     `json:"repository"`
	Tag        string     `json:"tag,omitempty"`
	Digest     string     `json:"digest,omitempty"`
	PullPolicy PullPolicy `json:"pullPolicy"`
	Semantics  Semantics  `json:"semantics"`
	// Credentials are in the order the consumer tries them; empty means an
	// anonymous pull. Never nil, so it encodes as [].
	Credentials []MatchedCredential `json:"credentials"`
	// Notes explain surprises: keys one consumer uses and another ignores,
	// keys that differ only in case or port, ignored entries.
	Notes []string `json:"notes,omitempty"`
	// Alternatives lists the other consumers whose first choice differs.
	Alternatives []Alternative `json:"alternatives,omitempty"`

	// Reference is the parsed image.
	Reference Reference `json:"-"`
	// Matches carries the full credentials behind Credentials, for callers
	// that go on to pull.
	Matches []Match `json:"-"`
}

// MatchedCredential is one credential of a [MatchResult], without secrets.
type MatchedCredential struct {
	// Key is the entry's key as written.
	Key string `json:"key"`
	// MatchedKey is the key as the consumer saw it (see Match.MatchedKey).
	MatchedKey string `json:"matchedKey,omitempty"`
	Username   string `json:"username,omitempty"`
	Source     string `json:"source"`
	// Reason is one of the Reason constants.
	Reason Reason `json:"reason"`
	Note   string `json:"note,omitempty"`
}

// Alternative is what another consumer would choose for the same image.
type Alternative struct {
	Semantics   Semantics           `json:"semantics"`
	Credentials []MatchedCredential `json:"credentials"`
	Notes       []string            `json:"notes,omitempty"`
}

// MatchImage parses image and reports the credentials among creds that the
// consumer sem would use for it (see [Keyring.Lookup]), with the other
// consumers' choices where they differ. creds are in source order. Empty
// sem means SemanticsKubelet.
func MatchImage(image string, creds []Credential, sem Semantics) (*MatchResult, error) {
	ref, err := ParseReference(image)
	if err != nil {
		return nil, err
	}
	return NewKeyring(creds).Match(image, ref, sem)
}

// Match is MatchImage for an already parsed reference; image is reported
// as given. Use it to match many images against one keyring.
func (k *Keyring) Match(image string, ref Reference, sem Semantics) (*MatchResult, error) {
	if sem == "" {
		sem = SemanticsKubelet
	}
	switch sem {
	case SemanticsKubelet, SemanticsDocker, SemanticsPodman:
	default:
		return nil, fmt.Errorf("match image %q: semantics %q: %w", image, sem, ErrUnknownSemantics)
	}
	matches, notes := k.lookup(ref, sem, true)
	res := &MatchResult{
		Image:       image,
		Kind:        ref.Kind,
		Registry:    ref.Registry,
		Repository:  ref.Repository,
		Tag:         ref.Tag,
		Digest:      ref.Digest,
		PullPolicy:  ref.PullPolicy(),
		Semantics:   sem,
		Credentials: Summarize(matches),
		Notes:       dedupe(notes),
		Reference:   ref,
		Matches:     matches,
	}
	for _, other := range []Semantics{SemanticsKubelet, SemanticsDocker, SemanticsPodman} {
		if other == sem {
			continue
		}
		om, on := k.lookup(ref, other, true)
		if firstIndex(om) == firstIndex(matches) {
			continue
		}
		res.Alternatives = append(res.Alternatives, Alternative{Semantics: other, Credentials: Summarize(om), Notes: dedupe(on)})
	}
	return res, nil
}

// firstIndex identifies a consumer's first choice; -1 is anonymous.
func firstIndex(ms []Match) int {
	if len(ms) == 0 {
		return -1
	}
	return ms[0].index
}

// Summary is m without secrets: what every output shows of a matched
// credential.
func (m Match) Summary() MatchedCredential {
	return MatchedCredential{
		Key:        m.Key,
		MatchedKey: m.MatchedKey,
		Username:   m.Username,
		Source:     m.Source,
		Reason:     m.Reason,
		Note:       m.Note,
	}
}

// Summarize returns the summaries of ms in order; never nil, so it encodes
// as [].
func Summarize(ms []Match) []MatchedCredential {
	out := make([]MatchedCredential, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Summary())
	}
	return out
}

func dedupe(notes []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range notes {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
