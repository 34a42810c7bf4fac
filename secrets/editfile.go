package secrets

import (
	"context"

	"github.com/pullsecret/pullsecret/dockercfg"
)

// EditCredentialFile applies edit to the credentials in the file at path
// and writes the result back in the same layout, keeping every other entry
// and member: a Secret manifest (IsManifest) through EditManifest, a docker
// config of either format through dockercfg.EditConfig. The file is read
// and replaced by dockercfg.EditFile, under the file's lock (path+".lock";
// concurrent edits are serialised, none is lost) and atomically, its mode,
// owner and group kept. A missing or empty file is a new config.json when
// create is set. Nothing is written when edit, parsing or validation fails.
func EditCredentialFile(ctx context.Context, path string, create bool, edit func(*dockercfg.Config) error) error {
	return dockercfg.EditFile(ctx, path, create, func(data []byte) ([]byte, error) {
		if IsManifest(data) {
			return EditManifest(path, data, edit)
		}
		return dockercfg.EditConfig(path, data, edit)
	})
}
