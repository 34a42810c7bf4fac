package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/pullsecret/pullsecret/match"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// manifestInfo is what resolving one reference found.
type manifestInfo struct {
	digest, mediaType, platform, indexDigest string
}

// refused401 is a 401 answer to a manifest request, kept apart so that
// the caller can retry with a new token or classify it.
type refused401 struct {
	method, url string
	challenges  []Challenge
}

func (e *refused401) Error() string {
	return fmt.Sprintf("%s %s: 401 Unauthorized", e.method, e.url)
}

// insufficientScope reports whether the challenge says the token lacks
// the scope (rather than being invalid).
func (e *refused401) insufficientScope() bool {
	return slices.ContainsFunc(e.challenges, func(c Challenge) bool { return c.ErrorCode() == "insufficient_scope" })
}

// fetch resolves one reference: ping (shared), token (shared), then HEAD
// of the manifest (GET when HEAD gives no digest or fails, or to choose a
// platform from an index). A 401 with a cached token is retried once with
// a new token for this repository alone.
func (r *Resolver) fetch(ctx context.Context, it *resolveItem) (manifestInfo, error) {
	p, err := it.reg.pinged(ctx)
	if err != nil {
		return manifestInfo{}, err
	}
	repo := it.ref.Repository
	refPart := it.ref.Tag
	if it.ref.Digest != "" {
		refPart = it.ref.Digest
	}
	u := p.base + "/v2/" + repo + "/manifests/" + refPart
	as := it.auth

	var (
		call  *tokenCall
		fresh bool
		authz string
	)
	switch {
	case p.scheme == "":
	case as.cred.RegistryToken != "":
		authz = "Bearer " + as.cred.RegistryToken
	case p.scheme == "basic":
		authz = as.basic
	default:
		if call, fresh, err = as.token(ctx, p, repo, nil); err != nil {
			return manifestInfo{}, err
		}
		authz = call.bearer
	}
	m, err := r.manifest(ctx, p.client, it, u, authz)
	var ref *refused401
	is401 := errors.As(err, &ref)
	if is401 && call != nil && (!fresh || len(call.repos) > 1) {
		// The cached token was revoked or expired early, or a batch token
		// did not cover this repository: ask for this one alone.
		next, _, terr := as.token(ctx, p, repo, call)
		if terr != nil {
			as.refused(call, repo, false)
			return manifestInfo{}, terr
		}
		m, err = r.manifest(ctx, p.client, it, u, next.bearer)
		is401 = errors.As(err, &ref)
		as.refused(call, repo, err == nil)
	}
	if is401 {
		return manifestInfo{}, r.unauthorized(it, ref)
	}
	return m, err
}

// unauthorized classifies a final 401 as test-pull does.
func (r *Resolver) unauthorized(it *resolveItem, e *refused401) error {
	switch {
	case it.auth.anonymous():
		return verdictf(match.VerdictNoCredentials, "%s %s: anonymous access refused (401)", e.method, e.url)
	case e.insufficientScope():
		return verdictf(match.VerdictForbidden, "%s %s: insufficient scope: user %q may not pull %s (401)", e.method, e.url, it.auth.cred.Username, it.ref.Repository)
	}
	return verdictf(match.VerdictUnauthorized, "%s %s: the registry rejected the credentials of user %q (401)", e.method, e.url, it.auth.cred.Username)
}

// manifest asks for the manifest at u with authz: HEAD, unless a platform
// is wanted; GET when HEAD gives no digest or fails.
func (r *Resolver) manifest(ctx context.Context, client *http.Client, it *resolveItem, u, authz string) (manifestInfo, error) {
	if r.platform == nil {
		resp, err := r.send(ctx, client, http.MethodHead, u, authz)
		if err != nil {
			return manifestInfo{}, classified(err, "HEAD %s", u)
		}
		drain(resp)
		switch d := resp.Header.Get("Docker-Content-Digest"); {
		case resp.StatusCode == http.StatusOK && d != "":
			if it.ref.Digest != "" && d != it.ref.Digest {
				return manifestInfo{}, verdictf(match.VerdictError, "HEAD %s: the registry answered with digest %s", u, d)
			}
			return manifestInfo{digest: d, mediaType: mediaType(resp.Header.Get("Content-Type"))}, nil
		case resp.StatusCode == http.StatusUnauthorized:
			cs, _ := ParseChallenges(resp.Header.Values("WWW-Authenticate"))
			return manifestInfo{}, &refused401{method: http.MethodHead, url: u, challenges: cs}
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			// Retried already; a GET would only add load.
			return manifestInfo{}, verdictf(classifyStatus(resp.StatusCode), "HEAD %s: %d %s", u, resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		// No digest, or a failure whose reason is in a body: GET.
	}
	return r.getManifest(ctx, client, it, u, authz)
}

// getManifest GETs the manifest, computes its digest and, with a
// platform, chooses the platform's manifest from an index.
func (r *Resolver) getManifest(ctx context.Context, client *http.Client, it *resolveItem, u, authz string) (manifestInfo, error) {
	resp, err := r.send(ctx, client, http.MethodGet, u, authz)
	if err != nil {
		return manifestInfo{}, classified(err, "GET %s", u)
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		cs, _ := ParseChallenges(resp.Header.Values("WWW-Authenticate"))
		return manifestInfo{}, &refused401{method: http.MethodGet, url: u, challenges: cs}
	default:
		cerr := transport.CheckError(resp, http.StatusOK)
		v, _ := Classify(cerr)
		return manifestInfo{}, verdictf(v, "GET %s: %d: %s", u, resp.StatusCode, errorText(cerr))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
	if err != nil {
		return manifestInfo{}, classified(err, "GET %s: read manifest", u)
	}
	if len(body) > maxManifestSize {
		return manifestInfo{}, verdictf(match.VerdictError, "GET %s: manifest larger than %d bytes", u, maxManifestSize)
	}
	sum := sha256.Sum256(body)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	if want := it.ref.Digest; want != "" {
		if strings.HasPrefix(want, "sha256:") && want != digest {
			return manifestInfo{}, verdictf(match.VerdictError, "GET %s: the registry served content with digest %s", u, digest)
		}
		if !strings.HasPrefix(want, "sha256:") {
			if d := resp.Header.Get("Docker-Content-Digest"); d != want {
				return manifestInfo{}, verdictf(match.VerdictError, "GET %s: the registry answered with digest %q", u, d)
			}
			digest = want
		}
	}
	var doc v1.IndexManifest
	media := mediaType(resp.Header.Get("Content-Type"))
	parsed := json.Unmarshal(body, &doc) == nil
	if media == "" && parsed {
		media = string(doc.MediaType)
	}
	m := manifestInfo{digest: digest, mediaType: media}
	if r.platform == nil || !isIndex(media, doc, parsed) {
		return m, nil
	}
	for _, d := range doc.Manifests {
		if d.Platform != nil && d.Platform.Satisfies(*r.platform) {
			return manifestInfo{digest: d.Digest.String(), mediaType: string(d.MediaType), platform: d.Platform.String(), indexDigest: digest}, nil
		}
	}
	var have []string
	for _, d := range doc.Manifests {
		if d.Platform != nil {
			have = append(have, d.Platform.String())
		}
	}
	return manifestInfo{}, verdictf(match.VerdictNotFound, "%s: no manifest for platform %s in the index %s (it has %s)",
		it.ref.RepoToPull, r.platform, digest, strings.Join(have, ", "))
}

// isIndex reports whether a manifest is an OCI index or a Docker manifest
// list.
func isIndex(media string, doc v1.IndexManifest, parsed bool) bool {
	switch types.MediaType(media) {
	case types.OCIImageIndex, types.DockerManifestList:
		return true
	}
	return media == "" && parsed && len(doc.Manifests) > 0
}

// send sends one registry request with the manifest Accept header.
func (r *Resolver) send(ctx context.Context, client *http.Client, method, u, authz string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", manifestAccept)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	return resp, nil
}
