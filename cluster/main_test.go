package cluster_test

import (
	"encoding/base64"
	"testing"

	"github.com/pullsecret/pullsecret/internal/clustertest"
)

// TestMain runs the tests against the shared real control plane
// (internal/clustertest).
func TestMain(m *testing.M) { clustertest.Main(m) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
