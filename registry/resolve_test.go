package registry_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

const resolvePass = "ci-Secret-Pa55"

// resolveEnv starts a token-auth registry where user "ci" may pull
// everything but secret/*, and anyone may pull public/*.
func resolveEnv(t testing.TB, mod func(*registrytest.Options)) *registrytest.Env {
	t.Helper()
	opts := registrytest.Options{
		Mode:          registrytest.Token,
		Users:         map[string]string{"ci": resolvePass},
		ACL:           map[string][]registrytest.Grant{"ci": {{Repo: "app*", Actions: []string{"pull"}}, {Repo: "team/*", Actions: []string{"pull"}}}},
		AnonymousPull: []string{"public/*"},
	}
	if mod != nil {
		mod(&opts)
	}
	return registrytest.New(t, opts)
}

// resolveOpts are options reaching env as user ci.
func resolveOpts(env *registrytest.Env) registry.ResolveOptions {
	return registry.ResolveOptions{
		Network:     registry.NetworkOptions{CAPEM: env.CAPEM, Resolve: env.ResolveArgs(), Timeout: 10 * time.Second},
		Credentials: []match.Credential{{Key: env.RegistryHost, Username: "ci", Password: resolvePass, HasAuthField: true, Source: "/test/config.json"}},
	}
}

// requestSummary counts recorded requests as "host route method status".
func requestSummary(env *registrytest.Env) map[string]int {
	out := map[string]int{}
	for _, r := range env.Requests() {
		out[fmt.Sprintf("%s %s %s %d", r.Host, r.Route, r.Method, r.Status)]++
	}
	return out
}

// tokenScopes returns the scope count of each token request, in order.
func tokenScopes(env *registrytest.Env) []int {
	var out []int
	for _, r := range env.Requests() {
		if r.Route == registrytest.RouteToken {
			out = append(out, len(r.Scopes))
		}
	}
	return out
}

// checkResolved checks that every result is ok, in input order, pinned to
// want[i].
func checkResolved(t *testing.T, env *registrytest.Env, refs []string, res []registry.ResolveResult, want []string) {
	t.Helper()
	if len(res) != len(refs) {
		t.Fatalf("got %d results for %d references", len(res), len(refs))
	}
	for i, r := range res {
		if r.Input != refs[i] {
			t.Fatalf("result %d is for %q, want %q (order lost)", i, r.Input, refs[i])
		}
		repo := strings.TrimPrefix(refs[i], env.RegistryHost+"/")
		repo = repo[:strings.LastIndexAny(repo, ":@")]
		if r.Verdict != match.VerdictOK || r.Digest != want[i] || r.Reference != env.RegistryHost+"/"+repo+"@"+want[i] {
			t.Fatalf("result %d = %+v, want ok %s", i, r, want[i])
		}
	}
	if leaks := env.Leaks(); len(leaks) > 0 {
		t.Errorf("credential leaks: %v", leaks)
	}
}

func TestResolveOneRepositoryCostsNPlusTwo(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	const n = 60
	digest, tags, err := env.TagMany(context.Background(), "app", n)
	if err != nil {
		t.Fatal(err)
	}
	refs := make([]string, n)
	want := make([]string, n)
	for i, tag := range tags {
		refs[i], want[i] = env.Ref("app", tag), digest
	}
	env.ResetCounts()
	res, err := registry.Resolve(context.Background(), refs, resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	checkResolved(t, env, refs, res, want)

	got := requestSummary(env)
	wantCounts := map[string]int{
		"registry ping GET 401":      1,
		"realm token GET 200":        1,
		"registry manifest HEAD 200": n,
	}
	if diff := cmp.Diff(wantCounts, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if total := len(env.Requests()); total != n+2 || total > n+3 {
		t.Errorf("%d requests for %d tags, want %d", total, n, n+2)
	}
	if res[0].Credential == nil || res[0].Credential.Username != "ci" {
		t.Errorf("credential = %+v, want user ci", res[0].Credential)
	}
}

func TestResolveScopeBatching(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	const repos, tagsPer = 50, 10
	digests := make([]string, repos)
	for i := range repos {
		d, _, err := env.TagMany(ctx, fmt.Sprintf("app%02d", i), tagsPer)
		if err != nil {
			t.Fatal(err)
		}
		digests[i] = d
	}
	// Tag-major order: every repository appears among the first inputs.
	var refs, want []string
	for tg := range tagsPer {
		for i := range repos {
			refs = append(refs, env.Ref(fmt.Sprintf("app%02d", i), fmt.Sprintf("tag-%05d", tg)))
			want = append(want, digests[i])
		}
	}
	tests := []struct {
		batch      int
		wantTokens []int // scopes per token request
	}{
		{batch: 0, wantTokens: []int{50}},
		{batch: 20, wantTokens: []int{20, 20, 10}},
		{batch: 1, wantTokens: slices.Repeat([]int{1}, 50)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("batch=%d", tt.batch), func(t *testing.T) {
			env.ResetCounts()
			opts := resolveOpts(env)
			opts.ScopeBatch = tt.batch
			res, err := registry.Resolve(ctx, refs, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkResolved(t, env, refs, res, want)
			got := tokenScopes(env)
			slices.Sort(got)
			slices.Reverse(got)
			if diff := cmp.Diff(tt.wantTokens, got); diff != "" {
				t.Errorf("scopes per token request (-want +got):\n%s", diff)
			}
			// Every scope asked for was granted: the registry accepts a
			// token whose access lists many repositories.
			for _, r := range env.Requests() {
				if r.Route == registrytest.RouteToken && len(r.Granted) != len(r.Scopes) {
					t.Errorf("token request granted %d of %d scopes", len(r.Granted), len(r.Scopes))
				}
			}
			wantCounts := map[string]int{
				"registry ping GET 401":      1,
				"realm token GET 200":        len(tt.wantTokens),
				"registry manifest HEAD 200": repos * tagsPer,
			}
			if diff := cmp.Diff(wantCounts, requestSummary(env)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if total, limit := len(env.Requests()), repos*tagsPer+len(tt.wantTokens)+3; total > limit {
				t.Errorf("%d requests, want at most %d", total, limit)
			}
		})
	}
}

func TestResolveTokenExpiry(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, func(o *registrytest.Options) { o.TokenExpiry = 2 * time.Second })
	digest, tags, err := env.TagMany(context.Background(), "app", 6)
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry.NewResolver(resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	env.ResetCounts()
	for round, batch := range [][]string{tags[:3], tags[3:]} {
		if round > 0 {
			// expires_in is 2 s: the token is replaced 0.4 s early.
			time.Sleep(1700 * time.Millisecond)
		}
		var refs, want []string
		for _, tag := range batch {
			refs, want = append(refs, env.Ref("app", tag)), append(want, digest)
		}
		res, err := r.Resolve(context.Background(), refs)
		if err != nil {
			t.Fatal(err)
		}
		checkResolved(t, env, refs, res, want)
	}
	want := map[string]int{
		"registry ping GET 401":      1, // the ping is reused by the second call
		"realm token GET 200":        2, // the token was refreshed
		"registry manifest HEAD 200": 6,
	}
	if diff := cmp.Diff(want, requestSummary(env)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestResolveReusesTokenAcrossCalls(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	digest, tags, err := env.TagMany(context.Background(), "app", 4)
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry.NewResolver(resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	env.ResetCounts()
	for _, tag := range tags {
		res, err := r.Resolve(context.Background(), []string{env.Ref("app", tag)})
		if err != nil {
			t.Fatal(err)
		}
		checkResolved(t, env, []string{env.Ref("app", tag)}, res, []string{digest})
	}
	if got, want := len(env.Requests()), 2+len(tags); got != want {
		t.Errorf("%d requests, want %d: %v", got, want, requestSummary(env))
	}
}

func TestResolveVerdicts(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	good, err := env.PushRandomImage(ctx, "team/app", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.PushRandomImage(ctx, "secret/app", "1"); err != nil {
		t.Fatal(err)
	}
	pub, err := env.PushRandomImage(ctx, "public/app", "1")
	if err != nil {
		t.Fatal(err)
	}
	ci := resolveOpts(env).Credentials
	wrong := []match.Credential{{Key: env.RegistryHost, Username: "ci", Password: "wrong-Secret-Pa55", Source: "x"}}
	const missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	tests := []struct {
		name        string
		image       string
		creds       []match.Credential
		wantVerdict match.Verdict
		wantDigest  string
		wantInError string
	}{
		{name: "tag", image: "team/app:1", creds: ci, wantVerdict: match.VerdictOK, wantDigest: good},
		{name: "digest input is checked and echoed", image: "team/app@" + good, creds: ci, wantVerdict: match.VerdictOK, wantDigest: good},
		{name: "tag and digest pins the digest", image: "team/app:other@" + good, creds: ci, wantVerdict: match.VerdictOK, wantDigest: good},
		{name: "unknown digest", image: "team/app@" + missing, creds: ci, wantVerdict: match.VerdictNotFound, wantInError: "MANIFEST_UNKNOWN"},
		{name: "missing tag", image: "team/app:nope", creds: ci, wantVerdict: match.VerdictNotFound, wantInError: "MANIFEST_UNKNOWN"},
		{name: "missing repository", image: "team/none:1", creds: ci, wantVerdict: match.VerdictNotFound, wantInError: "404"},
		{name: "no access", image: "secret/app:1", creds: ci, wantVerdict: match.VerdictForbidden, wantInError: "insufficient scope"},
		{name: "anonymous, private", image: "team/app:1", wantVerdict: match.VerdictNoCredentials, wantInError: "anonymous"},
		{name: "anonymous, public", image: "public/app:1", wantVerdict: match.VerdictOK, wantDigest: pub},
		{name: "wrong password", image: "team/app:1", creds: wrong, wantVerdict: match.VerdictUnauthorized, wantInError: `rejected the credentials of user "ci"`},
		{name: "bad reference", image: "Team/App:1", creds: ci, wantVerdict: match.VerdictError, wantInError: "must be lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := resolveOpts(env)
			opts.Credentials = tt.creds
			image := tt.image
			if !strings.HasPrefix(image, "Team") {
				image = env.RegistryHost + "/" + image
			}
			res, err := registry.Resolve(ctx, []string{image}, opts)
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if r.Verdict != tt.wantVerdict || r.Digest != tt.wantDigest || !strings.Contains(r.Error, tt.wantInError) {
				t.Fatalf("got %+v, want verdict %s digest %q error containing %q", r, tt.wantVerdict, tt.wantDigest, tt.wantInError)
			}
			if tt.wantDigest != "" {
				repo := strings.SplitN(tt.image, ":", 2)[0]
				repo = strings.SplitN(repo, "@", 2)[0]
				if want := env.RegistryHost + "/" + repo + "@" + tt.wantDigest; r.Reference != want {
					t.Errorf("reference %q, want %q", r.Reference, want)
				}
			}
			checkResultSecrets(t, r)
			if err := r.Err(); (err == nil) != (tt.wantVerdict == match.VerdictOK) {
				t.Errorf("Err() = %v", err)
			} else if err != nil && !strings.Contains(err.Error(), image) {
				t.Errorf("error %q does not name the image", err)
			}
		})
	}
}

// checkResultSecrets fails if a result shows a password or token.
func checkResultSecrets(t *testing.T, r registry.ResolveResult) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{resolvePass, "wrong-Secret-Pa55", base64.StdEncoding.EncodeToString([]byte("ci:" + resolvePass)), "eyJ"} {
		if strings.Contains(string(b), s) {
			t.Errorf("result shows a secret: %s", b)
		}
	}
}

func TestResolvePartialFailure(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	digest, tags, err := env.TagMany(context.Background(), "app", 20)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for i, tag := range tags {
		if i == 7 {
			refs = append(refs, env.Ref("app", "missing"))
		}
		refs = append(refs, env.Ref("app", tag))
	}
	env.ResetCounts()
	res, err := registry.Resolve(context.Background(), refs, resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Input != refs[i] {
			t.Fatalf("result %d is for %q, want %q", i, r.Input, refs[i])
		}
		if i == 7 {
			if r.Verdict != match.VerdictNotFound || r.Reference != "" {
				t.Errorf("missing tag: %+v", r)
			}
			continue
		}
		if r.Verdict != match.VerdictOK || r.Digest != digest {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	want := map[string]int{
		"registry ping GET 401":      1,
		"realm token GET 200":        1,
		"registry manifest HEAD 200": 20,
		"registry manifest HEAD 404": 1,
		"registry manifest GET 404":  1, // to read why
	}
	if diff := cmp.Diff(want, requestSummary(env)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestResolvePlatform(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	index, platforms, err := env.PushIndex(ctx, "app", "multi", "linux/amd64", "linux/arm64/v8")
	if err != nil {
		t.Fatal(err)
	}
	single, err := env.PushRandomImage(ctx, "app", "single")
	if err != nil {
		t.Fatal(err)
	}
	multi := env.Ref("app", "multi")
	tests := []struct {
		name     string
		platform string
		image    string
		want     registry.ResolveResult
	}{
		{
			name: "no platform: the index digest", image: multi,
			want: registry.ResolveResult{Digest: index, MediaType: "application/vnd.oci.image.index.v1+json"},
		},
		{
			name: "arm64", platform: "linux/arm64", image: multi,
			want: registry.ResolveResult{Digest: platforms["linux/arm64/v8"], MediaType: "application/vnd.oci.image.manifest.v1+json", Platform: "linux/arm64/v8", IndexDigest: index},
		},
		{
			name: "amd64 by index digest", platform: "linux/amd64", image: env.Ref("app", index),
			want: registry.ResolveResult{Digest: platforms["linux/amd64"], MediaType: "application/vnd.oci.image.manifest.v1+json", Platform: "linux/amd64", IndexDigest: index},
		},
		{
			name: "single image with a platform", platform: "linux/amd64", image: env.Ref("app", "single"),
			want: registry.ResolveResult{Digest: single, MediaType: "application/vnd.docker.distribution.manifest.v2+json"},
		},
		{
			name: "platform not in the index", platform: "linux/s390x", image: multi,
			want: registry.ResolveResult{Verdict: match.VerdictNotFound},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := resolveOpts(env)
			opts.Platform = tt.platform
			res, err := registry.Resolve(ctx, []string{tt.image}, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			want := tt.want
			want.Input = tt.image
			want.Credential = got.Credential
			if want.Verdict == "" {
				want.Verdict = match.VerdictOK
				want.Reference = env.RegistryHost + "/app@" + want.Digest
			} else {
				want.Error = got.Error
				if !strings.Contains(got.Error, "linux/s390x") || !strings.Contains(got.Error, "linux/arm64/v8") {
					t.Errorf("error %q should name the platform asked for and those available", got.Error)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveEachStreamsInOrder(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	ctx := context.Background()
	d1, tags1, err := env.TagMany(ctx, "app1", 30)
	if err != nil {
		t.Fatal(err)
	}
	d2, tags2, err := env.TagMany(ctx, "app2", 30)
	if err != nil {
		t.Fatal(err)
	}
	var refs, want []string
	for i := range tags1 {
		refs, want = append(refs, env.Ref("app1", tags1[i])), append(want, d1)
		refs, want = append(refs, env.Ref("app2", tags2[i])), append(want, d2)
	}
	opts := resolveOpts(env)
	opts.Concurrency = 16
	r, err := registry.NewResolver(opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []registry.ResolveResult
	if err := r.ResolveEach(ctx, slices.Values(refs), func(res registry.ResolveResult) error {
		got = append(got, res)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkResolved(t, env, refs, got, want)

	// An error from the callback stops the stream.
	stop := fmt.Errorf("enough")
	n := 0
	err = r.ResolveEach(ctx, slices.Values(refs), func(registry.ResolveResult) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if err != stop || n != 5 {
		t.Errorf("ResolveEach = %v after %d results, want %v after 5", err, n, stop)
	}
}

func TestResolveOtherAuthModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []registrytest.Mode{registrytest.Open, registrytest.Htpasswd} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			opts := registrytest.Options{Mode: mode}
			if mode == registrytest.Htpasswd {
				opts.Users = map[string]string{"ci": resolvePass}
			}
			env := registrytest.New(t, opts)
			digest, tags, err := env.TagMany(context.Background(), "app", 5)
			if err != nil {
				t.Fatal(err)
			}
			var refs, want []string
			for _, tag := range tags {
				refs, want = append(refs, env.Ref("app", tag)), append(want, digest)
			}
			env.ResetCounts()
			ro := resolveOpts(env)
			if mode == registrytest.Open {
				ro.Credentials = nil
			}
			res, err := registry.Resolve(context.Background(), refs, ro)
			if err != nil {
				t.Fatal(err)
			}
			checkResolved(t, env, refs, res, want)
			wantCounts := map[string]int{"registry ping GET 401": 1, "registry manifest HEAD 200": 5}
			if mode == registrytest.Open {
				wantCounts = map[string]int{"registry ping GET 200": 1, "registry manifest HEAD 200": 5}
			}
			if diff := cmp.Diff(wantCounts, requestSummary(env)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveUnreachableRegistry(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	digest, err := env.PushRandomImage(context.Background(), "app", "1")
	if err != nil {
		t.Fatal(err)
	}
	opts := resolveOpts(env)
	// No --resolve entry for this name: the dial fails (DNS or refused).
	refs := []string{env.Ref("app", "1"), "unreachable.invalid:1/app:1", "unreachable.invalid:1/app:2"}
	res, err := registry.Resolve(context.Background(), refs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Digest != digest {
		t.Errorf("good image: %+v", res[0])
	}
	for _, r := range res[1:] {
		if r.Verdict != match.VerdictNetwork {
			t.Errorf("unreachable registry: %+v", r)
		}
	}
}

func TestResolveOptionsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts registry.ResolveOptions
		want string
	}{
		{name: "bad platform", opts: registry.ResolveOptions{Platform: "linux"}, want: "platform"},
		{name: "negative concurrency", opts: registry.ResolveOptions{Concurrency: -1}, want: "concurrency"},
		{name: "negative batch", opts: registry.ResolveOptions{ScopeBatch: -1}, want: "batch"},
		{name: "unknown semantics", opts: registry.ResolveOptions{Semantics: "rkt"}, want: "semantics"},
		{name: "conflicting TLS options", opts: registry.ResolveOptions{Network: registry.NetworkOptions{SkipTLSVerify: true, CAFile: "x"}}, want: "skip-tls-verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := registry.NewResolver(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewResolver = %v, want an error about %s", err, tt.want)
			}
		})
	}
}

// maxReadAhead bounds how many references ResolveEach has read from its
// input but not yet handed to the callback: the references in flight (the
// engine's window, 2048) plus one chunk being gathered and one buffered
// (1024 each) plus the one being passed, as ResolveEach's documentation
// promises ("at most a few thousand are in flight").
const maxReadAhead = 4200

// TestResolveEachHoldsAWindow keeps the streaming-memory property without
// measuring memory: however many references come in, ResolveEach holds at
// most maxReadAhead of them at once. The input counts what it has yielded,
// the callback what it has received; their difference, taken each time the
// input yields, is what the resolver holds. It is a count, so neither load
// nor other tests in the process can change the verdict. (The live heap
// while streaming is BenchmarkResolveStream's "live-MB".)
func TestResolveEachHoldsAWindow(t *testing.T) {
	t.Parallel()
	env := resolveEnv(t, nil)
	const (
		n     = 20000
		every = 20 // one reference in every is a real tag; the rest fail to parse
	)
	digest, tags, err := env.TagMany(context.Background(), "app", n/every)
	if err != nil {
		t.Fatal(err)
	}
	// Real tags take a round trip, unparseable references none: results
	// come back out of order and wait in the engine for the slow ones.
	input := make([]string, n)
	for i := range input {
		if i%every == 0 {
			input[i] = env.Ref("app", tags[i/every])
		} else {
			input[i] = fmt.Sprintf("Not A Reference %d", i)
		}
	}
	r, err := registry.NewResolver(resolveOpts(env))
	if err != nil {
		t.Fatal(err)
	}
	var (
		delivered atomic.Int64
		maxHeld   atomic.Int64
	)
	refs := func(yield func(string) bool) {
		for i, s := range input {
			held := int64(i+1) - delivered.Load()
			if held > maxHeld.Load() {
				maxHeld.Store(held) // only this goroutine stores
			}
			if !yield(s) {
				return
			}
		}
	}
	err = r.ResolveEach(context.Background(), refs, func(res registry.ResolveResult) error {
		i := int(delivered.Load())
		if res.Input != input[i] {
			return fmt.Errorf("result %d is for %q, want %q", i, res.Input, input[i])
		}
		if ok := res.Verdict == match.VerdictOK && res.Digest == digest; ok != (i%every == 0) {
			return fmt.Errorf("result %d for %q: verdict %s, digest %q", i, res.Input, res.Verdict, res.Digest)
		}
		delivered.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := delivered.Load(); got != n {
		t.Fatalf("%d results, want %d", got, n)
	}
	t.Logf("%d references streamed; at most %d held at once", n, maxHeld.Load())
	if got := maxHeld.Load(); got > maxReadAhead {
		t.Errorf("ResolveEach held %d references at once, want at most %d: it reads its input ahead of the results without bound", got, maxReadAhead)
	}
}
