package registry_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/registry"
)

// hostileName is the host name every hostile server answers to; each
// listens on its own loopback port.
const hostileName = "reg.test"

// hostileUser and hostilePass are the credentials the clients send; a
// hostile server must never see them over plain HTTP.
const (
	hostileUser = "alice"
	hostilePass = "hostile-s3cret-pw"
)

// hostileCred is the credential for a hostile server's host:port.
func hostileCred(host string) match.Credential {
	return match.Credential{Key: host, Username: hostileUser, Password: hostilePass, HasAuthField: true, Source: "test"}
}

// seenRequest is one request a hostile server received.
type seenRequest struct {
	TLS           bool
	Method, Path  string
	Authorization string
}

// hostile is a misbehaving registry: one loopback port that speaks both
// HTTPS and plain HTTP (the first byte tells), so that a redirect from
// https to http on the same host:port can be observed. It records every
// request; its handler decides the misbehaviour.
type hostile struct {
	Host string // "reg.test:PORT"
	Port string
	// Done is closed when the test ends: handlers that never finish
	// return then.
	Done chan struct{}

	mu   sync.Mutex
	seen []seenRequest
}

// testCA is one self-signed certificate for hostileName, shared by every
// hostile server of the test binary.
var testCA = sync.OnceValues(func() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: hostileName},
		DNSNames:              []string{hostileName},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
})

// newHostile starts a hostile server whose handler is h.
func newHostile(t *testing.T, h func(s *hostile, w http.ResponseWriter, r *http.Request)) *hostile {
	t.Helper()
	cert, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s := &hostile{Host: net.JoinHostPort(hostileName, port), Port: port, Done: make(chan struct{})}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.seen = append(s.seen, seenRequest{TLS: r.TLS != nil, Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")})
			s.mu.Unlock()
			h(s, w, r)
		}),
		ErrorLog: log.New(io.Discard, "", 0), // refused TLS handshakes are expected
	}
	ml := newMixedListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	go func() { _ = srv.Serve(ml) }()
	t.Cleanup(func() {
		close(s.Done)
		_ = srv.Close()
		ml.close()
	})
	return s
}

// Requests returns every request seen so far.
func (s *hostile) Requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// Count returns how many requests the server saw.
func (s *hostile) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// ClearTextCredentials returns the requests that carried an
// Authorization header over plain HTTP.
func (s *hostile) ClearTextCredentials() []seenRequest {
	var out []seenRequest
	for _, r := range s.Requests() {
		if !r.TLS && r.Authorization != "" {
			out = append(out, r)
		}
	}
	return out
}

// Authorized returns the requests that carried an Authorization header.
func (s *hostile) Authorized() []seenRequest {
	var out []seenRequest
	for _, r := range s.Requests() {
		if r.Authorization != "" {
			out = append(out, r)
		}
	}
	return out
}

// URL returns scheme://reg.test:PORT + path.
func (s *hostile) URL(scheme, path string) string { return scheme + "://" + s.Host + path }

// drip writes one byte every 50 ms and never finishes: it returns when the
// client goes away or the test ends.
func (s *hostile) drip(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "1000000")
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if r.Method == http.MethodHead {
		return
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.Done:
			return
		case <-tick.C:
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			_ = rc.Flush()
		}
	}
}

// hostileOptions returns network options that route every server's name
// to loopback and trust the test certificate.
func hostileOptions(t *testing.T, servers ...*hostile) registry.NetworkOptions {
	t.Helper()
	cert, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	o := registry.NetworkOptions{
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		Retries: -1,
		Timeout: 10 * time.Second,
	}
	for _, s := range servers {
		o.Resolve = append(o.Resolve, hostileName+":"+s.Port+":127.0.0.1")
	}
	return o
}

// mixedListener hands out TLS connections for clients that start a TLS
// handshake and plain ones for the others.
type mixedListener struct {
	net.Listener
	cfg   *tls.Config
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newMixedListener(ln net.Listener, cfg *tls.Config) *mixedListener {
	l := &mixedListener{Listener: ln, cfg: cfg, conns: make(chan net.Conn), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *mixedListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			l.close()
			return
		}
		go func() {
			br := bufio.NewReader(c)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b, err := br.Peek(1)
			_ = c.SetReadDeadline(time.Time{})
			if err != nil {
				c.Close()
				return
			}
			var out net.Conn = &peekedConn{Conn: c, r: br}
			if b[0] == 0x16 { // TLS handshake record
				out = tls.Server(out, l.cfg)
			}
			select {
			case l.conns <- out:
			case <-l.done:
				c.Close()
			}
		}()
	}
}

func (l *mixedListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *mixedListener) Close() error {
	l.close()
	return nil
}

func (l *mixedListener) close() {
	l.once.Do(func() {
		close(l.done)
		_ = l.Listener.Close()
	})
}

// peekedConn reads through the buffered reader that peeked.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
