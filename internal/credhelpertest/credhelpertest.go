// Package credhelpertest is a docker credential helper whose store is a JSON
// file, for tests and the demo. It is served by docker-credential-helpers' own
// credentials package (credentials.Serve), so it speaks exactly the protocol
// the real helpers (pass, secretservice, osxkeychain) speak.
//
// internal/demohelper is its command. The dockercfg tests re-execute their own
// test binary under the name docker-credential-<name> and call Main.
//
// The store file is $PULLSECRET_DEMO_STORE or, when that is unset, the path the
// helper was invoked by (argv[0]) with ".json" appended, so that every test can
// install its own helper with its own store without touching the environment.
// A missing store file is an empty store. Faults in the store make an action
// misbehave, to test how callers handle failing helpers.
package credhelpertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"
)

// StoreEnv names the environment variable holding the store file path.
const StoreEnv = "PULLSECRET_DEMO_STORE"

// Store is the content of the store file.
type Store struct {
	// Credentials maps a server URL, exactly as the client sends it, to its
	// credentials.
	Credentials map[string]Credential `json:"credentials"`
	// Faults makes an action misbehave. The key is an action ("get", "list",
	// "store", "erase") or an action, a space and a server URL
	// ("get quay.io"), which takes precedence.
	Faults map[string]Fault `json:"faults,omitempty"`
}

// Credential is one stored credential. A Username of "<token>" marks Secret
// as an identity token, as docker does.
type Credential struct {
	Username string `json:"username"`
	Secret   string `json:"secret"`
}

// Fault is a misbehaviour: the helper writes Stdout and Stderr, sleeps for
// Sleep (a time.Duration string) and exits with ExitCode, without running the
// action.
type Fault struct {
	Stdout   string `json:"stdout,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
	Sleep    string `json:"sleep,omitempty"`
	ExitCode int    `json:"exitCode,omitempty"`
}

// StorePath returns the store file for a helper invoked as argv0.
func StorePath(argv0 string, getenv func(string) string) string {
	if p := getenv(StoreEnv); p != "" {
		return p
	}
	return argv0 + ".json"
}

// Load reads a store file; a missing file is an empty store.
func Load(path string) (*Store, error) {
	st := &Store{Credentials: map[string]Credential{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("parse store %s: %w", path, err)
	}
	if st.Credentials == nil {
		st.Credentials = map[string]Credential{}
	}
	return st, nil
}

// Save writes st to path (mode 0600) through a temporary file and a rename.
func (st *Store) Save(path string) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".store*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Main serves the helper protocol for os.Args[1] and exits; it does not return.
func Main() {
	path := StorePath(os.Args[0], os.Getenv)
	credentials.Serve(&helper{path: path}) // exits only on failure
	os.Exit(0)
}

// helper is the credentials.Helper over a store file.
type helper struct{ path string }

var _ credentials.Helper = (*helper)(nil)

// load reads the store and applies the fault for action (and server), if any.
func (h *helper) load(action, server string) (*Store, error) {
	st, err := Load(h.path)
	if err != nil {
		return nil, err
	}
	f, ok := st.Faults[action+" "+server]
	if !ok {
		f, ok = st.Faults[action]
	}
	if ok {
		f.apply()
	}
	return st, nil
}

// apply performs the fault and exits.
func (f Fault) apply() {
	fmt.Fprint(os.Stdout, f.Stdout)
	fmt.Fprint(os.Stderr, f.Stderr)
	if f.Sleep != "" {
		if d, err := time.ParseDuration(f.Sleep); err == nil {
			time.Sleep(d)
		}
	}
	os.Exit(f.ExitCode)
}

func (h *helper) Add(c *credentials.Credentials) error {
	st, err := h.load(credentials.ActionStore, c.ServerURL)
	if err != nil {
		return err
	}
	st.Credentials[c.ServerURL] = Credential{Username: c.Username, Secret: c.Secret}
	return st.Save(h.path)
}

func (h *helper) Delete(serverURL string) error {
	st, err := h.load(credentials.ActionErase, serverURL)
	if err != nil {
		return err
	}
	if _, ok := st.Credentials[serverURL]; !ok {
		return credentials.NewErrCredentialsNotFound()
	}
	delete(st.Credentials, serverURL)
	return st.Save(h.path)
}

func (h *helper) Get(serverURL string) (string, string, error) {
	st, err := h.load(credentials.ActionGet, serverURL)
	if err != nil {
		return "", "", err
	}
	c, ok := st.Credentials[serverURL]
	if !ok {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	return c.Username, c.Secret, nil
}

func (h *helper) List() (map[string]string, error) {
	st, err := h.load(credentials.ActionList, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(st.Credentials))
	for k, c := range st.Credentials {
		out[k] = c.Username
	}
	return out, nil
}
