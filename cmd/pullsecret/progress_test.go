package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock returns a clock that advances by step at each call, from the
// Unix epoch, safe for concurrent use.
func fakeClock(step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return time.Unix(0, 0).Add(time.Duration(n.Add(1)-1) * step) }
}

// manualClock is a clock the test moves.
type manualClock struct{ t time.Time }

func (c *manualClock) now() time.Time { return c.t }

// terminalEnv is an env whose stderr (and stdout when both) a forced
// terminal check takes for a terminal.
func terminalEnv(stdout, stderr *bytes.Buffer, both bool, now func() time.Time) *env {
	return &env{
		stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv: func(string) string { return "" },
		terminal: func(w io.Writer) bool {
			return w == io.Writer(stderr) || (both && w == io.Writer(stdout))
		},
		now: now,
	}
}

// runCLIEnv runs the CLI in process with e, as run does, and returns the
// exit code.
func runCLIEnv(e *env, args ...string) int {
	return runEnv(context.Background(), e, append([]string{"pullsecret"}, args...))
}

// draws returns the progress lines drawn on out: the text after each
// carriage return that is not a clearing of the line.
func draws(out string) []string {
	var lines []string
	for _, seg := range strings.Split(out, "\r")[1:] {
		if t := strings.TrimRight(seg, " "); t != "" && !strings.HasPrefix(t, "pullsecret:") {
			lines = append(lines, t)
		}
	}
	return lines
}

func TestProgressLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total int
		steps []bool // failed?
		want  string
	}{
		{
			name:  "total known",
			total: 3,
			steps: []bool{false, true, false},
			want: "\rtest: 1/3 images, 0 failed, 1.0/s" +
				"\rtest: 2/3 images, 1 failed, 1.0/s" +
				"\rtest: 3/3 images, 1 failed, 1.0/s" +
				"\r" + strings.Repeat(" ", len("test: 3/3 images, 1 failed, 1.0/s")) + "\r",
		},
		{
			name:  "stream",
			steps: []bool{true},
			want: "\rtest: 1 images, 1 failed, 1.0/s" +
				"\r" + strings.Repeat(" ", len("test: 1 images, 1 failed, 1.0/s")) + "\r",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			e := terminalEnv(&out, &errb, false, fakeClock(time.Second))
			p := e.startProgress("test", "images", tt.total, false)
			for _, failed := range tt.steps {
				p.step(failed)
			}
			p.finish()
			p.step(false) // after finish: nothing
			if errb.String() != tt.want {
				t.Errorf("stderr\n%q\nwant\n%q", errb.String(), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out.String())
			}
		})
	}
}

// A shorter line is padded over the longer one it replaces; a high rate
// has no decimals.
func TestProgressPadsAndRates(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	c := &manualClock{t: time.Unix(0, 0)}
	e := terminalEnv(&out, &errb, false, c.now)
	p := e.startProgress("test", "images", 0, false)
	c.t = c.t.Add(200 * time.Millisecond)
	p.set(100, 10) // 500/s
	c.t = c.t.Add(100 * time.Second)
	p.set(101, 10) // 1.0/s
	long, short := "test: 100 images, 10 failed, 500/s", "test: 101 images, 10 failed, 1.0/s"
	want := "\r" + long + "\r" + short + strings.Repeat(" ", max(0, len(long)-len(short)))
	if errb.String() != want {
		t.Errorf("stderr\n%q\nwant\n%q", errb.String(), want)
	}
}

// Redraws are throttled to one per progressInterval, counted with a clock
// the test moves: 30 ms per item, so every fourth item draws.
func TestProgressThrottle(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	c := &manualClock{t: time.Unix(0, 0)}
	e := terminalEnv(&out, &errb, false, c.now)
	p := e.startProgress("test", "images", 100, false)
	for range 100 {
		c.t = c.t.Add(30 * time.Millisecond)
		p.step(false)
	}
	got := draws(errb.String())
	if len(got) != 25 {
		t.Fatalf("%d draws for 100 items at 30 ms each, want 25: %q", len(got), got)
	}
	if got[0] != "test: 4/100 images, 0 failed, 33/s" || got[24] != "test: 100/100 images, 0 failed, 33/s" {
		t.Errorf("first and last draws %q, %q", got[0], got[24])
	}
	// A command shorter than the interval draws nothing at all.
	errb.Reset()
	c = &manualClock{t: time.Unix(0, 0)}
	p = terminalEnv(&out, &errb, false, c.now).startProgress("test", "images", 3, false)
	for range 3 {
		c.t = c.t.Add(10 * time.Millisecond)
		p.step(false)
	}
	p.finish()
	if errb.Len() != 0 {
		t.Errorf("a 30 ms run wrote %q, want nothing", errb.String())
	}
}

// Nothing is drawn when stderr is not a terminal, or with --quiet; other
// output still passes through the wrapped streams.
func TestProgressOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		terminal bool
		quiet    bool
	}{{"not a terminal", false, false}, {"quiet", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			e := terminalEnv(&out, &errb, true, fakeClock(time.Second))
			if !tc.terminal {
				e.terminal = nil // the real check: a buffer is no terminal
			}
			p := e.startProgress("test", "images", 2, tc.quiet)
			pe := p.env(e)
			p.step(false)
			io.WriteString(pe.stderr, "pullsecret: a warning\n")
			io.WriteString(pe.stdout, "data\n")
			p.step(true)
			p.finish()
			if errb.String() != "pullsecret: a warning\n" || out.String() != "data\n" {
				t.Errorf("stderr %q stdout %q, want only the warning and the data", errb.String(), out.String())
			}
		})
	}
}

// Output written while the line is shown clears it first; the next step
// draws it again. stdout clears it only when it is a terminal too (here:
// the same buffer as stderr, as on a screen).
func TestProgressInterleaved(t *testing.T) {
	t.Parallel()
	line1, line2 := "test: 1/2 images, 1 failed, 1.0/s", "test: 2/2 images, 1 failed, 1.0/s"
	clear := func(s string) string { return "\r" + strings.Repeat(" ", len(s)) + "\r" }
	play := func(e *env) {
		p := e.startProgress("test", "images", 2, false)
		pe := p.env(e)
		p.step(true)
		io.WriteString(pe.stderr, "pullsecret: resolve x: not-found\n")
		io.WriteString(pe.stdout, "data\n")
		p.step(false)
		io.WriteString(pe.stdout, "more\n")
		p.finish()
	}

	// stdout redirected: its writes leave the line alone.
	var out, errb bytes.Buffer
	play(terminalEnv(&out, &errb, false, fakeClock(time.Second)))
	want := "\r" + line1 + clear(line1) + "pullsecret: resolve x: not-found\n\r" + line2 + clear(line2)
	if errb.String() != want || out.String() != "data\nmore\n" {
		t.Errorf("stdout redirected: stderr\n%q\nwant\n%q\nstdout %q", errb.String(), want, out.String())
	}

	// One screen for both.
	var screen bytes.Buffer
	e := &env{stdout: &screen, stderr: &screen, terminal: func(io.Writer) bool { return true }, now: fakeClock(time.Second)}
	play(e)
	want = "\r" + line1 + clear(line1) + "pullsecret: resolve x: not-found\ndata\n\r" + line2 + clear(line2) + "more\n"
	if screen.String() != want {
		t.Errorf("one screen:\n%q\nwant\n%q", screen.String(), want)
	}
}

// Output that stops in the middle of a line (a buffered writer flushing
// a full buffer) holds the redraws back until the line is complete: a
// carriage return there would write over it (seen in tmux).
func TestProgressWaitsForLineEnd(t *testing.T) {
	t.Parallel()
	var screen bytes.Buffer
	e := &env{stdout: &screen, stderr: &screen, terminal: func(io.Writer) bool { return true }, now: fakeClock(time.Second)}
	p := e.startProgress("test", "images", 3, false)
	pe := p.env(e)
	io.WriteString(pe.stdout, "registry.test/app@sha256:0123")
	p.step(false) // held back
	io.WriteString(pe.stdout, "4567\nregistry.test/app@sha256:89ab\n")
	p.step(false)
	p.finish()
	line := "test: 2/3 images, 0 failed, 2.0/s"
	want := "registry.test/app@sha256:01234567\nregistry.test/app@sha256:89ab\n\r" + line + clearOf(line)
	if screen.String() != want {
		t.Errorf("screen\n%q\nwant\n%q", screen.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, w := range map[string]io.Writer{"regular file": f, "buffer": &bytes.Buffer{}, "nil file": (*os.File)(nil)} {
		if isTerminal(w) {
			t.Errorf("isTerminal(%s) = true", name)
		}
	}
}

// clearOf is what erases a drawn line.
func clearOf(line string) string { return "\r" + strings.Repeat(" ", len(line)) + "\r" }

// TestProgressCommands runs resolve, test-pull and diagnose --verify with
// stderr taken for a terminal and a clock that moves one second per
// reading, so that every item draws: the lines count done/total (done
// alone for a stream), failures and the rate, failure messages clear the
// line first, and the line is cleared at the end. With --quiet, or when
// stderr is not a terminal, stderr has no progress at all.
func TestProgressCommands(t *testing.T) {
	t.Parallel()
	env, _, refs := resolveCLIEnv(t, 2)
	missing := env.Ref("app", "missing")
	tpEnv := testPullEnv(t)
	tpArgs := append([]string{"test-pull", "--authfile", writeAuthFile(t, authConfig(tpEnv.RegistryHost, "alice", tpAlicePass))}, netArgs(tpEnv, true)...)
	payload := func(pass string) string {
		return base64.StdEncoding.EncodeToString([]byte(authConfig(tpEnv.RegistryHost, "alice", pass)))
	}
	var manifests strings.Builder
	for _, p := range []struct{ name, pass string }{{"good", tpAlicePass}, {"wrong", tpWrongPass}} {
		fmt.Fprintf(&manifests, "---\napiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: ns}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n", p.name, payload(p.pass))
		fmt.Fprintf(&manifests, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: ns}\nspec:\n  imagePullSecrets: [{name: %s}]\n  containers: [{name: app, image: %s/team/app:1}]\n", p.name, p.name, tpEnv.RegistryHost)
	}
	diagArgs := append([]string{"diagnose", "--verify", "-f", writeFile(t, "m.yaml", manifests.String())}, netArgs(tpEnv, true)...)

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantDraws  []string
		wantBefore string // a failure message, which must follow a clear
	}{
		{
			name:     "resolve arguments",
			args:     resolveArgs(t, env, resolveCLIPass, "--concurrency", "1", missing, refs[0], refs[1]),
			wantCode: exitError,
			wantDraws: []string{"resolve: 1/3 images, 1 failed, 1.0/s", "resolve: 2/3 images, 1 failed, 1.0/s",
				"resolve: 3/3 images, 1 failed, 1.0/s"},
			wantBefore: "pullsecret: resolve " + missing + ": not-found",
		},
		{
			name:      "resolve stream",
			args:      resolveArgs(t, env, resolveCLIPass, "--concurrency", "1", "-f", "-"),
			stdin:     refs[0] + "\n" + refs[1] + "\n",
			wantCode:  exitOK,
			wantDraws: []string{"resolve: 1 images, 0 failed, 1.0/s", "resolve: 2 images, 0 failed, 1.0/s"},
		},
		{
			name:      "test-pull",
			args:      append(append([]string{}, tpArgs...), tpEnv.Ref("team/app", "1"), tpEnv.Ref("team/app", "2")),
			wantCode:  exitError,
			wantDraws: []string{"test-pull: 1/2 images, 0 failed, 1.0/s", "test-pull: 2/2 images, 1 failed, 1.0/s"},
		},
		{
			name:      "diagnose --verify",
			args:      diagArgs,
			wantCode:  exitError,
			wantDraws: []string{"diagnose: 1/2 images verified, 0 failed, 1.0/s", "diagnose: 2/2 images verified, 1 failed, 1.0/s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			e := terminalEnv(&out, &errb, false, fakeClock(time.Second))
			e.stdin = strings.NewReader(tt.stdin)
			if code := runCLIEnv(e, tt.args...); code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %q", code, tt.wantCode, errb.String())
			}
			got := errb.String()
			// run prints the command's error last, on the cleared line.
			if i := strings.LastIndex(got, "\rpullsecret: "); i >= 0 && strings.HasSuffix(got, "\n") {
				got = got[:i+1]
			}
			if diff := cmp.Diff(tt.wantDraws, draws(got)); diff != "" {
				t.Errorf("progress lines (-want +got):\n%s\nstderr: %q", diff, got)
			}
			last := tt.wantDraws[len(tt.wantDraws)-1]
			if !strings.HasSuffix(got, "\r"+last+clearOf(last)) {
				t.Errorf("stderr does not end with the last line cleared: %q", got)
			}
			if tt.wantBefore != "" && !strings.Contains(got, "\r"+tt.wantBefore) {
				t.Errorf("failure message not on a cleared line: %q", got)
			}
			if strings.Contains(out.String(), "\r") {
				t.Errorf("progress on stdout: %q", out.String())
			}

			// --quiet on a terminal, and no terminal: no progress.
			for _, quiet := range []bool{true, false} {
				var out2, errb2 bytes.Buffer
				e := terminalEnv(&out2, &errb2, false, fakeClock(time.Second))
				args := tt.args
				if quiet {
					args = append(append([]string{}, tt.args...), "--quiet")
				} else {
					e.terminal = nil // a buffer is no terminal
				}
				e.stdin = strings.NewReader(tt.stdin)
				if code := runCLIEnv(e, args...); code != tt.wantCode {
					t.Fatalf("quiet %t: exit %d, want %d\nstderr: %q", quiet, code, tt.wantCode, errb2.String())
				}
				sig := tt.wantDraws[0][:strings.Index(tt.wantDraws[0], "/")+1] // "resolve: 1/"
				if strings.Contains(errb2.String(), "\r") || strings.Contains(errb2.String(), sig) {
					t.Errorf("quiet %t: stderr shows progress: %q", quiet, errb2.String())
				}
				if out2.String() != out.String() && tt.name != "test-pull" && tt.name != "diagnose --verify" {
					t.Errorf("quiet %t: stdout %q differs from %q", quiet, out2.String(), out.String())
				}
			}
		})
	}
}
