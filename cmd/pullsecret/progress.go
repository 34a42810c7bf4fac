package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
)

// progressInterval is the least time between two redraws of a progress
// line, and how long a command runs before the first one.
const progressInterval = 100 * time.Millisecond

// quietFlag is --quiet/-q of the commands that show progress.
func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "show no progress line on stderr (shown only when stderr is a terminal)"}
}

// isTerminal reports whether w is a terminal: an *os.File that is a
// character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress draws one line on stderr, "LABEL: DONE/TOTAL UNIT, N failed,
// RATE/s", redrawn in place (a carriage return, then spaces over what is
// left of a longer line) at most every progressInterval, and cleared by
// finish. It draws only when stderr is a terminal and --quiet is not
// given; otherwise every method but the stream wrappers does nothing.
// Other output written through its streams clears the line first, so that
// messages and data never run into it.
type progress struct {
	mu           sync.Mutex
	tty          io.Writer // stderr when progress is shown, else nil
	clearStdout  bool      // stdout is the same kind of terminal: writes clear the line
	label, unit  string
	total        int // 0 when unknown
	now          func() time.Time
	start, drawn time.Time
	done, failed int
	width        int // of the line on screen; 0 when none is shown
	// partial is the streams (by progressWriter.stream) on the terminal
	// whose last write did not end a line: a redraw would land in the
	// middle of it, so none is made until the line is complete.
	partial [2]bool
}

// startProgress returns the progress display of a command over total
// items (0 when unknown, as for a stream), named label ("resolve") and
// counted in unit ("images").
func (e *env) startProgress(label, unit string, total int, quiet bool) *progress {
	terminal, now := e.terminal, e.now
	if terminal == nil {
		terminal = isTerminal
	}
	if now == nil {
		now = time.Now
	}
	p := &progress{label: label, unit: unit, total: total, now: now}
	if !quiet && terminal(e.stderr) {
		p.tty = e.stderr
		p.clearStdout = terminal(e.stdout)
		p.start = now()
		p.drawn = p.start
	}
	return p
}

// env returns a copy of e whose stdout and stderr clear the progress line
// before they write.
func (p *progress) env(e *env) *env {
	c := *e
	c.stdout = progressWriter{p: p, w: e.stdout, clear: p.clearStdout, stream: 0}
	c.stderr = progressWriter{p: p, w: e.stderr, clear: true, stream: 1}
	return &c
}

// step counts one item done, failed or not, and redraws when due.
func (p *progress) step(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty == nil {
		return
	}
	p.done++
	if failed {
		p.failed++
	}
	p.redraw()
}

// set sets the counts (from a library's progress event) and redraws when due.
func (p *progress) set(done, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty == nil {
		return
	}
	p.done, p.failed = done, failed
	p.redraw()
}

// redraw draws the line if progressInterval has passed since the last
// draw (or the start). p.mu is held.
func (p *progress) redraw() {
	if p.partial[0] || p.partial[1] {
		return
	}
	now := p.now()
	if now.Sub(p.drawn) < progressInterval {
		return
	}
	p.drawn = now
	line := p.line(now.Sub(p.start))
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	// A failed write to the terminal is not worth failing the command.
	_, _ = io.WriteString(p.tty, "\r"+line+pad)
	p.width = len(line)
}

// line is the text of the progress line after elapsed.
func (p *progress) line(elapsed time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d", p.label, p.done)
	if p.total > 0 {
		fmt.Fprintf(&b, "/%d", p.total)
	}
	fmt.Fprintf(&b, " %s, %d failed", p.unit, p.failed)
	if s := elapsed.Seconds(); s > 0 {
		rate := float64(p.done) / s
		if rate < 10 {
			fmt.Fprintf(&b, ", %.1f/s", rate)
		} else {
			fmt.Fprintf(&b, ", %.0f/s", rate)
		}
	}
	return b.String()
}

// clear erases the line on screen, if any. p.mu is held.
func (p *progress) clear() {
	if p.width == 0 {
		return
	}
	_, _ = io.WriteString(p.tty, "\r"+strings.Repeat(" ", p.width)+"\r")
	p.width = 0
}

// finish clears the line; later steps draw nothing.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty == nil {
		return
	}
	p.clear()
	p.tty = nil
}

// progressWriter is a stream that clears the progress line before each
// write (when clear is set: the stream is on the terminal).
type progressWriter struct {
	p      *progress
	w      io.Writer
	clear  bool
	stream int // 0 stdout, 1 stderr
}

func (pw progressWriter) Write(b []byte) (int, error) {
	if !pw.clear {
		return pw.w.Write(b)
	}
	pw.p.mu.Lock()
	defer pw.p.mu.Unlock()
	if pw.p.tty != nil {
		pw.p.clear()
	}
	n, err := pw.w.Write(b)
	if n > 0 {
		pw.p.partial[pw.stream] = b[n-1] != '\n'
	}
	return n, err
}
