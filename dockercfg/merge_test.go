package dockercfg_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pullsecret/pullsecret/dockercfg"
)

func TestMerge(t *testing.T) {
	t.Parallel()
	parse := func(name, doc string) dockercfg.Source {
		cfg, err := dockercfg.Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return dockercfg.Source{Name: name, Config: cfg}
	}
	a := parse("a", `{"auths":{"docker.io":{"auth":"dTE6cDE="},"quay.io":{"auth":"dTI6cDI="}},"credsStore":"x"}`)
	b := parse("b", `{"auths":{"https://index.docker.io/v1/":{"auth":"dTM6cDM="},"ghcr.io":{"auth":"dTQ6cDQ="},"QUAY.IO":{"auth":"dTU6cDU="}}}`)
	hub := dockercfg.DockerHubKey
	tests := []struct {
		name          string
		preferLast    bool
		wantKeys      []string
		wantUsers     []string
		wantConflicts []dockercfg.MergeConflict
	}{
		{
			name: "first", wantKeys: []string{"docker.io", "quay.io", "ghcr.io"}, wantUsers: []string{"u1", "u2", "u4"},
			wantConflicts: []dockercfg.MergeConflict{
				{Key: hub, Kept: 0, Entries: []dockercfg.MergeEntry{{Source: "a", Key: "docker.io", Username: "u1"}, {Source: "b", Key: hub, Username: "u3"}}},
				{Key: "quay.io", Kept: 0, Entries: []dockercfg.MergeEntry{{Source: "a", Key: "quay.io", Username: "u2"}, {Source: "b", Key: "QUAY.IO", Username: "u5"}}},
			},
		},
		{
			name: "last", preferLast: true, wantKeys: []string{hub, "QUAY.IO", "ghcr.io"}, wantUsers: []string{"u3", "u5", "u4"},
			wantConflicts: []dockercfg.MergeConflict{
				{Key: hub, Kept: 1, Entries: []dockercfg.MergeEntry{{Source: "a", Key: "docker.io", Username: "u1"}, {Source: "b", Key: hub, Username: "u3"}}},
				{Key: "quay.io", Kept: 1, Entries: []dockercfg.MergeEntry{{Source: "a", Key: "quay.io", Username: "u2"}, {Source: "b", Key: "QUAY.IO", Username: "u5"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, conflicts := dockercfg.Merge([]dockercfg.Source{a, b}, tt.preferLast)
			var keys, users []string
			for _, e := range cfg.Entries {
				keys = append(keys, e.Key)
				users = append(users, e.Username)
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUsers, users); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantConflicts, conflicts); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
			if cfg.CredsStore != "" || cfg.Format != dockercfg.FormatConfigJSON {
				t.Errorf("merged config carries credsStore %q / format %v", cfg.CredsStore, cfg.Format)
			}
		})
	}
}
