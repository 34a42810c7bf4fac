package registrytest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"
)

// newServerTLSConfig serves cert over HTTP/1.1 (so that faults can hijack
// connections).
func newServerTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}
}

func parseCertDER(der []byte) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}

// DialContext connects to the Env's servers by name: RegistryHost,
// RealmHost and CDNHost (host names compared case-insensitively) are
// dialled on 127.0.0.1 with the same port. Any other address is refused, so
// a client under test cannot reach anything else. Its signature fits
// http.Transport.DialContext.
func (e *Env) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	target, ok := e.routes[strings.ToLower(addr)]
	if !ok {
		return nil, fmt.Errorf("registrytest dial %s: not served by this env (serving %s)", addr, strings.Join(e.hosts(), ", "))
	}
	var d net.Dialer
	return d.DialContext(ctx, network, target)
}

// hosts returns the Env's distinct name:port strings, sorted.
func (e *Env) hosts() []string {
	set := map[string]bool{e.RegistryHost: true, e.CDNHost: true}
	if e.RealmHost != "" {
		set[e.RealmHost] = true
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// Transport returns a new *http.Transport that trusts the Env's CA and
// dials through DialContext. It uses no proxy. Each call returns a fresh
// transport with its own connection pool.
func (e *Env) Transport() *http.Transport {
	return &http.Transport{
		DialContext:           e.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: e.ca.pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       30 * time.Second,
	}
}

// ResolveArgs returns one curl-style "HOST:PORT:127.0.0.1" string per host
// of the Env, sorted, for a --resolve flag.
func (e *Env) ResolveArgs() []string {
	hosts := e.hosts()
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h + ":127.0.0.1"
	}
	return out
}
