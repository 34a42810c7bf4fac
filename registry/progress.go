package registry

import "github.com/pullsecret/pullsecret/match"

// ProgressEvent reports one reference resolved by a [Resolver], for a
// caller that shows progress ([ResolveOptions.Progress]). The library
// itself never prints.
type ProgressEvent struct {
	// Input is the reference that was just resolved, as given.
	Input string
	// Verdict is its result: VerdictOK or a failure class.
	Verdict match.Verdict
	// Done counts the references resolved so far, this one included;
	// Failed counts those of them whose verdict is not ok.
	Done, Failed int
	// Total is the number of references when it is known in advance
	// ([Resolver.Resolve]); 0 when they are read from a stream
	// ([Resolver.ResolveEach]).
	Total int
}
