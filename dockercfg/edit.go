package dockercfg

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// EditFile is the read-modify-write of the credential file at path, and the
// one place where pullsecret changes a credential file in place. It reads
// the file (ReadFile: no directory, at most MaxFileSize), passes its content
// to edit and writes what edit returns back with WriteFileAtomic (a
// temporary file renamed over path, the file's mode kept, a symbolic link
// followed). A missing file is edited as empty content when create is set
// and is an error otherwise. Nothing is written when edit fails.
func EditFile(path string, create bool, edit func(data []byte) ([]byte, error)) error {
	var data []byte
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
	case err != nil:
		return fmt.Errorf("read %s: %w", path, unwrapPathError(err))
	case st.IsDir():
		return fmt.Errorf("read %s: is a directory", path)
	default:
		if data, err = ReadFile(path); err != nil {
			return err
		}
	}
	out, err := edit(data)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, out)
}

// EditConfig applies edit to the docker config in data, of either format,
// and returns it re-encoded in that format (Marshal), keeping every other
// entry and member. Empty content (or only white space) is a new, empty
// config.json, as for docker. name is used in errors (a file path).
func EditConfig(name string, data []byte, edit func(*Config) error) ([]byte, error) {
	var cfg *Config
	if len(bytes.TrimSpace(data)) == 0 {
		cfg = &Config{Format: FormatConfigJSON}
	} else {
		var err error
		if cfg, err = parse(data, name); err != nil {
			return nil, err
		}
	}
	if err := edit(cfg); err != nil {
		return nil, err
	}
	out, err := cfg.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return out, nil
}

// unwrapPathError drops the path an *fs.PathError repeats, for messages
// that name the file already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
