package dockercfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
)

// Errors of credential helpers, for errors.Is.
var (
	// ErrCredentialsNotFound: the helper ran and has no credentials for the server.
	ErrCredentialsNotFound = errors.New("credentials not found")
	// ErrHelperMissing: docker-credential-<name> is not in an absolute
	// directory of the search path (HelperOptions.Path).
	ErrHelperMissing = errors.New("credential helper not installed")
	// ErrHelperFailed: the helper ran and failed (see HelperError.Stderr),
	// or was not run because the time allowed for helpers ran out.
	ErrHelperFailed = errors.New("credential helper failed")
	// ErrHelperDeadline: the time allowed for all the helper calls of one
	// operation (WithHelperDeadline) ran out. It comes wrapped with
	// ErrHelperFailed.
	ErrHelperDeadline = errors.New("time allowed for credential helpers used up")
)

// MaxHelperOutput bounds what a helper may print on stdout for one call: a
// get answer is a few kilobytes, a list one short line per stored server.
// A helper printing more is stopped and fails with ErrHelperFailed.
const MaxHelperOutput = 1 << 20

// DefaultHelperDeadline is the time the CLI allows for all the helper calls
// of one command (WithHelperDeadline), on top of the 30 seconds per call.
const DefaultHelperDeadline = 60 * time.Second

// WithHelperDeadline returns a context that bounds the total time of the
// helper calls made with it: a call still running when d has passed is
// stopped, and a call made afterwards is not run; both fail with
// ErrHelperFailed and ErrHelperDeadline, so each helper concerned is
// reported. The per-call timeout (HelperOptions.Timeout) still applies.
func WithHelperDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("%w (%s for all helper calls)", ErrHelperDeadline, d))
}

// HelperError is a failure of docker-credential-<Helper> <Action>.
type HelperError struct {
	Helper string // helper suffix, e.g. "pass"
	Action string // get or list
	Server string // server URL asked for (get)
	// Stderr is the helper's stderr, or when that is empty the error message
	// it printed on stdout (as helpers built on credentials.Serve do),
	// redacted and shortened by RedactHelperOutput. Output that looks like
	// JSON is never kept.
	Stderr string
	Err    error // ErrHelperMissing or ErrHelperFailed, joined with the cause
}

func (e *HelperError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "docker-credential-%s %s", e.Helper, e.Action)
	if e.Server != "" {
		fmt.Fprintf(&b, " %s", e.Server)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Stderr != "" {
		fmt.Fprintf(&b, " (stderr: %s)", e.Stderr)
	}
	return b.String()
}

func (e *HelperError) Unwrap() error { return e.Err }

// Helper is a docker credential helper: Get returns the user name and secret
// stored for a server URL ("<token>" as user name marks an identity token);
// List returns server URL -> user name.
type Helper interface {
	Get(ctx context.Context, serverURL string) (username, secret string, err error)
	List(ctx context.Context) (map[string]string, error)
}

// HelperOptions configures NewHelper. The zero value searches $PATH and
// allows 30 seconds per call.
type HelperOptions struct {
	// Path, if set, is the list of directories (os.PathListSeparator
	// separated) searched for docker-credential-<name> instead of $PATH.
	// Only absolute directories are searched: relative and empty entries
	// are skipped, as exec.LookPath refuses them (exec.ErrDot), and a helper
	// found only in one of them is an error naming the entry.
	Path string
	// Timeout bounds one helper call; 0 means 30 seconds.
	Timeout time.Duration
}

// NewHelper returns the Helper that runs docker-credential-<name> through the
// docker-credential-helpers client protocol.
func NewHelper(name string, opts *HelperOptions) Helper {
	h := &execHelper{name: name}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.Timeout == 0 {
		h.opts.Timeout = 30 * time.Second
	}
	return h
}

// helperWaitDelay bounds the wait for a helper's output pipes to close once
// it has exited or been killed.
const helperWaitDelay = time.Second

type execHelper struct {
	name string
	opts HelperOptions
}

var _ Helper = (*execHelper)(nil)

// binary finds docker-credential-<name> in the absolute directories of the
// search path. A helper found only in a relative or empty entry (the current
// directory) is an error wrapping exec.ErrDot that names the entry.
func (h *execHelper) binary() (string, error) {
	bin := "docker-credential-" + h.name
	path := h.opts.Path
	if path == "" {
		path = os.Getenv("PATH")
	}
	relative := ""
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			// exec.LookPath checks a name holding a separator as it is.
			if _, err := exec.LookPath("." + string(filepath.Separator) + filepath.Join(dir, bin)); err == nil && relative == "" {
				relative = dir
				if relative == "" {
					relative = "."
				}
			}
			continue
		}
		p := filepath.Join(dir, bin)
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	if relative != "" {
		return "", fmt.Errorf("%s is only in the relative PATH entry %q, which is not searched: %w", bin, relative, exec.ErrDot)
	}
	return "", fmt.Errorf("%s not found on PATH", bin)
}

// run wires the client package to an exec.Cmd that captures stderr and at
// most MaxHelperOutput bytes of stdout, and runs the helper in a process
// group of its own, killed as a whole when the call is stopped.
func (h *execHelper) run(ctx context.Context, action, server string, call func(client.ProgramFunc) error) error {
	fail := func(stderr string, err error) error {
		return &HelperError{Helper: h.name, Action: action, Server: server, Stderr: stderr, Err: err}
	}
	bin, err := h.binary()
	if err != nil {
		return fail("", fmt.Errorf("%w: %w", ErrHelperMissing, err))
	}
	if ctx.Err() != nil {
		return fail("", fmt.Errorf("%w: not run: %w", ErrHelperFailed, context.Cause(ctx)))
	}
	ctx, cancel := context.WithTimeoutCause(ctx, h.opts.Timeout, fmt.Errorf("timed out after %s", h.opts.Timeout))
	defer cancel()
	// stop ends the call early, with a cause (stdout over the cap).
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var stderr, stdout bytes.Buffer
	var runErr error
	pf := func(args ...string) client.Program {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
		// Killing the process group stops the children a helper started
		// (a shell script's sleep, say) with it.
		setProcessGroup(cmd)
		// A child that left the group may still hold stdout; stop waiting
		// for it.
		cmd.WaitDelay = helperWaitDelay
		return &program{cmd: cmd, err: &runErr, failOut: &stdout, stop: stop}
	}
	err = call(pf)
	if err == nil {
		return nil
	}
	if credentials.IsErrCredentialsNotFound(err) {
		return ErrCredentialsNotFound
	}
	cause := runErr
	switch {
	case ctx.Err() != nil:
		// The per-call timeout, the cap on stdout, or the caller's
		// deadline or cancellation.
		cause = context.Cause(ctx)
	case cause == nil:
		cause = errors.New("invalid response")
	}
	msg := stderr.String()
	if strings.TrimSpace(msg) == "" {
		// Helpers built on credentials.Serve print their error on stdout.
		msg = stdout.String()
	}
	return fail(RedactHelperOutput(msg), fmt.Errorf("%w: %w", ErrHelperFailed, cause))
}

func (h *execHelper) Get(ctx context.Context, serverURL string) (string, string, error) {
	var creds *credentials.Credentials
	err := h.run(ctx, "get", serverURL, func(pf client.ProgramFunc) error {
		var err error
		creds, err = client.Get(pf, serverURL)
		return err
	})
	if err != nil {
		return "", "", err
	}
	return creds.Username, creds.Secret, nil
}

func (h *execHelper) List(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	err := h.run(ctx, "list", "", func(pf client.ProgramFunc) error {
		var err error
		out, err = client.List(pf)
		return err
	})
	return out, err
}

type program struct {
	cmd     *exec.Cmd
	err     *error
	failOut *bytes.Buffer // stdout of a failed run, unless it looks like data
	stop    context.CancelCauseFunc
}

func (p *program) Input(in io.Reader) { p.cmd.Stdin = in }

func (p *program) Output() ([]byte, error) {
	var buf bytes.Buffer
	p.cmd.Stdout = &cappedWriter{buf: &buf, stop: p.stop}
	err := p.cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		// The helper exited but something it started holds stdout.
		killProcessGroup(p.cmd)
	}
	out := buf.Bytes()
	if err != nil {
		*p.err = err
		// The client tests stdout for the not-found message; keep only that,
		// since a failing helper may echo anything.
		if credentials.IsErrCredentialsNotFoundMessage(string(out)) {
			return out, err
		}
		// Keep an error message for the report, never what looks like a
		// credentials response.
		if t := bytes.TrimSpace(out); len(t) > 0 && t[0] != '{' && t[0] != '[' && t[0] != '"' {
			p.failOut.Write(t[:min(len(t), 4096)])
		}
		return nil, err
	}
	return out, nil
}

// cappedWriter keeps at most MaxHelperOutput bytes; past that it stops the
// call and fails, which closes the pipe.
type cappedWriter struct {
	buf  *bytes.Buffer
	stop context.CancelCauseFunc
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > MaxHelperOutput {
		err := fmt.Errorf("stdout larger than %d bytes (dockercfg.MaxHelperOutput)", MaxHelperOutput)
		c.stop(err)
		return 0, err
	}
	return c.buf.Write(p)
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if l.n > 0 {
		q := p
		if len(q) > l.n {
			q = q[:l.n]
		}
		l.n -= len(q)
		l.w.Write(q)
	}
	return n, nil
}

var secretish = regexp.MustCompile(`[A-Za-z0-9+/=_.\-]{16,}`)

// RedactHelperOutput shortens a helper's stderr to one line of at most 200
// characters and masks every token-like run of 16 or more characters, so a
// secret a helper prints by mistake does not reach our output.
func RedactHelperOutput(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = secretish.ReplaceAllString(s, "[redacted]")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
