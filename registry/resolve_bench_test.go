package registry_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/registry"
)

// bench500 is the setup shared by the sub-benchmarks of
// BenchmarkResolve500: a token-auth registry with 500 tags of one image.
type bench500 struct {
	env    *registrytest.Env
	refs   []string
	digest string
}

const benchTags = 500

func newBench500(b *testing.B) *bench500 {
	b.Helper()
	env := resolveEnv(b, nil)
	digest, tags, err := env.TagMany(context.Background(), "app", benchTags)
	if err != nil {
		b.Fatal(err)
	}
	s := &bench500{env: env, digest: digest}
	for _, tag := range tags {
		s.refs = append(s.refs, env.Ref("app", tag))
	}
	return s
}

// BenchmarkResolve500 resolves 500 tags of one repository under token auth
// in one run on one machine, four ways. Every sub-benchmark reports
// ns/op for all 500 tags (the crane loop runs 50 processes per op and
// scales its time by 10), and the parent logs the ratios.
//
//   - resolver: NewResolver + Resolve, cold (new connections, ping,
//     token), 8 workers.
//   - resolver-warm: one Resolver reused (ping, token and connections
//     cached), 8 workers.
//   - crane-loop: `crane digest` processes in a loop, built from the
//     go-containerregistry module in go.mod, credentials in a docker
//     config; needs registry.test and sso.test in /etc/hosts.
//   - ggcr-head: go-containerregistry remote.Head from 8 goroutines
//     sharing one remote.Puller (cold, like resolver).
//   - floor: a bare client sending only the 500 HEADs with one token
//     fetched beforehand over kept-alive connections from 8 goroutines
//     (cold connections, like resolver).
//   - ratios: the in-process ways again, interleaved for 9 rounds, with
//     the medians' ratios as metrics (the machine may be busy).
//
// Every client trusts the system roots plus the registry's CA, as a real
// one would; all run against the same in-process registry, which takes
// most of the CPU.
func BenchmarkResolve500(b *testing.B) {
	s := newBench500(b)
	var (
		mu    sync.Mutex
		nsPer = map[string]float64{}
	)
	record := func(b *testing.B, name string, elapsed time.Duration, scale float64) {
		ns := float64(elapsed.Nanoseconds()) / float64(b.N) * scale
		if scale != 1 {
			b.ReportMetric(ns, "ns/op")
		}
		b.ReportMetric(ns/benchTags/1e3, "µs/tag")
		mu.Lock()
		nsPer[name] = ns
		mu.Unlock()
	}
	ways := []struct {
		name string
		run  func(b *testing.B) func() // setup, returning one op
	}{
		{"resolver", s.resolverCold},
		{"resolver-warm", s.resolverWarm},
		{"ggcr-head", s.ggcrHead},
		{"floor", s.floor},
	}
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			op := w.run(b)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				op()
			}
			record(b, w.name, time.Since(start), 1)
		})
	}

	b.Run("crane-loop", func(b *testing.B) {
		crane, cfgDir := s.craneSetup(b)
		const procs = 50
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			for i := range procs {
				cmd := exec.Command(crane, "digest", s.refs[i*benchTags/procs])
				cmd.Env = []string{"HOME=" + cfgDir, "DOCKER_CONFIG=" + cfgDir, "SSL_CERT_FILE=" + s.env.CAFile, "PATH=/usr/bin:/bin"}
				out, err := cmd.CombinedOutput()
				if err != nil || strings.TrimSpace(string(out)) != s.digest {
					b.Fatalf("crane digest: %v: %s", err, out)
				}
			}
		}
		record(b, "crane-loop", time.Since(start), float64(benchTags)/procs)
	})

	// The machine may be busy with other work: the ratios come from
	// rounds that run the in-process ways back to back, medians taken.
	b.Run("ratios", func(b *testing.B) {
		ops := make([]func(), len(ways))
		for i, w := range ways {
			ops[i] = w.run(b)
		}
		const rounds = 9
		samples := make([][]float64, len(ways))
		b.ResetTimer()
		for range b.N {
			for round := range rounds {
				// Rotate the order so that no way always follows another.
				for k := range ops {
					i := (round + k) % len(ops)
					start := time.Now()
					ops[i]()
					samples[i] = append(samples[i], float64(time.Since(start).Nanoseconds()))
				}
			}
		}
		med := map[string]float64{}
		for i, w := range ways {
			med[w.name] = median(samples[i])
		}
		mu.Lock()
		med["crane-loop"] = nsPer["crane-loop"]
		mu.Unlock()
		ratio := func(x, y string) float64 {
			if med[x] == 0 || med[y] == 0 {
				return 0
			}
			return med[x] / med[y]
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(ratio("crane-loop", "resolver"), "crane/resolver")
		b.ReportMetric(ratio("ggcr-head", "resolver"), "ggcr/resolver")
		b.ReportMetric(ratio("resolver", "floor"), "resolver/floor")
		b.ReportMetric(ratio("resolver-warm", "floor"), "warm/floor")
		var table strings.Builder
		for _, n := range []string{"resolver", "resolver-warm", "ggcr-head", "floor", "crane-loop"} {
			if med[n] > 0 {
				fmt.Fprintf(&table, "\n  %-14s %9.1f ms/500 tags %9.1f µs/tag", n, med[n]/1e6, med[n]/benchTags/1e3)
			}
		}
		b.Logf("500 tags, token auth, GOMAXPROCS=%d; medians of %d interleaved rounds (crane: its own run, 50 processes scaled to 500):%s\n"+
			"  crane-loop/resolver %.0f (target >= 20), ggcr-head/resolver %.2f (>= 1), resolver/floor %.2f (<= 1.5), resolver-warm/floor %.2f",
			runtime.GOMAXPROCS(0), len(samples[0]), table.String(),
			ratio("crane-loop", "resolver"), ratio("ggcr-head", "resolver"), ratio("resolver", "floor"), ratio("resolver-warm", "floor"))
	})
}

// median returns the median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// resolverCold is one op of (a): a new Resolver (new connections, ping,
// token) resolving the 500 tags.
func (s *bench500) resolverCold(b *testing.B) func() {
	opts := resolveOpts(s.env)
	return func() {
		res, err := registry.Resolve(context.Background(), s.refs, opts)
		if err != nil {
			b.Fatal(err)
		}
		s.check(b, res)
	}
}

// resolverWarm is one op of a Resolver reused across calls.
func (s *bench500) resolverWarm(b *testing.B) func() {
	r, err := registry.NewResolver(resolveOpts(s.env))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Resolve(context.Background(), s.refs[:1]); err != nil {
		b.Fatal(err)
	}
	return func() {
		res, err := r.Resolve(context.Background(), s.refs)
		if err != nil {
			b.Fatal(err)
		}
		s.check(b, res)
	}
}

// ggcrHead is one op of (c): remote.Head from 8 goroutines sharing a new
// remote.Puller.
func (s *bench500) ggcrHead(b *testing.B) func() {
	refs := make([]name.Reference, len(s.refs))
	for i, r := range s.refs {
		ref, err := name.ParseReference(r)
		if err != nil {
			b.Fatal(err)
		}
		refs[i] = ref
	}
	basic := &authn.Basic{Username: "ci", Password: resolvePass}
	return func() {
		puller, err := remote.NewPuller(remote.WithAuth(basic), remote.WithTransport(s.transport(b)))
		if err != nil {
			b.Fatal(err)
		}
		parallel(b, len(refs), func(i int) error {
			d, err := remote.Head(refs[i], remote.Reuse(puller), remote.WithContext(context.Background()))
			if err == nil && d.Digest.String() != s.digest {
				err = fmt.Errorf("digest %s", d.Digest)
			}
			return err
		})
	}
}

// floor is one op of (d): only the 500 HEADs, with a token fetched once
// beforehand, over new kept-alive connections from 8 goroutines.
func (s *bench500) floor(b *testing.B) func() {
	authz := "Bearer " + s.token(b)
	urls := make([]string, len(s.refs))
	for i, r := range s.refs {
		repo, tag, _ := strings.Cut(strings.TrimPrefix(r, s.env.RegistryHost+"/"), ":")
		urls[i] = "https://" + s.env.RegistryHost + "/v2/" + repo + "/manifests/" + tag
	}
	const accept = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
		"application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
	return func() {
		client := &http.Client{Transport: s.transport(b)}
		parallel(b, len(urls), func(i int) error {
			req, err := http.NewRequest(http.MethodHead, urls[i], nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", authz)
			req.Header.Set("Accept", accept)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if d := resp.Header.Get("Docker-Content-Digest"); resp.StatusCode != http.StatusOK || d != s.digest {
				return fmt.Errorf("HEAD: %s, digest %q", resp.Status, d)
			}
			return nil
		})
	}
}

// transport is a new connection pool for the ggcr and floor clients. Like
// the resolver (and crane), they trust the system roots plus the env's CA.
func (s *bench500) transport(b *testing.B) *http.Transport {
	pool, err := x509.SystemCertPool()
	if err != nil {
		b.Fatal(err)
	}
	pool.AppendCertsFromPEM(s.env.CAPEM)
	t := s.env.Transport()
	t.TLSClientConfig.RootCAs = pool
	return t
}

// check verifies one run's results.
func (s *bench500) check(b *testing.B, res []registry.ResolveResult) {
	b.Helper()
	for i, r := range res {
		if r.Digest != s.digest || r.Input != s.refs[i] {
			b.Fatalf("result %d: %+v", i, r)
		}
	}
}

// parallel runs fn(0..n-1) on 8 goroutines.
func parallel(b *testing.B, n int, fn func(i int) error) {
	b.Helper()
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range registry.DefaultConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// token fetches one pull token for app as user ci.
func (s *bench500) token(b *testing.B) string {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, s.env.RealmURL+"?service="+s.env.Service+"&scope=repository:app:pull", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth("ci", resolvePass)
	resp, err := (&http.Client{Transport: s.env.Transport()}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Token == "" {
		b.Fatalf("fetch token: %s %v", resp.Status, err)
	}
	return body.Token
}

var (
	craneOnce sync.Once
	craneBin  string
	craneErr  error
)

// craneSetup builds crane (once per process) from the go-containerregistry
// module in go.mod and writes a docker config with ci's credentials. It
// skips the benchmark when go is missing or the registry's names do not
// resolve to loopback (they are in /etc/hosts on CI).
func (s *bench500) craneSetup(b *testing.B) (bin, cfgDir string) {
	b.Helper()
	for _, h := range []string{s.env.RegistryHost, s.env.RealmHost} {
		host, _, _ := net.SplitHostPort(h)
		addrs, err := net.LookupHost(host)
		if err != nil || len(addrs) == 0 || !net.ParseIP(addrs[0]).IsLoopback() {
			b.Skipf("%s does not resolve to loopback (add it to /etc/hosts): %v", host, err)
		}
	}
	craneOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		dir, err := os.MkdirTemp("", "pullsecret-crane-")
		if err != nil {
			craneErr = err
			return
		}
		craneBin = filepath.Join(dir, "crane")
		out, err := exec.Command(goBin, "build", "-o", craneBin, "github.com/google/go-containerregistry/cmd/crane").CombinedOutput()
		if err != nil {
			craneErr = fmt.Errorf("build crane: %v: %s", err, out)
		}
	})
	if craneErr != nil {
		b.Skip(craneErr)
	}
	cfgDir = b.TempDir()
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, s.env.RegistryHost, base64.StdEncoding.EncodeToString([]byte("ci:"+resolvePass)))
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	return craneBin, cfgDir
}

// BenchmarkResolveStream streams 10,000 tags of one repository through
// ResolveEach (token auth, one Resolver per op) and reports, besides the
// time, how far the live heap of the whole process grows while streaming.
// The growth over the heap before the op is sampled (after a GC) each time
// 2,500 more results have arrived and the workers have stopped at the full
// window: "live-MB" is the median sample, "peak-live-MB" the largest.
// "held-refs" is the most references read from the input but not yet
// delivered. All three stay flat however many references stream (40,000
// give the same numbers as 10,000); the heap numbers include the
// in-process registry and whatever else the process runs, and a busy
// machine raises the peak, so they are measurements, not a test
// (TestResolveEachHoldsAWindow checks the property by counting).
func BenchmarkResolveStream(b *testing.B) {
	const n = 10000
	env := resolveEnv(b, nil)
	digest, tags, err := env.TagMany(context.Background(), "app", n)
	if err != nil {
		b.Fatal(err)
	}
	refs := make([]string, n)
	for i, tag := range tags {
		refs[i] = env.Ref("app", tag)
	}
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	// quiesce waits until the registry has seen no request for 20 ms: the
	// workers have filled the window and stopped, so requests in flight
	// (and the garbage they make during the GC) do not count.
	quiesce := func() {
		for last := -1; ; {
			time.Sleep(20 * time.Millisecond)
			c := env.Count(registrytest.Filter{})
			if c == last {
				return
			}
			last = c
		}
	}
	var (
		samples  []float64 // MB
		peakHeld float64
	)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		env.ResetCounts() // the env records every request
		base := heap()
		b.StartTimer()
		r, err := registry.NewResolver(resolveOpts(env))
		if err != nil {
			b.Fatal(err)
		}
		var delivered, held atomic.Int64
		seq := func(yield func(string) bool) {
			for i, s := range refs {
				held.Store(max(held.Load(), int64(i+1)-delivered.Load()))
				if !yield(s) {
					return
				}
			}
		}
		err = r.ResolveEach(context.Background(), seq, func(res registry.ResolveResult) error {
			i := delivered.Add(1)
			if res.Digest != digest || res.Input != refs[i-1] {
				return fmt.Errorf("result %d: %+v", i-1, res)
			}
			if i%2500 == 0 && i < n {
				b.StopTimer()
				quiesce()
				env.ResetCounts()
				samples = append(samples, float64(heap()-base)/(1<<20))
				b.StartTimer()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if got := delivered.Load(); got != n {
			b.Fatalf("%d results, want %d", got, n)
		}
		peakHeld = max(peakHeld, float64(held.Load()))
	}
	b.ReportMetric(median(samples), "live-MB")
	b.ReportMetric(slices.Max(samples), "peak-live-MB")
	b.ReportMetric(peakHeld, "held-refs")
}
