package registry

import (
	"fmt"

	"github.com/pullsecret/pullsecret/match"
)

// Step is a step of a pull test, as reported in [Attempt.Step].
type Step string

// Steps of a pull test.
const (
	StepPing     Step = "ping"
	StepToken    Step = "token"
	StepManifest Step = "manifest"
	StepBlob     Step = "blob"
)

// Op is the operation an [OutcomeError] reports on.
type Op string

// Operations of [OutcomeError].
const (
	OpPull    Op = "pull"    // a pull test ([TestPull])
	OpResolve Op = "resolve" // a resolution ([Resolver])
)

// OutcomeError is the error of an image that failed a pull test or did
// not resolve, as [TestPullResult.Err] and [ResolveResult.Err] return it.
// It names the operation, the image as given and the verdict, and wraps
// the verdict's sentinel (match.ErrUnauthorized, match.ErrNotFound, …) so
// that errors.Is works on it; read its fields with errors.As.
type OutcomeError struct {
	Op      Op
	Image   string
	Verdict match.Verdict
	Message string
}

// Error returns "OP IMAGE: VERDICT: MESSAGE".
func (e *OutcomeError) Error() string {
	return fmt.Sprintf("%s %s: %s: %s", e.Op, e.Image, e.Verdict, e.Message)
}

// Unwrap returns the verdict's sentinel, nil for VerdictError.
func (e *OutcomeError) Unwrap() error { return e.Verdict.Err() }
