package main

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/pullsecret/pullsecret/dockercfg"
	"github.com/pullsecret/pullsecret/internal/registrytest"
	"github.com/pullsecret/pullsecret/secrets"
)

const (
	dgUser = "dev@example.com"
	dgPass = "deleg-Cli-Secret-7"
)

// dgEntry is one decoded payload entry.
type dgEntry struct{ Key, Username, Password, Email, Auth string }

// dgSecret is what a test asserts of one emitted Secret.
type dgSecret struct {
	Name, Namespace string
	Type            corev1.SecretType
	Entries         []dgEntry
}

// dgWant is the entry of key carrying the test's credentials.
func dgWant(key, email string) dgEntry {
	return dgEntry{key, dgUser, dgPass, email, dockercfg.EncodeAuth(dgUser, dgPass)}
}

// decodeSecrets reads the Secrets of a YAML stream or of JSON (one object
// or a v1 List), checks each with secrets.Validate and decodes its payload.
func decodeSecrets(t *testing.T, out string) []dgSecret {
	t.Helper()
	var docs []string
	if strings.HasPrefix(out, "{") {
		var list struct {
			Kind  string `json:"kind"`
			Items []any  `json:"items"`
		}
		if err := yaml.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("decode JSON: %v\n%s", err, out)
		}
		if list.Kind == "List" {
			for _, it := range list.Items {
				b, err := yaml.Marshal(it)
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, string(b))
			}
		} else {
			docs = []string{out}
		}
	} else {
		docs = strings.Split(out, "\n---\n")
	}
	var got []dgSecret
	for _, d := range docs {
		var s corev1.Secret
		if err := yaml.UnmarshalStrict([]byte(d), &s); err != nil {
			t.Fatalf("decode secret: %v\n%s", err, d)
		}
		if s.APIVersion != "v1" || s.Kind != "Secret" {
			t.Errorf("apiVersion %q kind %q", s.APIVersion, s.Kind)
		}
		if err := secrets.Validate(&s); err != nil {
			t.Errorf("emitted secret does not validate: %v", err)
		}
		f, ok := secrets.FormatOf(s.Type)
		if !ok || len(s.Data) != 1 {
			t.Fatalf("secret %q: type %q, %d data keys", s.Name, s.Type, len(s.Data))
		}
		cfg, err := dockercfg.ParseFormat(s.Data[secrets.DataKey(f)], f)
		if err != nil {
			t.Fatalf("secret %q payload: %v", s.Name, err)
		}
		g := dgSecret{Name: s.Name, Namespace: s.Namespace, Type: s.Type}
		for _, e := range cfg.Entries {
			g.Entries = append(g.Entries, dgEntry{e.Key, e.Username, e.Password, e.Email, e.Auth})
		}
		got = append(got, g)
	}
	return got
}

// dgEnv starts a token registry whose realm is on another host unless
// sameHost.
func dgEnv(t *testing.T, mode registrytest.Mode, sameHost bool) *registrytest.Env {
	t.Helper()
	return registrytest.New(t, registrytest.Options{
		Mode:          mode,
		SameHostRealm: sameHost,
		Users:         map[string]string{"alice": "unused-password"},
	})
}

// dgName is the derived secret name of a "name.test:PORT" host.
func dgName(hostPort string) string {
	return strings.NewReplacer(".", "-", ":", "-").Replace(hostPort)
}

func TestDelegatedDiscovery(t *testing.T) {
	t.Parallel()
	cjson := corev1.SecretTypeDockerConfigJson
	tests := []struct {
		name       string
		mode       registrytest.Mode
		sameHost   bool
		args       []string
		want       func(env *registrytest.Env) []dgSecret
		wantStderr func(env *registrytest.Env) string
	}{
		{
			name: "realm on another host: two secrets",
			mode: registrytest.Token,
			want: func(env *registrytest.Env) []dgSecret {
				return []dgSecret{
					{dgName(env.RealmHost), "", cjson, []dgEntry{dgWant(env.RealmHost, "")}},
					{dgName(env.RegistryHost), "", cjson, []dgEntry{dgWant(env.RegistryHost, "")}},
				}
			},
		},
		{
			name: "single secret as JSON, namespace and email",
			mode: registrytest.Token,
			args: []string{"--single", "both", "-n", "team", "--docker-email", "unused", "-o", "json"},
			want: func(env *registrytest.Env) []dgSecret {
				return []dgSecret{{"both", "team", cjson, []dgEntry{dgWant(env.RealmHost, "unused"), dgWant(env.RegistryHost, "unused")}}}
			},
		},
		{
			name: "named pair as a JSON List, legacy type",
			mode: registrytest.Token,
			args: []string{"--registry-secret", "private-registry", "--auth-secret", "redhat-connect-sso", "-o", "json", "--type", "dockercfg"},
			want: func(env *registrytest.Env) []dgSecret {
				return []dgSecret{
					{"redhat-connect-sso", "", corev1.SecretTypeDockercfg, []dgEntry{dgWant(env.RealmHost, "")}},
					{"private-registry", "", corev1.SecretTypeDockercfg, []dgEntry{dgWant(env.RegistryHost, "")}},
				}
			},
		},
		{
			name:     "realm on the registry's host: registry secret only",
			mode:     registrytest.Token,
			sameHost: true,
			want: func(env *registrytest.Env) []dgSecret {
				return []dgSecret{{dgName(env.RegistryHost), "", cjson, []dgEntry{dgWant(env.RegistryHost, "")}}}
			},
			wantStderr: func(env *registrytest.Env) string {
				return "pullsecret: note: " + env.RegistryHost + " does not delegate authentication to another host (realm on " +
					env.RegistryHost + "): writing the registry entry only\n"
			},
		},
		{
			name: "basic auth registry: registry secret only",
			mode: registrytest.Htpasswd,
			args: []string{"--single", "one"},
			want: func(env *registrytest.Env) []dgSecret {
				return []dgSecret{{"one", "", cjson, []dgEntry{dgWant(env.RegistryHost, "")}}}
			},
			wantStderr: func(env *registrytest.Env) string {
				return "pullsecret: note: " + env.RegistryHost + " does not delegate authentication to another host (realm on " +
					env.RegistryHost + "): writing the registry entry only\n"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := dgEnv(t, tt.mode, tt.sameHost)
			// Flags in the order users write them, password on stdin.
			args := append([]string{"delegated", "--registry", env.RegistryHost, "-u", dgUser, "--password-stdin"}, tt.args...)
			args = append(args, netArgs(env, true)...)
			r := runCLI(t, dgPass+"\n", nil, args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want(env), decodeSecrets(t, r.stdout)); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
			wantStderr := ""
			if tt.wantStderr != nil {
				wantStderr = tt.wantStderr(env)
			}
			if r.stderr != wantStderr {
				t.Errorf("stderr %q, want %q", r.stderr, wantStderr)
			}
			// Discovery is one GET /v2/ to the registry; nothing goes to the realm.
			reqs := env.Requests()
			if len(reqs) != 1 || reqs[0].Host != registrytest.HostRegistry || reqs[0].Route != registrytest.RoutePing || reqs[0].AuthScheme != "" {
				t.Errorf("requests %+v, want one anonymous ping of the registry", reqs)
			}
		})
	}
}

func TestDelegatedAuthServerGivenUsesNoNetwork(t *testing.T) {
	t.Parallel()
	env := dgEnv(t, registrytest.Token, false)
	pwFile := writeFile(t, "pw", dgPass+"\r\n")
	tests := []struct {
		name       string
		args       []string
		want       []dgSecret
		wantStderr string
	}{
		{
			name: "pair",
			args: []string{"--auth-server", env.RealmHost, "--password-file", pwFile},
			want: []dgSecret{
				{dgName(env.RealmHost), "", corev1.SecretTypeDockerConfigJson, []dgEntry{dgWant(env.RealmHost, "")}},
				{dgName(env.RegistryHost), "", corev1.SecretTypeDockerConfigJson, []dgEntry{dgWant(env.RegistryHost, "")}},
			},
		},
		{
			name: "auth server is the registry",
			args: []string{"--auth-server", "https://" + strings.ToUpper(env.RegistryHost), "--password-env", "PW"},
			want: []dgSecret{
				{dgName(env.RegistryHost), "", corev1.SecretTypeDockerConfigJson, []dgEntry{dgWant(env.RegistryHost, "")}},
			},
			wantStderr: "pullsecret: note: --auth-server https://" + strings.ToUpper(env.RegistryHost) +
				" is the registry's own host: writing the registry entry only\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"delegated", "--registry", env.RegistryHost, "-u", dgUser}, tt.args...)
			// The network flags point at the env: any request would be recorded.
			args = append(args, netArgs(env, true)...)
			r := runCLI(t, "", map[string]string{"PW": dgPass}, args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, decodeSecrets(t, r.stdout)); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
			if r.stderr != tt.wantStderr {
				t.Errorf("stderr %q, want %q", r.stderr, tt.wantStderr)
			}
		})
	}
	if reqs := env.Requests(); len(reqs) != 0 {
		t.Errorf("--auth-server given, yet %d requests: %+v", len(reqs), reqs)
	}
}

func TestDelegatedRawConfigJSON(t *testing.T) {
	t.Parallel()
	env := dgEnv(t, registrytest.Token, false)
	args := append([]string{"delegated", "--registry", env.RegistryHost + "/team", "-p", dgPass, "-u", dgUser, "-o", "dockerconfigjson"}, netArgs(env, true)...)
	r := runCLI(t, "", nil, args...)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// -p works, with a warning that does not repeat the password.
	if !strings.Contains(r.stderr, "warning: --docker-password") || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, dgPass) {
		t.Errorf("stderr %q, want one warning line without the password", r.stderr)
	}
	cfg, err := dockercfg.ParseFormat([]byte(r.stdout), dockercfg.FormatConfigJSON)
	if err != nil {
		t.Fatalf("output is not a config.json: %v\n%s", err, r.stdout)
	}
	var got []dgEntry
	for _, e := range cfg.Entries {
		got = append(got, dgEntry{e.Key, e.Username, e.Password, e.Email, e.Auth})
	}
	want := []dgEntry{dgWant(env.RealmHost, ""), dgWant(env.RegistryHost+"/team", "")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(r.stdout, "}\n") {
		t.Errorf("output does not end in one newline: %q", r.stdout)
	}
}

func TestDelegatedFailures(t *testing.T) {
	t.Parallel()
	env := dgEnv(t, registrytest.Token, false)
	notFound := dgEnv(t, registrytest.Token, false)
	notFound.SetFault(registrytest.HostRegistry, registrytest.Fault{Route: registrytest.RoutePing, Status: 404})
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	closed := "registry.test:" + strconv.Itoa(closedPort)

	reg := []string{"--registry", env.RegistryHost}
	creds := []string{"-u", dgUser, "--password-stdin"}
	join := func(parts ...[]string) []string {
		out := []string{"delegated"}
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // in the one stderr line
	}{
		{"registry unreachable", join([]string{"--registry", closed, "--resolve", closed + ":127.0.0.1"}, creds), exitNetwork, "discover the auth server of " + closed},
		{"unknown certificate authority", join(reg, creds, netArgs(env, false)), exitNetwork, "certificate"},
		{"ping answers 404", join([]string{"--registry", notFound.RegistryHost}, creds, netArgs(notFound, true)), exitError, "--auth-server"},
		{"no registry", join(creds), exitUsage, "--registry is required"},
		{"no password", join(reg, []string{"-u", dgUser}), exitUsage, "password"},
		{"no username", join(reg, []string{"--password-stdin"}), exitUsage, "--docker-username"},
		{"two password sources", join(reg, creds, []string{"--password-env", "X"}), exitUsage, "--password-stdin and --password-env all give the password"},
		{"colon in username", join(reg, []string{"-u", "a:b", "--password-stdin"}), exitError, "':'"},
		{"single and names", join(reg, creds, []string{"--single", "x", "--auth-secret", "y"}), exitUsage, "--single conflicts"},
		{"bad output", join(reg, creds, []string{"-o", "table"}), exitUsage, `--output "table"`},
		{"raw output of the legacy type", join(reg, creds, []string{"-o", "dockerconfigjson", "--type", "dockercfg"}), exitUsage, "conflicts"},
		{"positional argument", join(reg, creds, []string{"regcred"}), exitUsage, `unexpected argument "regcred"`},
		{"auth server with a path", join(reg, creds, []string{"--auth-server", "sso.test/token"}), exitError, "without a path"},
		{"invalid secret name", join(reg, creds, []string{"--registry-secret", "Bad_Name"}), exitError, `--registry-secret "Bad_Name"`},
		{"invalid namespace", join(reg, creds, []string{"-n", "a.b"}), exitError, `--namespace "a.b"`},
		{"bad timeout", join(reg, creds, []string{"--timeout", "0s"}), exitUsage, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, dgPass+"\n", nil, tt.args...)
			t.Logf("stderr: %s", r.stderr)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "pullsecret: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q, want one line containing %q", r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, dgPass) || strings.Contains(r.stderr, dockercfg.EncodeAuth(dgUser, dgPass)) {
				t.Errorf("password on stderr: %q", r.stderr)
			}
		})
	}
	if leaks := env.Leaks(); len(leaks) != 0 {
		t.Errorf("leaks: %v", leaks)
	}
}
