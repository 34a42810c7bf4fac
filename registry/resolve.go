package registry

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pullsecret/pullsecret/match"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Defaults of [ResolveOptions].
const (
	// DefaultConcurrency is how many references are resolved at once.
	DefaultConcurrency = 8
	// DefaultScopeBatch is how many repositories one token request asks
	// for at most.
	DefaultScopeBatch = 50
	// DefaultTokenLifetime is the lifetime of a token whose response has
	// no expires_in (the token specification's default).
	DefaultTokenLifetime = 60 * time.Second
)

// Tuning of the resolution engine.
const (
	// resolveChunk is how many references the engine reads, parses and
	// announces (for scope batching) before handing them to the workers.
	resolveChunk = 1024
	// resolveWindow bounds the references in flight: read but not yet
	// handed to the caller. It bounds memory for any number of inputs.
	resolveWindow = 2 * resolveChunk
	// resolveIdle is how long a streaming input may pause before the
	// references read so far are dispatched without waiting for a full
	// chunk.
	resolveIdle = time.Millisecond
	// failureTTL is how long a failed ping or token request is remembered,
	// so that the images sharing a broken registry or credential fail
	// once, not once per image.
	failureTTL = 5 * time.Second
	// maxTokenRefreshMargin caps how long before its expiry a token is
	// replaced.
	maxTokenRefreshMargin = 10 * time.Second
)

// ResolveOptions configure a [Resolver]. The zero value resolves
// anonymously, eight references at a time, with the default network
// settings.
type ResolveOptions struct {
	// Network holds the CA, timeout, retry and --resolve settings; its
	// PlainHTTP also allows http:// registries and token realms.
	Network NetworkOptions
	// Transport, if set, is used instead of Network.Transport(), so that
	// several resolvers share one connection pool. It should come from
	// Network.Transport() (which bounds each request by the timeout and
	// retries idempotent requests).
	Transport http.RoundTripper
	// Credentials are looked up per image in the order of Semantics; the
	// first candidate is used, and an image without any is resolved
	// anonymously.
	Credentials []match.Credential
	// Semantics is the consumer whose credential choice is simulated;
	// empty means SemanticsKubelet.
	Semantics match.Semantics
	// Platform ("os/arch[/variant]"), when set, resolves an image index
	// or manifest list to the digest of the manifest for that platform;
	// the index digest is then reported as IndexDigest.
	Platform string
	// Concurrency is how many references are resolved at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// ScopeBatch is the most repositories one token request asks for; 0
	// means DefaultScopeBatch, 1 asks for one repository per request.
	ScopeBatch int
	// Progress, if set, is called once per reference as soon as it is
	// resolved, in the order they finish (not input order), with running
	// counts. Calls never overlap; a slow Progress slows the resolution.
	Progress func(ProgressEvent)
}

// ResolveResult is the outcome of resolving one reference. Its JSON form
// is an element of the stable resolve "results" (docs/json-output.md#resolve).
type ResolveResult struct {
	// Input is the reference as given.
	Input string `json:"input"`
	// Reference is the pinned reference "REGISTRY/REPOSITORY@DIGEST"
	// ("docker.io/library/ruby@sha256:…"); "" on failure.
	Reference string `json:"reference,omitempty"`
	// Digest is the digest the reference is pinned to: the manifest the
	// tag points at, or with a platform the platform's manifest.
	Digest string `json:"digest,omitempty"`
	// MediaType is the media type of the manifest Digest names.
	MediaType string `json:"mediaType,omitempty"`
	// Platform is the platform ("linux/arm64/v8") of the manifest chosen
	// from an index; "" when no platform was asked for or the tag names a
	// single image.
	Platform string `json:"platform,omitempty"`
	// IndexDigest is the digest of the index or manifest list the platform
	// manifest was chosen from (what a kubelet or containerd would pin).
	IndexDigest string `json:"indexDigest,omitempty"`
	// Verdict is VerdictOK or a failure class (VerdictNotFound, …; see
	// [Classify]).
	Verdict match.Verdict `json:"verdict"`
	// Credential names the credential used; nil for anonymous access.
	Credential *CredentialRef `json:"credential,omitempty"`
	// Error explains a failure in one line; "" when ok.
	Error string `json:"error,omitempty"`
}

// Err returns nil when the reference resolved, else an *OutcomeError with
// Op OpResolve.
func (r *ResolveResult) Err() error {
	if r.Verdict == match.VerdictOK {
		return nil
	}
	return &OutcomeError{Op: OpResolve, Image: r.Input, Verdict: r.Verdict, Message: r.Error}
}

// Resolver resolves image references to digests ("pin ruby:2.0 to what
// it points at now"). It keeps what it learnt for later calls: one ping
// per registry, tokens per registry, credential and repository until
// shortly before they expire, and a pool of kept-alive connections. A
// Resolver is safe for concurrent use; create one and reuse it.
//
// Each reference uses the first credential the consumer (the kubelet by
// default) would try for it, or none. A token request asks for every
// repository of the registry that is waiting for one (up to ScopeBatch,
// as repeated scope parameters); a server that grants only part of such
// a batch is detected (from a JWT's access claim, or a 401 that a
// single-scope token then fixes) and later asked one repository at a time.
// Tokens live as long as expires_in says (60 s without it) and are
// replaced a fifth of that (at most 10 s) early; a 401 with a cached token
// gets one retry with a new one.
//
// The manifest is asked for with HEAD and the Docker-Content-Digest
// header; GET is used only when that header is missing, to read the
// reason of a failure, or to choose a platform. For a multi-platform image
// the digest is the index's: what the reference resolves to and what the
// kubelet and containerd pin. With ResolveOptions.Platform it is the
// platform manifest's, as `crane digest --platform` gives it, and the
// index digest is reported beside it.
type Resolver struct {
	opts     ResolveOptions
	rt       http.RoundTripper
	keyring  *match.Keyring
	platform *v1.Platform
	sem      match.Semantics
	workers  int
	batch    int
	now      func() time.Time

	mu         sync.Mutex
	registries map[string]*registryState
}

// NewResolver validates opts and returns a Resolver.
func NewResolver(opts ResolveOptions) (*Resolver, error) {
	r := &Resolver{
		opts:       opts,
		rt:         opts.Transport,
		keyring:    match.NewKeyring(opts.Credentials),
		sem:        opts.Semantics,
		workers:    opts.Concurrency,
		batch:      opts.ScopeBatch,
		now:        time.Now,
		registries: map[string]*registryState{},
	}
	if r.sem == "" {
		r.sem = match.SemanticsKubelet
	}
	if _, err := match.ParseSemantics(string(r.sem)); err != nil {
		return nil, fmt.Errorf("create resolver: %w", err)
	}
	switch {
	case r.workers < 0:
		return nil, fmt.Errorf("create resolver: concurrency %d is negative", r.workers)
	case r.workers == 0:
		r.workers = DefaultConcurrency
	}
	switch {
	case r.batch < 0:
		return nil, fmt.Errorf("create resolver: scope batch %d is negative", r.batch)
	case r.batch == 0:
		r.batch = DefaultScopeBatch
	}
	if opts.Platform != "" {
		p, err := v1.ParsePlatform(opts.Platform)
		if err != nil || p.OS == "" || p.Architecture == "" {
			return nil, fmt.Errorf("create resolver: platform %q: want os/arch[/variant], e.g. linux/arm64", opts.Platform)
		}
		r.platform = p
	}
	if r.rt == nil {
		rt, err := opts.Network.Transport()
		if err != nil {
			return nil, fmt.Errorf("create resolver: %w", err)
		}
		r.rt = rt
	}
	return r, nil
}

// Resolve resolves refs with a Resolver made from opts; see
// [Resolver.Resolve].
func Resolve(ctx context.Context, refs []string, opts ResolveOptions) ([]ResolveResult, error) {
	r, err := NewResolver(opts)
	if err != nil {
		return nil, err
	}
	return r.Resolve(ctx, refs)
}

// Resolve resolves every reference and returns one result per reference,
// in input order. A reference that does not resolve (bad syntax, not
// found, refused, unreachable) is reported in its result (see
// [ResolveResult.Err]); the others still resolve. The error is non-nil
// only when the call as a whole failed: ctx was cancelled.
//
// All references are parsed first, so the token requests can ask for
// every repository of a registry at once (up to ScopeBatch per request).
func (r *Resolver) Resolve(ctx context.Context, refs []string) ([]ResolveResult, error) {
	items := make([]*resolveItem, len(refs))
	for i, s := range refs {
		items[i] = r.prepare(i, s)
	}
	// The results are kept anyway: the workers write them in place, with
	// no reordering.
	out := make([]ResolveResult, len(refs))
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	progress := r.progress(len(refs))
	for range min(r.workers, len(refs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(items) {
					return
				}
				out[i] = r.resolveItem(ctx, items[i])
				items[i] = nil
				progress(&out[i])
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// ResolveEach resolves the references refs yields and calls fn with each
// result in input order, as soon as it and every earlier one are known.
// Memory stays flat however many references there are: at most a few
// thousand are in flight. refs is read ahead of the results (references
// are parsed in chunks, so that token requests can cover many
// repositories), from another goroutine; if ResolveEach returns early, it
// stops at its next reference.
//
// When fn returns an error, ResolveEach stops and returns it. The error is
// also non-nil when ctx was cancelled. Failures of single references are
// in their results.
func (r *Resolver) ResolveEach(ctx context.Context, refs iter.Seq[string], fn func(ResolveResult) error) error {
	return r.run(ctx, func(ctx context.Context, yield func([]*resolveItem) bool) {
		in := make(chan string, resolveChunk)
		go func() {
			defer close(in)
			for s := range refs {
				select {
				case in <- s:
				case <-ctx.Done():
					return
				}
			}
		}()
		idle := time.NewTimer(time.Hour)
		defer idle.Stop()
		index := 0
		chunk := make([]*resolveItem, 0, resolveChunk)
		for {
			var s string
			var ok bool
			select {
			case s, ok = <-in:
			case <-ctx.Done():
				return
			}
			if !ok {
				return
			}
			chunk = append(chunk[:0], r.prepare(index, s))
			index++
			idle.Reset(resolveIdle)
			eof := false
		gather:
			for len(chunk) < resolveChunk {
				select {
				case s, ok = <-in:
					if !ok {
						eof = true
						break gather
					}
					chunk = append(chunk, r.prepare(index, s))
					index++
				case <-idle.C:
					break gather
				case <-ctx.Done():
					return
				}
			}
			if !yield(chunk) || eof {
				return
			}
		}
	}, fn)
}

// resolveItem is one reference on its way through the engine.
type resolveItem struct {
	index int
	input string
	ref   match.Reference
	err   error // parse or lookup error: the reference fails without a request
	reg   *registryState
	auth  *authState
	cred  *CredentialRef // nil: anonymous
}

// prepare parses one input, finds its registry and credential, and
// announces its repository for scope batching.
func (r *Resolver) prepare(index int, input string) *resolveItem {
	it := &resolveItem{index: index, input: input}
	s := strings.TrimSpace(input)
	ref, err := match.ParseReference(s)
	if err != nil {
		it.err = err
		return it
	}
	it.ref = ref
	rs, err := r.registry(ref.Registry)
	if err != nil {
		it.err = err
		return it
	}
	it.reg = rs
	var cred match.Credential
	if ms := r.keyring.Lookup(ref, r.sem); len(ms) > 0 {
		cred = ms[0].Credential
		if !cred.IsEmpty() {
			it.cred = &CredentialRef{Key: cred.Key, Username: cred.Username, Source: cred.Source}
		}
	}
	it.auth = rs.authFor(cred)
	it.auth.announce(ref.Repository, r.now())
	return it
}

// run is the engine: chunks come from source (already prepared and
// announced), go to r.workers workers, and their results to fn in input
// order.
func (r *Resolver) run(ctx context.Context, source func(context.Context, func([]*resolveItem) bool), fn func(ResolveResult) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan *resolveItem, resolveWindow)
	results := make(chan resolvedItem, resolveWindow)
	slots := make(chan struct{}, resolveWindow)

	go func() {
		defer close(jobs)
		source(ctx, func(chunk []*resolveItem) bool {
			for _, it := range chunk {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return false
				}
				jobs <- it // never blocks: jobs has as much room as slots
			}
			return true
		})
	}()

	var wg sync.WaitGroup
	for range r.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				results <- resolvedItem{index: it.index, res: r.resolveItem(ctx, it)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var (
		ring    [resolveWindow]*ResolveResult
		next    int
		stopErr error
	)
	progress := r.progress(0)
	for ri := range results {
		res := ri.res
		progress(&res)
		ring[ri.index%resolveWindow] = &res
		for ring[next%resolveWindow] != nil {
			done := ring[next%resolveWindow]
			ring[next%resolveWindow] = nil
			next++
			<-slots
			if stopErr != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				stopErr = err
				continue
			}
			if err := fn(*done); err != nil {
				stopErr = err
				cancel()
			}
		}
	}
	if stopErr != nil {
		return stopErr
	}
	return ctx.Err()
}

// progress returns the function that counts a resolved reference and
// calls opts.Progress, one call at a time; total is 0 when unknown.
func (r *Resolver) progress(total int) func(*ResolveResult) {
	fn := r.opts.Progress
	if fn == nil {
		return func(*ResolveResult) {}
	}
	var (
		mu           sync.Mutex
		done, failed int
	)
	return func(res *ResolveResult) {
		mu.Lock()
		defer mu.Unlock()
		done++
		if res.Verdict != match.VerdictOK {
			failed++
		}
		fn(ProgressEvent{Input: res.Input, Verdict: res.Verdict, Done: done, Failed: failed, Total: total})
	}
}

// resolvedItem carries a result back to the collector.
type resolvedItem struct {
	index int
	res   ResolveResult
}

// resolveItem resolves one prepared item.
func (r *Resolver) resolveItem(ctx context.Context, it *resolveItem) ResolveResult {
	res := ResolveResult{Input: it.input, Credential: it.cred}
	if it.err != nil {
		res.Verdict, res.Error = match.VerdictError, it.err.Error()
		return res
	}
	if err := ctx.Err(); err != nil {
		return failed(res, err)
	}
	m, err := r.fetch(ctx, it)
	if err != nil {
		// A hostile server may echo the credential or a token.
		res = failed(res, err)
		res.Error = it.auth.red.redact(res.Error)
		return res
	}
	res.Verdict = match.VerdictOK
	res.Digest, res.MediaType, res.Platform, res.IndexDigest = m.digest, m.mediaType, m.platform, m.indexDigest
	res.Reference = it.ref.RepoToPull + "@" + m.digest
	return res
}

// failed fills in a failure result from err.
func failed(res ResolveResult, err error) ResolveResult {
	var ve *verdictError
	if errors.As(err, &ve) {
		res.Verdict, res.Error = ve.verdict, ve.msg
		return res
	}
	res.Verdict, _ = Classify(err)
	res.Error = errorText(err)
	return res
}

// verdictError is a failure whose class was decided where the facts were
// known (a 401 to an anonymous request is no-credentials, …). It wraps
// the verdict's sentinel and the cause, if any.
type verdictError struct {
	verdict match.Verdict
	msg     string
	cause   error
}

func (e *verdictError) Error() string { return string(e.verdict) + ": " + e.msg }

// Unwrap returns the verdict's sentinel and the cause.
func (e *verdictError) Unwrap() []error {
	var errs []error
	if s := e.verdict.Err(); s != nil {
		errs = append(errs, s)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// verdictf returns a verdictError without a cause.
func verdictf(verdict match.Verdict, format string, args ...any) error {
	return &verdictError{verdict: verdict, msg: fmt.Sprintf(format, args...)}
}

// unclassified returns a verdictError for cause, classified by [Classify],
// whose message is the cause's text without the URL a caller names.
func unclassified(cause error) error {
	v, _ := Classify(cause)
	return &verdictError{verdict: v, msg: errorText(cause), cause: cause}
}

// prefixed returns err with what prefixed to its message, keeping its
// verdict (a verdictError's, else Classify's) and cause.
func prefixed(err error, format string, args ...any) error {
	var ve *verdictError
	if errors.As(err, &ve) {
		return &verdictError{verdict: ve.verdict, msg: fmt.Sprintf(format, args...) + ": " + ve.msg, cause: ve.cause}
	}
	return classified(err, format, args...)
}

// classified returns a verdictError for cause, classified by [Classify],
// whose message is what followed by the cause's text.
func classified(cause error, format string, args ...any) error {
	v, _ := Classify(cause)
	return &verdictError{verdict: v, msg: fmt.Sprintf(format, args...) + ": " + errorText(cause), cause: cause}
}
