package match

// Kind says whether a reference names its image by tag or by digest: one
// of the Kind constants.
type Kind string

// Reference kinds reported by [Reference.Kind].
const (
	// KindTag is a reference without a digest ("nginx", "quay.io/a/b:1").
	KindTag Kind = "tag"
	// KindDigest is a reference with a digest, with or without a tag
	// ("nginx@sha256:…", "nginx:1@sha256:…").
	KindDigest Kind = "digest"
)

// PullPolicy is a Kubernetes imagePullPolicy value.
type PullPolicy string

// The pull policies Kubernetes derives when a container leaves
// imagePullPolicy empty.
const (
	PullAlways       PullPolicy = "Always"
	PullIfNotPresent PullPolicy = "IfNotPresent"
)

// defaultTag is the tag the kubelet (and every container runtime) assumes
// when a reference has neither a tag nor a digest.
const defaultTag = "latest"

// Reference is a parsed image reference, normalised the way the kubelet
// normalises it (the grammar of github.com/distribution/reference
// ParseNormalizedNamed, see refparse.go).
// It is a comparable value.
type Reference struct {
	// Kind is KindTag or KindDigest.
	Kind Kind
	// Registry is the registry host[:port] as Docker writes it: "docker.io"
	// for Docker Hub (never "index.docker.io").
	Registry string
	// Repository is the path inside the registry, e.g. "library/nginx".
	Repository string
	// Tag is the tag; "latest" when the reference has neither tag nor digest
	// (see ImplicitTag), "" for a digest-only reference.
	Tag string
	// ImplicitTag reports that Tag is the default "latest" and was not written.
	ImplicitTag bool
	// Digest is the digest ("sha256:…"), or "".
	Digest string
	// RepoToPull is Registry/Repository ("docker.io/library/nginx"): the
	// string the kubelet matches credentials against and the key
	// containers/image starts its lookup from.
	RepoToPull string
}

// ParseReference parses an image reference as the kubelet does. Familiar
// names are normalised ("nginx" is docker.io/library/nginx:latest). The error
// names the image.
func ParseReference(image string) (Reference, error) {
	p, err := parseNormalizedNamed(image)
	if err != nil {
		return Reference{}, refError(image, err)
	}
	r := Reference{
		Kind:       KindTag,
		Registry:   p.domain,
		Repository: p.path,
		RepoToPull: p.domain + "/" + p.path,
		Tag:        p.tag,
	}
	if p.digest != "" {
		r.Kind = KindDigest
		r.Digest = p.digest
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = defaultTag
		r.ImplicitTag = true
	}
	return r, nil
}

// String returns the fully qualified reference, with the tag only when it
// was written: "docker.io/library/nginx", "quay.io/a/b:1@sha256:…".
// ParseReference(r.String()) == r.
func (r Reference) String() string {
	s := r.RepoToPull
	if r.Tag != "" && !r.ImplicitTag {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// IsDockerHub reports whether the reference names a Docker Hub repository.
func (r Reference) IsDockerHub() bool {
	return r.Registry == dockerHubDomain
}

// PullPolicy returns the imagePullPolicy Kubernetes assigns when the field is
// empty (k8s.io/kubernetes pkg/apis/core/v1/defaults.go): Always when the
// tag is "latest", written or implied — including "name:latest@sha256:…" —
// and IfNotPresent otherwise.
func (r Reference) PullPolicy() PullPolicy {
	if r.Tag == defaultTag {
		return PullAlways
	}
	return PullIfNotPresent
}

// DefaultPullPolicy returns the imagePullPolicy Kubernetes assigns to a
// container whose image is image and whose imagePullPolicy is empty. Like
// the API server it ignores parse errors: an unparseable image gets
// IfNotPresent.
func DefaultPullPolicy(image string) PullPolicy {
	r, err := ParseReference(image)
	if err != nil {
		return PullIfNotPresent
	}
	return r.PullPolicy()
}

// RepositoryReference returns the Reference the matcher looks up for a
// repository of a registry named as go-containerregistry names them
// ("index.docker.io" is Docker Hub, stored as "docker.io"). An empty
// repository stands for the registry itself (a registry-scoped lookup);
// otherwise the tag is the implied "latest".
func RepositoryReference(registry, repository string) Reference {
	if registry == dockerHubIndexHost {
		registry = dockerHubDomain
	}
	if repository == "" {
		return Reference{Kind: KindTag, Registry: registry, RepoToPull: registry}
	}
	return Reference{Kind: KindTag, Registry: registry, Repository: repository,
		RepoToPull: registry + "/" + repository, Tag: defaultTag, ImplicitTag: true}
}
