package registry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/match"
)

func TestNetworkOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    NetworkOptions
		wantErr string // substring; "" means valid
	}{
		{name: "zero value", opts: NetworkOptions{}},
		{name: "resolve ipv4", opts: NetworkOptions{Resolve: []string{"registry.test:443:127.0.0.1"}}},
		{name: "resolve several addresses", opts: NetworkOptions{Resolve: []string{"r.test:5000:10.0.0.1,[::1]"}}},
		{name: "resolve ipv6 host and address", opts: NetworkOptions{Resolve: []string{"[::1]:443:[fe80::1]"}}},
		{name: "resolve missing port", opts: NetworkOptions{Resolve: []string{"registry.test"}}, wantErr: `resolve entry "registry.test": missing port`},
		{name: "resolve missing address", opts: NetworkOptions{Resolve: []string{"registry.test:443"}}, wantErr: "missing address"},
		{name: "resolve bad port", opts: NetworkOptions{Resolve: []string{"registry.test:http:127.0.0.1"}}, wantErr: `port "http"`},
		{name: "resolve port zero", opts: NetworkOptions{Resolve: []string{"registry.test:0:127.0.0.1"}}, wantErr: `port "0"`},
		{name: "resolve name as address", opts: NetworkOptions{Resolve: []string{"registry.test:443:localhost"}}, wantErr: `"localhost" is not an IP address`},
		{name: "resolve empty host", opts: NetworkOptions{Resolve: []string{":443:127.0.0.1"}}, wantErr: "empty host"},
		{name: "negative timeout", opts: NetworkOptions{Timeout: -time.Second}, wantErr: "timeout -1s is negative"},
		{name: "skip verify and CA", opts: NetworkOptions{SkipTLSVerify: true, CAFile: "/ca.pem"}, wantErr: "conflicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.opts.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			case tt.wantErr != "" && !errors.Is(err, ErrInvalidNetworkOptions):
				t.Fatalf("Validate() = %v, does not wrap ErrInvalidNetworkOptions", err)
			}
			if _, terr := tt.opts.Transport(); (terr == nil) != (err == nil) {
				t.Errorf("Transport() error %v disagrees with Validate() %v", terr, err)
			}
		})
	}
}

func TestTransportBadCAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := (NetworkOptions{CAFile: dir + "/missing.pem"}).Transport(); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing CA file: %v", err)
	}
	if _, err := (NetworkOptions{CAPEM: []byte("not a certificate")}).Transport(); err == nil {
		t.Error("CAPEM without a certificate: no error")
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"99999999999", MaxRetryAfter, true},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoffBounded(t *testing.T) {
	t.Parallel()
	for attempt := range 70 {
		d := backoff(attempt)
		if d <= 0 || d > retryBackoffMax*6/5 {
			t.Errorf("backoff(%d) = %v", attempt, d)
		}
	}
}

// countingServer answers with the statuses in order, then 200.
func countingServer(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[i])
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestTransportRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		retries    int
		statuses   []int
		wantStatus int
		wantCalls  int32
	}{
		{"503 then ok", http.MethodGet, 0, []int{503}, 200, 2},
		{"429 twice then ok", http.MethodHead, 0, []int{429, 429}, 200, 3},
		{"retries exhausted", http.MethodGet, 2, []int{500, 502, 504, 503}, 504, 3},
		{"404 is final", http.MethodGet, 0, []int{404}, 404, 1},
		{"501 is final", http.MethodGet, 0, []int{501}, 501, 1},
		{"POST is not retried", http.MethodPost, 0, []int{503}, 503, 1},
		{"retries disabled", http.MethodGet, -1, []int{503}, 503, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := countingServer(t, tt.statuses, nil)
			rt, err := NetworkOptions{Retries: tt.retries}.Transport()
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(tt.method, srv.URL, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || n.Load() != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, n.Load(), tt.wantStatus, tt.wantCalls)
			}
		})
	}
}

func TestTransportRetryRespectsDeadline(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, []int{429, 429, 429, 429}, http.Header{"Retry-After": {"300"}})
	rt, err := NetworkOptions{}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	// Retry-After (300 s, capped at MaxRetryAfter = 10 s) passes the
	// deadline (9 s): the transport must not wait at all. Waiting would
	// take the whole 9 s, far beyond any slowness of a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("waited %v although Retry-After passes the deadline", d)
	}
	if resp.StatusCode != http.StatusTooManyRequests || n.Load() != 1 {
		t.Errorf("status %d after %d calls, want the first 429", resp.StatusCode, n.Load())
	}
}

func TestTransportTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var headerHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/headers":
			headerHits.Add(1)
		case "/body":
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(200)
			io.WriteString(w, "12345")
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	client := func(timeout time.Duration) *http.Client {
		rt, err := NetworkOptions{Timeout: timeout}.Transport()
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Transport: rt}
	}

	// Headers that never come: a timeout, classified as such, and not
	// retried (counted at the server, not timed).
	_, err := client(200 * time.Millisecond).Get(srv.URL + "/headers")
	if !errors.Is(err, match.ErrTimeout) {
		t.Errorf("slow headers: %v, want ErrTimeout", err)
	}
	if v, _ := Classify(err); v != match.VerdictTimeout {
		t.Errorf("Classify(%v) = %s", err, v)
	}
	if n := headerHits.Load(); n != 1 {
		t.Errorf("the timed-out request was sent %d times, want 1 (no retry)", n)
	}

	// A body that stalls after its headers: the timeout bounds the whole
	// request, body included. Under load the headers themselves may miss
	// a short timeout, which is a timeout too; the timeout doubles until
	// the headers arrive, so that the stalled-body path is always taken.
	for timeout := 200 * time.Millisecond; ; timeout *= 2 {
		resp, err := client(timeout).Get(srv.URL + "/body")
		if err != nil {
			if !errors.Is(err, match.ErrTimeout) || timeout > 30*time.Second {
				t.Fatalf("GET /body with timeout %v: %v", timeout, err)
			}
			continue
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, match.ErrTimeout) {
			t.Errorf("stalled body: %v, want ErrTimeout", err)
		}
		break
	}
}

func TestTransportResolve(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rt, err := NetworkOptions{Resolve: []string{"Name.Invalid:" + port + ":127.0.0.1"}}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get("http://name.invalid:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if got, want := string(b), "name.invalid:"+port; got != want {
		t.Errorf("Host %q, want %q", got, want)
	}
}

func FuzzParseResolve(f *testing.F) {
	for _, s := range []string{
		"registry.test:443:127.0.0.1", "[::1]:443:[::1]", "a.test:1:1.2.3.4,5.6.7.8",
		":", "a::b", "[x", "a:65536:1.1.1.1", "A.Test:5000:[fe80::1%eth0]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseResolve(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidNetworkOptions) {
				t.Fatalf("parseResolve(%q) error %v does not wrap ErrInvalidNetworkOptions", s, err)
			}
			return
		}
		host, port, err := net.SplitHostPort(e.hostPort)
		if err != nil || host == "" || port == "" || host != strings.ToLower(host) {
			t.Fatalf("parseResolve(%q) host:port %q", s, e.hostPort)
		}
		if len(e.addrs) == 0 {
			t.Fatalf("parseResolve(%q): no address", s)
		}
		for _, a := range e.addrs {
			if net.ParseIP(strings.SplitN(a, "%", 2)[0]) == nil {
				t.Fatalf("parseResolve(%q): address %q", s, a)
			}
		}
	})
}
