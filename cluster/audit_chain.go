package cluster

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/match"
)

// chainResult is the conflict finding of one pull-secret chain and image
// set, shared by every pod that has both.
type chainResult struct {
	pods      []string // the first few pods, for messages
	count     int
	conflicts []chainConflict
}

// chainConflict: for image (or any image of registry when image is ""), the kubelet's matches come from several
// Secrets with different credentials; winner is tried first.
type chainConflict struct {
	image    string
	registry string
	winner   string   // secret name
	secrets  []string // every secret with a matching, differing credential, in kubelet order
	users    []string // their users, same order
}

// maxNamedPods is how many pods a conflict message names.
const maxNamedPods = 3

// chain finds, for one pod with several pull secrets, the images for which
// the kubelet would try credentials of different Secrets that differ, and
// which one it tries first. Results are shared by pods with the same chain
// and images.
func (a *auditor) chain(ns string, p *corev1.Pod, names []string, rows map[string]*row, chains map[string]*chainResult) {
	var images []string
	for _, cs := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range cs {
			if c.Image != "" {
				images = append(images, c.Image)
			}
		}
	}
	// Pods whose usable secrets and images are the same share a result.
	var usable []string
	for _, n := range names {
		if r := rows[n]; r != nil && r.src != nil {
			usable = append(usable, n)
		}
	}
	if len(usable) < 2 {
		return
	}
	key := strings.Join(usable, ",") + "|" + strings.Join(images, ",")
	if cr := chains[key]; cr != nil {
		cr.count++
		if len(cr.pods) < maxNamedPods {
			cr.pods = append(cr.pods, p.Name)
		}
		return
	}
	cr := &chainResult{pods: []string{p.Name}, count: 1}
	chains[key] = cr
	var creds []match.Credential
	for _, n := range usable {
		creds = append(creds, match.CredentialsFromConfig(rows[n].src.Config, n)...)
	}
	if len(creds) < 2 {
		return
	}
	kr := match.NewKeyring(creds)
	seen := map[string]bool{}
	reported := map[string]bool{} // registries with a conflict on an image
	for _, img := range images {
		if seen[img] {
			continue
		}
		seen[img] = true
		ref, err := match.ParseReference(img)
		if err != nil {
			continue
		}
		if c, ok := conflictFor(kr, ref); ok {
			c.image = img
			cr.conflicts = append(cr.conflicts, c)
			reported[ref.Registry] = true
		}
	}
	// The same for every registry of the chain's keys that no image of the
	// pod pulls from: a probe image under each key.
	for _, cred := range creds {
		k, err := dockercfg.ParseKey(cred.Key)
		if err != nil {
			continue
		}
		probe := k.Host
		if k.Path != "" {
			probe += "/" + k.Path
		}
		probe += "/pullsecret-audit-probe"
		if seen[probe] {
			continue
		}
		seen[probe] = true
		ref, err := match.ParseReference(probe)
		if err != nil || reported[ref.Registry] {
			continue
		}
		if c, ok := conflictFor(kr, ref); ok {
			cr.conflicts = append(cr.conflicts, c)
			reported[ref.Registry] = true
		}
	}
}

// conflictFor reports whether the kubelet would try credentials of
// several Secrets for ref that differ, and in which order.
func conflictFor(kr *match.Keyring, ref match.Reference) (chainConflict, bool) {
	ms := kr.Lookup(ref, match.SemanticsKubelet)
	if len(ms) < 2 {
		return chainConflict{}, false
	}
	first := ms[0].Credential
	c := chainConflict{registry: ref.Registry, winner: first.Source}
	differs := false
	for _, m := range ms {
		if contains(c.secrets, m.Source) {
			continue
		}
		if m.Source != first.Source && !sameCredential(m.Credential, first) {
			differs = true
		}
		c.secrets = append(c.secrets, m.Source)
		c.users = append(c.users, m.Username)
	}
	return c, differs && len(c.secrets) > 1
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sameCredential(a, b match.Credential) bool {
	return a.Username == b.Username && a.Password == b.Password &&
		a.IdentityToken == b.IdentityToken && a.RegistryToken == b.RegistryToken
}

// report attaches each conflict to every Secret involved.
func (cr *chainResult) report(rows map[string]*row) {
	if len(cr.conflicts) == 0 {
		return
	}
	pods := "pod " + strings.Join(cr.pods, ", ")
	if cr.count > len(cr.pods) {
		pods += fmt.Sprintf(" and %d more pods", cr.count-len(cr.pods))
	}
	for _, c := range cr.conflicts {
		var tried []string
		for i, s := range c.secrets {
			tried = append(tried, fmt.Sprintf("%s (user %q)", s, c.users[i]))
		}
		what := "image " + c.image
		if c.image == "" {
			what = "images of " + c.registry + " (none of its containers pulls from there today)"
		}
		msg := fmt.Sprintf("%s, %s: secrets with different credentials for %s: %s; the kubelet tries them in that order, so %s wins unless the registry refuses it",
			pods, what, c.registry, strings.Join(tried, ", "), c.winner)
		for _, s := range c.secrets {
			if r := rows[s]; r != nil {
				r.problem(SeverityWarning, ProblemConflict, "%s", msg)
			}
		}
	}
}

// kubeletMissesHub warns for a Docker Hub key the kubelet does not use for
// Docker Hub images: it looks up a Docker Hub image with only that key, as
// the kubelet would.
func kubeletMissesHub(key string) string {
	k, err := dockercfg.ParseKey(key)
	if err != nil || !k.IsDockerHub() || k.Path != "" {
		return ""
	}
	ref, err := match.ParseReference("docker.io/library/busybox")
	if err != nil {
		return ""
	}
	kr := match.NewKeyring([]match.Credential{{Key: key, Username: "u", Password: "p"}})
	if len(kr.Lookup(ref, match.SemanticsKubelet)) == 0 {
		return fmt.Sprintf("Docker Hub key %q: the kubelet does not use it for Docker Hub images; write %q", key, dockercfg.DockerHubKey)
	}
	return ""
}

// tokenExpiry returns the expiry of a token the audit recognises: a JWT
// (exp claim; Azure ACR refresh tokens, Harbor robot tokens...) or an AWS
// ECR authorization token (user "AWS", a base64 JSON envelope with an
// "expiration" in seconds). what describes it for messages.
func tokenExpiry(user, tok string) (exp time.Time, what string, ok bool) {
	if tok == "" {
		return time.Time{}, "", false
	}
	if strings.HasPrefix(tok, "eyJ") {
		var claims struct {
			Exp *json.Number `json:"exp"`
		}
		if dockercfg.PeekJWT(tok, &claims) && claims.Exp != nil {
			if f, err := claims.Exp.Float64(); err == nil {
				return time.Unix(int64(f), 0), "token", true
			}
		}
	}
	if user == "AWS" {
		if b, err := base64.StdEncoding.DecodeString(tok); err == nil {
			var env struct {
				Expiration *json.Number `json:"expiration"`
			}
			if json.Unmarshal(b, &env) == nil && env.Expiration != nil {
				if f, err := env.Expiration.Float64(); err == nil {
					return time.Unix(int64(f), 0), "ECR token", true
				}
			}
		}
	}
	return time.Time{}, "", false
}
