package registrytest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/distribution/distribution/v3/registry/storage"
)

// AdminAuth returns the credentials of AdminUser, who may do anything
// (Htpasswd and Token modes; in Open mode credentials are not needed).
func (e *Env) AdminAuth() authn.Authenticator {
	return &authn.Basic{Username: AdminUser, Password: e.adminPass}
}

// seedTransport marks requests so that front neither records nor faults
// them, and adds a fixed Authorization header if set.
type seedTransport struct {
	base          http.RoundTripper
	key           string
	authorization string
}

func (t seedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(seedHeader, t.key)
	if t.authorization != "" {
		r.Header.Set("Authorization", t.authorization)
	}
	return t.base.RoundTrip(r)
}

// seedOptions are the remote options of the seeding helpers for repo. In
// Token mode every request carries a token minted here (so the ping
// succeeds and the client never meets the token server, which may be
// faulted or on a realm go-containerregistry refuses).
func (e *Env) seedOptions(ctx context.Context, repo string) ([]remote.Option, error) {
	auth := e.AdminAuth()
	t := seedTransport{base: e.Transport(), key: e.seedKey}
	switch e.opts.Mode {
	case Open:
		auth = authn.Anonymous
	case Token:
		tok, err := e.mint(AdminUser, []scope{{typ: "repository", name: repo, actions: []string{"*"}}}, time.Now())
		if err != nil {
			return nil, err
		}
		auth = authn.Anonymous
		t.authorization = "Bearer " + tok
	}
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(t),
	}, nil
}

// Ref returns the reference "RegistryHost/repo:tag" (or "@digest" when tag
// starts with "sha256:").
func (e *Env) Ref(repo, tag string) string {
	if len(tag) > 7 && tag[:7] == "sha256:" {
		return e.RegistryHost + "/" + repo + "@" + tag
	}
	return e.RegistryHost + "/" + repo + ":" + tag
}

// PushRandomImage pushes a small random single-layer image as repo:tag with
// the admin's credentials and returns its manifest digest. Seeding requests
// are neither recorded nor faulted.
func (e *Env) PushRandomImage(ctx context.Context, repo, tag string) (string, error) {
	ref, err := name.NewTag(e.Ref(repo, tag), name.StrictValidation)
	if err != nil {
		return "", fmt.Errorf("push random image: %w", err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		return "", fmt.Errorf("push random image to %s: %w", ref, err)
	}
	opts, err := e.seedOptions(ctx, repo)
	if err != nil {
		return "", fmt.Errorf("push random image to %s: %w", ref, err)
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return "", fmt.Errorf("push random image to %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("push random image to %s: %w", ref, err)
	}
	return d.String(), nil
}

// PushIndex pushes an OCI image index as repo:tag holding one random image
// per platform ("os/arch[/variant]"; default linux/amd64 and linux/arm64).
// It returns the index digest and each platform's manifest digest, keyed by
// the platform string as given.
func (e *Env) PushIndex(ctx context.Context, repo, tag string, platforms ...string) (string, map[string]string, error) {
	ref, err := name.NewTag(e.Ref(repo, tag), name.StrictValidation)
	if err != nil {
		return "", nil, fmt.Errorf("push index: %w", err)
	}
	if len(platforms) == 0 {
		platforms = []string{"linux/amd64", "linux/arm64"}
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	digests := make(map[string]string, len(platforms))
	for _, ps := range platforms {
		p, err := v1.ParsePlatform(ps)
		if err != nil {
			return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
		}
		img, err := e.platformImage(*p)
		if err != nil {
			return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
		}
		d, err := img.Digest()
		if err != nil {
			return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
		}
		digests[ps] = d.String()
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: p},
		})
	}
	opts, err := e.seedOptions(ctx, repo)
	if err != nil {
		return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
	}
	if err := remote.WriteIndex(ref, idx, opts...); err != nil {
		return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		return "", nil, fmt.Errorf("push index to %s: %w", ref, err)
	}
	return d.String(), digests, nil
}

// platformImage makes a random OCI image whose config names platform p.
func (e *Env) platformImage(p v1.Platform) (v1.Image, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	return mutate.ConfigFile(img, cf)
}

// TagMany makes n tags in repo, "tag-00000" … in order, all naming one
// small random image, and returns the image digest and the tags. The image
// is pushed once by digest; the tags are then written straight into the
// registry's storage (through Distribution's own tag store), so 10,000 tags
// take about half a second on two cores.
func (e *Env) TagMany(ctx context.Context, repo string, n int) (string, []string, error) {
	if n < 1 {
		return "", nil, fmt.Errorf("tag %d images in %s: need at least one", n, repo)
	}
	ref, err := name.NewRepository(e.RegistryHost+"/"+repo, name.StrictValidation)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
	}
	opts, err := e.seedOptions(ctx, repo)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
	}
	if err := remote.Write(ref.Digest(d.String()), img, opts...); err != nil {
		return "", nil, fmt.Errorf("tag many in %s: push image: %w", repo, err)
	}

	ns, err := storage.NewRegistry(ctx, e.driver)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: open storage: %w", repo, err)
	}
	named, err := reference.WithName(repo)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
	}
	r, err := ns.Repository(ctx, named)
	if err != nil {
		return "", nil, fmt.Errorf("tag many in %s: open repository: %w", repo, err)
	}
	desc := ocispec.Descriptor{Digest: digest.Digest(d.String())}
	ts := r.Tags(ctx)
	tags := make([]string, n)
	for i := range tags {
		if err := ctx.Err(); err != nil {
			return "", nil, fmt.Errorf("tag many in %s: %w", repo, err)
		}
		tags[i] = fmt.Sprintf("tag-%05d", i)
		if err := ts.Tag(ctx, tags[i], desc); err != nil {
			return "", nil, fmt.Errorf("tag many in %s: tag %s: %w", repo, tags[i], err)
		}
	}
	return d.String(), tags, nil
}
