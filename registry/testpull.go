package registry

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pullsecret/pullsecret/match"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// AnonymousLabel is the Attempt.Credential of an anonymous attempt.
const AnonymousLabel = "anonymous"

// Size limits of what a pull test reads.
const (
	maxManifestSize = 4 << 20
	maxConfigSize   = 16 << 20
)

// manifestAccept is the Accept header of manifest requests: every manifest
// and index type a runtime accepts.
var manifestAccept = strings.Join([]string{
	string(types.OCIImageIndex), string(types.DockerManifestList),
	string(types.OCIManifestSchema1), string(types.DockerManifestSchema2),
	string(types.DockerManifestSchema1Signed), string(types.DockerManifestSchema1),
}, ", ")

// TestPullOptions configure [TestPull].
type TestPullOptions struct {
	// Network holds the CA, timeout, retry and --resolve settings; its
	// PlainHTTP also allows http:// registries and token realms.
	Network NetworkOptions
	// Transport, if set, is used instead of Network.Transport(), so that
	// several calls share one connection pool. It should come from
	// Network.Transport().
	Transport http.RoundTripper
	// Semantics is the consumer whose candidate order is simulated;
	// empty means SemanticsKubelet.
	Semantics match.Semantics
	// Blobs also fetches the image's config blob (for an index, that of
	// its first platform image).
	Blobs bool
	// Candidates, if not nil, are tried in this order instead of the
	// consumer's lookup over creds: for callers that combine keyrings as
	// the kubelet does (a pod's secrets, then the node's config.json, each
	// list in its own order). creds must still hold every credential, so
	// that none of their secrets appears in the result.
	Candidates []match.Match
}

// CredentialRef names a credential in reports, without its secret.
type CredentialRef struct {
	Key      string `json:"key"`
	Username string `json:"username,omitempty"`
	Source   string `json:"source"`
}

// Attempt is one step of a pull test: one request, or one decision made
// without a request (Status 0).
type Attempt struct {
	// Credential is the candidate's key, AnonymousLabel, or "" for steps
	// that use no credential (ping).
	Credential string `json:"credential,omitempty"`
	// Candidate is the candidate's 1-based position in the consumer's
	// order; 0 for ping and anonymous attempts.
	Candidate int `json:"candidate,omitempty"`
	// Step is StepPing, StepToken, StepManifest or StepBlob.
	Step Step `json:"step"`
	// Method and URL of the request (the URL carries no secret).
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
	// Status is the HTTP status, 0 when no response arrived.
	Status int `json:"status,omitempty"`
	// Error explains a failure; "" on success.
	Error string `json:"error,omitempty"`
	// Detail says what succeeded (a digest, a challenge, granted scopes).
	Detail string `json:"detail,omitempty"`
}

// StatusText is the text of the attempt's HTTP status ("Not Found" for
// 404), "" when no response arrived or the status is unknown.
func (a Attempt) StatusText() string {
	if a.Status == 0 {
		return ""
	}
	return http.StatusText(a.Status)
}

// AnonymousOutcome says whether an anonymous pull, tried after every
// candidate failed, works ([TestPullResult.Anonymous]).
type AnonymousOutcome string

// Anonymous outcomes in [TestPullResult.Anonymous].
const (
	AnonymousWorks AnonymousOutcome = "works"
	AnonymousFails AnonymousOutcome = "fails"
)

// TestPullResult is the outcome of a pull test of one image. Its JSON
// form is an element of the stable test-pull "results" (docs/json-output.md#test-pull).
type TestPullResult struct {
	// Image is the image as given; Reference its normalised form.
	Image     string `json:"image"`
	Reference string `json:"reference,omitempty"`
	// Verdict is VerdictOK or a failure class.
	Verdict match.Verdict `json:"verdict"`
	// Credential is the credential that pulled the image; nil for an
	// anonymous pull or a failure.
	Credential *CredentialRef `json:"credential,omitempty"`
	// Realm is the Bearer realm of the registry's challenge, if any;
	// Delegated reports that it is on another host.
	Realm     string `json:"realm,omitempty"`
	Delegated bool   `json:"delegated"`
	// Digest and MediaType are the manifest's, when the pull worked.
	Digest    string `json:"digest,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	// Semantics is the consumer whose candidate order was used.
	Semantics match.Semantics `json:"semantics"`
	// Candidates are the credentials the consumer tries, in order.
	Candidates []match.MatchedCredential `json:"candidates"`
	// Attempts are every step taken, in order.
	Attempts []Attempt `json:"attempts"`
	// Anonymous is AnonymousWorks or AnonymousFails when an anonymous
	// pull was tried after every candidate failed, "" otherwise (none is
	// tried after a candidate got "not found").
	Anonymous AnonymousOutcome `json:"anonymous,omitempty"`
	// Error explains a failure verdict in one line; "" when ok.
	Error string `json:"error,omitempty"`
	// Notes point out what a user should know (credentials that break a
	// public image, a delegated realm, skipped candidates).
	Notes []string `json:"notes,omitempty"`
}

// Err returns nil when the verdict is ok, else an *OutcomeError with
// Op OpPull.
func (r *TestPullResult) Err() error {
	if r.Verdict == match.VerdictOK {
		return nil
	}
	return &OutcomeError{Op: OpPull, Image: r.Image, Verdict: r.Verdict, Message: r.Error}
}

// TestPull tests whether image can be pulled with creds as the consumer
// opts.Semantics (the kubelet by default) would pull it, step by step
// (docs/registry.md#test-pull): the candidate credentials in the consumer's order; GET /v2/
// (the challenge, its realm and whether it is delegated to another host);
// per candidate a token from the realm, then HEAD of the manifest (and GET
// when HEAD gives no digest, to read the manifest or the error body; a
// HEAD the registry refuses is no error by itself); with opts.Blobs the
// config blob. Candidates are tried in order until one works. Without any
// candidate the pull is anonymous. When every candidate fails, an
// anonymous pull is tried too, to tell whether the credentials are what
// breaks the pull (the kubelet does not retry anonymously), unless a
// candidate got "not found": the registry then accepted the credential
// and the image does not exist.
//
// Credentials go to a token realm only over HTTPS (or with PlainHTTP),
// only to the realm's own host (never along a redirect to another host),
// and no password or token appears in the result.
//
// The error is for bad input only (an unparseable image, invalid
// options); registry failures are the result's Verdict (see
// [TestPullResult.Err]).
func TestPull(ctx context.Context, image string, creds []match.Credential, opts TestPullOptions) (*TestPullResult, error) {
	ref, err := match.ParseReference(image)
	if err != nil {
		return nil, err
	}
	sem := opts.Semantics
	if sem == "" {
		sem = match.SemanticsKubelet
	}
	if _, err := match.ParseSemantics(string(sem)); err != nil {
		return nil, err
	}
	rt := opts.Transport
	if rt == nil {
		if rt, err = opts.Network.Transport(); err != nil {
			return nil, fmt.Errorf("test pull %s: %w", image, err)
		}
	}
	reg, err := ParseRegistry(ref.Registry, opts.Network.PlainHTTP)
	if err != nil {
		return nil, fmt.Errorf("test pull %s: %w", image, err)
	}
	matches := opts.Candidates
	if matches == nil {
		matches = match.NewKeyring(creds).Lookup(ref, sem)
	}
	t := &pullTest{
		ctx: ctx, rt: rt, reg: reg, ref: ref, opts: opts,
		res: &TestPullResult{
			Image: image, Reference: ref.String(), Semantics: sem,
			Candidates: match.Summarize(matches), Attempts: []Attempt{},
		},
	}
	for _, c := range creds {
		t.red.addCredential(c)
	}
	t.run(matches)
	t.scrubResult()
	return t.res, nil
}

// pullTest is the state of one TestPull.
type pullTest struct {
	ctx      context.Context
	rt       http.RoundTripper
	reg      name.Registry
	ref      match.Reference
	opts     TestPullOptions
	res      *TestPullResult
	ping     *PingResult
	client   *http.Client // every request after the ping, behind the guard
	realm    *url.URL     // the Bearer realm the registry named, if it passed CheckRealm
	realmErr error        // why it did not
	chal     Challenge    // the challenge answered
	red      redactor     // the secrets to scrub from every text
}

// outcome is the result of one candidate's (or the anonymous) attempt.
type outcome struct {
	verdict match.Verdict
	msg     string
	digest  string
	media   string
}

func (o outcome) ok() bool { return o.verdict == match.VerdictOK }

// independent reports whether the failure has nothing to do with the
// credential (the network, TLS, a timeout, rate limiting), so that trying
// other credentials or none is pointless.
func (o outcome) independent() bool {
	switch o.verdict {
	case match.VerdictNetwork, match.VerdictTLS, match.VerdictTimeout, match.VerdictRateLimited:
		return true
	}
	return false
}

// candidate identifies who an attempt is made for.
type candidate struct {
	index int // 1-based; 0 = anonymous
	cred  match.Credential
}

func (c candidate) label() string {
	if c.index == 0 {
		return AnonymousLabel
	}
	return c.cred.Key
}

func (c candidate) anonymous() bool { return c.index == 0 || c.cred.IsEmpty() }

// scrub removes every known secret from s.
func (t *pullTest) scrub(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return t.red.redact(s)
}

func (t *pullTest) scrubResult() {
	r := t.res
	r.Error = t.scrub(r.Error)
	for i := range r.Attempts {
		r.Attempts[i].Error = t.scrub(r.Attempts[i].Error)
		r.Attempts[i].Detail = t.scrub(r.Attempts[i].Detail)
	}
	for i := range r.Notes {
		r.Notes[i] = t.scrub(r.Notes[i])
	}
}

func (t *pullTest) record(a Attempt) { t.res.Attempts = append(t.res.Attempts, a) }

func (t *pullTest) note(format string, args ...any) {
	t.res.Notes = append(t.res.Notes, fmt.Sprintf(format, args...))
}

func (t *pullTest) fail(o outcome) {
	t.res.Verdict, t.res.Error = o.verdict, o.msg
}

func (t *pullTest) run(matches []match.Match) {
	pr, err := ping(t.ctx, t.rt, t.reg, t.opts.Network.PlainHTTP)
	a := Attempt{Step: StepPing, Method: http.MethodGet, URL: "https://" + t.reg.RegistryStr() + "/v2/"}
	if pr != nil {
		a.URL, a.Status = pr.URL, pr.Status
		t.res.Realm, t.res.Delegated = pr.Realm, pr.Delegated
	}
	if err != nil {
		v, _ := Classify(err)
		a.Error = err.Error()
		t.record(a)
		t.fail(outcome{verdict: v, msg: "ping: " + err.Error()})
		return
	}
	t.ping = pr
	t.chal, _ = chosenChallenge(pr.Challenges)
	// A realm that fails CheckRealm is reported by the token step; the
	// guard then trusts the registry alone.
	var g guard
	g, t.realm, t.realmErr = pr.trust(t.opts.Network.PlainHTTP)
	t.client = newClient(t.rt, g)
	a.Detail = describePing(pr)
	t.record(a)
	if pr.Status == http.StatusOK {
		t.note("the registry requires no authentication; credentials are not sent")
	}
	if pr.Delegated {
		t.note("authentication is delegated to %s; the runtime sends the image's credentials there (OpenShift image import looks them up by that host: see `pullsecret delegated`)", pr.RealmHost)
	}

	if len(matches) == 0 {
		o := t.try(candidate{})
		if o.ok() {
			t.succeed(o, nil)
			return
		}
		if o.verdict == match.VerdictUnauthorized {
			o.verdict = match.VerdictNoCredentials
			o.msg = "no credential matches " + t.ref.RepoToPull + " and an anonymous pull is refused: " + o.msg
		}
		t.fail(o)
		return
	}

	var first *outcome
	found := 0 // the first candidate the registry answered "not found"
	for i, m := range matches {
		o := t.try(candidate{index: i + 1, cred: m.Credential})
		if o.ok() {
			if i > 0 {
				t.note("candidate %d works after %d failed; the %s tries candidates in order, so the pull succeeds", i+1, i, consumerName(t.res.Semantics))
			}
			t.succeed(o, &m)
			return
		}
		if o.verdict == match.VerdictNotFound && found == 0 {
			found = i + 1
		}
		if first == nil {
			o.msg = fmt.Sprintf("candidate %d (%s): %s", i+1, m.Key, o.msg)
			first = &o
		}
		if o.independent() {
			if i+1 < len(matches) {
				t.note("stopped after candidate %d: a %s failure does not depend on the credential", i+1, o.verdict)
			}
			t.fail(*first)
			return
		}
	}
	t.fail(*first)
	if found > 0 {
		// The credential got past authentication and the registry says
		// the image does not exist: an anonymous pull cannot do better.
		who := fmt.Sprintf("candidate %d (%s) was accepted and", found, matches[found-1].Key)
		if matches[found-1].IsEmpty() {
			who = fmt.Sprintf("with candidate %d (%s), empty,", found, matches[found-1].Key)
		}
		t.note("%s the registry says %s does not exist; an anonymous pull is not tried", who, t.ref.String())
		return
	}
	anon := t.try(candidate{})
	switch {
	case anon.ok():
		t.res.Anonymous = AnonymousWorks
		t.note("anonymous works; the credentials break the pull (the %s does not retry anonymously)", consumerName(t.res.Semantics))
	default:
		t.res.Anonymous = AnonymousFails
	}
}

func consumerName(s match.Semantics) string {
	switch s {
	case match.SemanticsDocker:
		return "docker CLI"
	case match.SemanticsPodman:
		return "containers/image library"
	}
	return "kubelet"
}

func (t *pullTest) succeed(o outcome, m *match.Match) {
	t.res.Verdict, t.res.Digest, t.res.MediaType, t.res.Error = match.VerdictOK, o.digest, o.media, ""
	if m != nil && !m.IsEmpty() {
		t.res.Credential = &CredentialRef{Key: m.Key, Username: m.Username, Source: m.Source}
	}
}

func describePing(pr *PingResult) string {
	switch {
	case pr.Status == http.StatusOK:
		return "no authentication required"
	case pr.IsBearer():
		d := fmt.Sprintf("Bearer realm=%q service=%q", pr.Realm, pr.Service)
		if pr.Delegated {
			d += " (delegated to " + pr.RealmHost + ")"
		}
		return d
	}
	return pr.Scheme + " challenge"
}

// try runs the token, manifest and blob steps for one candidate.
func (t *pullTest) try(c candidate) outcome {
	authz := ""
	switch {
	case t.ping.Status == http.StatusOK:
		// The registry needs no authentication; runtimes send nothing.
	case t.chal.IsScheme("bearer"):
		if c.cred.RegistryToken != "" {
			authz = "Bearer " + c.cred.RegistryToken
			t.record(Attempt{Credential: c.label(), Candidate: c.index, Step: StepToken, Detail: "registry token sent as the Bearer token (no exchange)"})
			break
		}
		tok, o, ok := t.token(c)
		if !ok {
			return o
		}
		t.red.addToken(tok)
		authz = "Bearer " + tok
	case t.chal.IsScheme("basic"):
		switch {
		case c.cred.RegistryToken != "":
			authz = "Bearer " + c.cred.RegistryToken
		case c.cred.Username != "" && c.cred.Password != "":
			authz = "Basic " + base64.StdEncoding.EncodeToString([]byte(c.cred.Username+":"+c.cred.Password))
		}
	default:
		msg := fmt.Sprintf("the registry asks for the %q auth scheme, which container runtimes do not support", t.chal.Scheme)
		t.record(Attempt{Credential: c.label(), Candidate: c.index, Step: StepToken, Error: msg})
		return outcome{verdict: match.VerdictError, msg: msg}
	}
	return t.manifest(c, authz)
}

// token obtains a Bearer token for c from the realm.
func (t *pullTest) token(c candidate) (string, outcome, bool) {
	a := Attempt{Credential: c.label(), Candidate: c.index, Step: StepToken, Method: http.MethodGet, URL: t.ping.Realm}
	if c.cred.IdentityToken != "" {
		a.Method = http.MethodPost
	}
	fail := func(v match.Verdict, msg string, status int) (string, outcome, bool) {
		a.Status, a.Error = status, msg
		t.record(a)
		if c.anonymous() && v == match.VerdictUnauthorized {
			v = match.VerdictNoCredentials
		}
		return "", outcome{verdict: v, msg: "token: " + msg}, false
	}
	if t.realmErr != nil {
		return fail(realmVerdict(t.realmErr), t.realmErr.Error(), 0)
	}
	realm := t.realm
	cred := c.cred
	if c.index == 0 {
		cred = match.Credential{}
	}
	rep, err := fetchToken(t.ctx, t.client, tokenRequest{
		realm: realm, service: t.chal.Service(), cred: cred,
		scopes: []string{"repository:" + t.ref.Repository + ":pull"},
	})
	if err != nil {
		v, _ := Classify(err)
		msg := err.Error()
		var ve *verdictError
		if errors.As(err, &ve) {
			v, msg = ve.verdict, ve.msg
		}
		return fail(v, msg, rep.status)
	}
	bearer := rep.token
	a.Status = http.StatusOK
	if access, ok := tokenAccess(bearer); ok {
		if len(access) == 0 {
			a.Detail = "token grants no access"
		} else {
			a.Detail = "token grants " + strings.Join(access, " ")
		}
		if !grantsPull(access, t.ref.Repository) {
			a.Detail += " (no pull on " + t.ref.Repository + ")"
		}
	} else {
		a.Detail = "token issued"
	}
	t.record(a)
	return bearer, outcome{}, true
}

// realmIPMessage explains go-containerregistry's refusal of a realm on a
// private IP literal and what to do.
func realmIPMessage(raw string, realm *url.URL, registry string) string {
	return fmt.Sprintf("the token realm %s is on the private or loopback IP address %s, on another host:port than the registry %s; "+
		"go-containerregistry (crane, and this tool) refuse such realms as a server-side request forgery guard; "+
		"give the token server a host name (in DNS, or with --resolve NAME:%s:%s) and make the registry advertise that name in its realm",
		raw, realm.Hostname(), registry, portOf(realm), realm.Hostname())
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// errorText is err's message without the URL the attempt already names:
// for a registry error response its codes and messages ("UNAUTHORIZED:
// authentication required"), else the cause inside a *url.Error.
func errorText(err error) string {
	var terr *transport.Error
	if errors.As(err, &terr) {
		if len(terr.Errors) > 0 {
			parts := make([]string, 0, len(terr.Errors))
			for _, d := range terr.Errors {
				p := string(d.Code)
				if d.Message != "" {
					p += ": " + d.Message
				}
				parts = append(parts, p)
			}
			return strings.Join(parts, "; ")
		}
		msg := terr.Error()
		if terr.Request != nil {
			if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, terr.Request.Method+" ") {
				msg = msg[i+2:]
			}
		}
		return msg
	}
	return unwrapURLError(err).Error()
}

// registryURL returns the URL of path on the registry, with the scheme
// the ping used.
func (t *pullTest) registryURL(path string) string {
	scheme := "https"
	if t.ping.Insecure {
		scheme = "http"
	}
	return scheme + "://" + t.reg.RegistryStr() + "/v2/" + t.ref.Repository + path
}

// get sends a request with authz.
func (t *pullTest) get(method, u, accept, authz string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(t.ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	return resp, nil
}

// manifest runs HEAD (and, on failure or to read it, GET) of the manifest.
func (t *pullTest) manifest(c candidate, authz string) outcome {
	refPart := t.ref.Tag
	if t.ref.Digest != "" {
		refPart = t.ref.Digest
	}
	u := t.registryURL("/manifests/" + refPart)
	a := Attempt{Credential: c.label(), Candidate: c.index, Step: StepManifest, Method: http.MethodHead, URL: u}
	resp, err := t.get(http.MethodHead, u, manifestAccept, authz)
	if err != nil {
		return t.requestFailed(a, err)
	}
	drain(resp)
	a.Status = resp.StatusCode
	digest := resp.Header.Get("Docker-Content-Digest")
	media := mediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode == http.StatusOK && digest != "" && !t.opts.Blobs {
		if t.ref.Digest != "" && digest != t.ref.Digest {
			return t.mismatch(a, digest)
		}
		a.Detail = digest + " " + media
		t.record(a)
		return outcome{verdict: match.VerdictOK, digest: digest, media: media}
	}
	if resp.StatusCode == http.StatusOK {
		a.Detail = "found; reading the manifest"
		if digest != "" {
			a.Detail = digest + " " + media
		}
	} else {
		// Not an error by itself: registries may refuse or not implement
		// HEAD, and the GET below decides (docs/registry.md#test-pull).
		a.Detail = "GET follows (HEAD gave no digest)"
	}
	t.record(a)

	g := Attempt{Credential: c.label(), Candidate: c.index, Step: StepManifest, Method: http.MethodGet, URL: u}
	resp, err = t.get(http.MethodGet, u, manifestAccept, authz)
	if err != nil {
		return t.requestFailed(g, err)
	}
	defer resp.Body.Close()
	g.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		return t.responseFailed(g, c, resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
	if err != nil {
		return t.requestFailed(g, err)
	}
	if len(body) > maxManifestSize {
		g.Error = fmt.Sprintf("manifest larger than %d bytes", maxManifestSize)
		t.record(g)
		return outcome{verdict: match.VerdictError, msg: "manifest: " + g.Error}
	}
	sum := sha256.Sum256(body)
	computed := "sha256:" + hex.EncodeToString(sum[:])
	if d := resp.Header.Get("Docker-Content-Digest"); d != "" {
		digest = d
	} else if digest == "" {
		digest = computed
	}
	if t.ref.Digest != "" && t.ref.Digest != computed && strings.HasPrefix(t.ref.Digest, "sha256:") {
		return t.mismatch(g, computed)
	}
	media = mediaType(resp.Header.Get("Content-Type"))
	g.Detail = fmt.Sprintf("%s %s (%d bytes)", digest, media, len(body))
	t.record(g)
	o := outcome{verdict: match.VerdictOK, digest: digest, media: media}
	if t.opts.Blobs {
		if bo := t.configBlob(c, authz, body, media); !bo.ok() {
			return bo
		}
	}
	return o
}

func (t *pullTest) mismatch(a Attempt, got string) outcome {
	a.Error = fmt.Sprintf("the registry served digest %s for %s", got, t.ref.Digest)
	t.record(a)
	return outcome{verdict: match.VerdictError, msg: "manifest: " + a.Error}
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

// requestFailed records a request that got no response.
func (t *pullTest) requestFailed(a Attempt, err error) outcome {
	v, _ := Classify(err)
	a.Error = err.Error()
	t.record(a)
	return outcome{verdict: v, msg: string(a.Step) + ": " + a.Error}
}

// responseFailed records and classifies an error response of the
// registry, reading its error body.
func (t *pullTest) responseFailed(a Attempt, c candidate, resp *http.Response) outcome {
	cerr := transport.CheckError(resp, http.StatusOK)
	v, _ := Classify(cerr)
	msg := errorText(cerr)
	if resp.StatusCode == http.StatusUnauthorized {
		cs, _ := ParseChallenges(resp.Header.Values("WWW-Authenticate"))
		insufficient := slices.ContainsFunc(cs, func(ch Challenge) bool { return ch.ErrorCode() == "insufficient_scope" })
		switch {
		case c.anonymous():
			v = match.VerdictNoCredentials
			msg = "anonymous access refused: " + msg
		case insufficient:
			v = match.VerdictForbidden
			msg = fmt.Sprintf("insufficient scope: user %q may not pull %s: %s", c.cred.Username, t.ref.Repository, msg)
		default:
			v = match.VerdictUnauthorized
		}
	}
	a.Error = msg
	t.record(a)
	return outcome{verdict: v, msg: string(a.Step) + ": " + msg}
}

// configBlob fetches the image's config blob; for an index, that of its
// first platform image.
func (t *pullTest) configBlob(c candidate, authz string, body []byte, media string) outcome {
	var man v1.Manifest
	if err := json.Unmarshal(body, &man); err != nil {
		return t.blobError(c, "parse manifest: "+err.Error())
	}
	if man.MediaType == "" {
		man.MediaType = types.MediaType(media)
	}
	if man.MediaType.IsIndex() || man.Config.Digest == (v1.Hash{}) {
		var idx v1.IndexManifest
		if err := json.Unmarshal(body, &idx); err != nil {
			return t.blobError(c, "parse manifest: "+err.Error())
		}
		if man.MediaType.IsIndex() || len(idx.Manifests) > 0 {
			child, o, ok := t.childManifest(c, authz, idx)
			if !ok {
				return o
			}
			man = child
		}
	}
	if man.Config.Digest == (v1.Hash{}) {
		t.record(Attempt{Credential: c.label(), Candidate: c.index, Step: StepBlob, Detail: "the manifest has no config blob (schema 1); nothing to fetch"})
		return outcome{verdict: match.VerdictOK}
	}
	want := man.Config.Digest.String()
	u := t.registryURL("/blobs/" + want)
	a := Attempt{Credential: c.label(), Candidate: c.index, Step: StepBlob, Method: http.MethodGet, URL: u}
	resp, err := t.get(http.MethodGet, u, "", authz)
	if err != nil {
		return t.requestFailed(a, err)
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		return t.responseFailed(a, c, resp)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(resp.Body, maxConfigSize))
	if err != nil {
		return t.requestFailed(a, err)
	}
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if man.Config.Digest.Algorithm == "sha256" && got != want {
		a.Error = fmt.Sprintf("config blob digest is %s, want %s", got, want)
		t.record(a)
		return outcome{verdict: match.VerdictError, msg: "blob: " + a.Error}
	}
	a.Detail = fmt.Sprintf("config %s (%d bytes)", want, n)
	if final := resp.Request.URL; final.Host != t.reg.RegistryStr() {
		a.Detail += " served by " + final.Host
	}
	t.record(a)
	return outcome{verdict: match.VerdictOK}
}

// childManifest reads the first platform image of an index (attestation
// manifests, of platform unknown/unknown, are skipped). A manifest larger
// than maxManifestSize is an error, not cut.
func (t *pullTest) childManifest(c candidate, authz string, idx v1.IndexManifest) (v1.Manifest, outcome, bool) {
	var child *v1.Descriptor
	for i, m := range idx.Manifests {
		if m.Platform != nil && (m.Platform.OS == "unknown" || m.Platform.Architecture == "unknown") {
			continue
		}
		child = &idx.Manifests[i]
		break
	}
	if child == nil {
		return v1.Manifest{}, t.blobError(c, "the index lists no platform image"), false
	}
	u := t.registryURL("/manifests/" + child.Digest.String())
	a := Attempt{Credential: c.label(), Candidate: c.index, Step: StepManifest, Method: http.MethodGet, URL: u}
	resp, err := t.get(http.MethodGet, u, manifestAccept, authz)
	if err != nil {
		return v1.Manifest{}, t.requestFailed(a, err), false
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		return v1.Manifest{}, t.responseFailed(a, c, resp), false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
	if err != nil {
		return v1.Manifest{}, t.requestFailed(a, err), false
	}
	if len(body) > maxManifestSize {
		a.Error = fmt.Sprintf("platform manifest larger than %d bytes", maxManifestSize)
		t.record(a)
		return v1.Manifest{}, outcome{verdict: match.VerdictError, msg: "manifest: " + a.Error}, false
	}
	a.Detail = "platform image " + child.Digest.String()
	if p := child.Platform; p != nil {
		a.Detail += " (" + p.OS + "/" + p.Architecture + ")"
	}
	t.record(a)
	var man v1.Manifest
	if err := json.Unmarshal(body, &man); err != nil {
		return v1.Manifest{}, t.blobError(c, "parse platform manifest: "+err.Error()), false
	}
	return man, outcome{}, true
}

func (t *pullTest) blobError(c candidate, msg string) outcome {
	t.record(Attempt{Credential: c.label(), Candidate: c.index, Step: StepBlob, Error: msg})
	return outcome{verdict: match.VerdictError, msg: "blob: " + msg}
}
