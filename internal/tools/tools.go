//go:build tools

// Package tools pins modules used by tests and CI (crane, docker-credential-pass,
// the Distribution registry) so that go.mod records their versions.
package tools

import (
	_ "github.com/distribution/distribution/v3/configuration"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/auth/token"
	_ "github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	_ "github.com/docker/docker-credential-helpers/client"
	_ "github.com/docker/docker-credential-helpers/credentials"
	_ "github.com/docker/docker-credential-helpers/pass"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/google/go-containerregistry/cmd/crane/cmd"
	_ "github.com/google/go-containerregistry/pkg/authn"
	_ "github.com/google/go-containerregistry/pkg/v1/remote"
	_ "github.com/urfave/cli/v2"
	_ "golang.org/x/crypto/bcrypt"
	_ "k8s.io/api/core/v1"
	_ "k8s.io/api/rbac/v1"
	_ "k8s.io/apimachinery/pkg/apis/meta/v1"
	_ "sigs.k8s.io/yaml"
)
