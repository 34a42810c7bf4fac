package cluster_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/pullsecret/pullsecret/cluster"
	"github.com/pullsecret/pullsecret/internal/clustertest"
)

const auditPassword = "audit-pw-never-shown"

// jwt is an unsigned JWT with the exp claim.
func jwt(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d}`, exp.Unix()))) + "." + enc([]byte("sig"))
}

func authPayload(key, user, pass string) string {
	return `{"auths":{"` + key + `":{"auth":"` + b64(user+":"+pass) + `"}}}`
}

func mustCreate(t testing.TB, cs kubernetes.Interface, s *corev1.Secret) {
	t.Helper()
	if _, err := cs.CoreV1().Secrets(s.Namespace).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create secret %s/%s: %v", s.Namespace, s.Name, err)
	}
}

func setSAPullSecrets(t testing.TB, cs kubernetes.Interface, ns, sa string, names ...string) {
	t.Helper()
	ctx := context.Background()
	acct, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, sa, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acct.ImagePullSecrets = nil
	for _, n := range names {
		acct.ImagePullSecrets = append(acct.ImagePullSecrets, corev1.LocalObjectReference{Name: n})
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Update(ctx, acct, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func runAudit(t testing.TB, c *cluster.Client, opts cluster.AuditOptions) (*cluster.AuditSummary, map[string]cluster.AuditSecret, []*cluster.AuditNamespace) {
	t.Helper()
	rows := map[string]cluster.AuditSecret{}
	var nss []*cluster.AuditNamespace
	sum, err := c.Audit(context.Background(), opts, func(n *cluster.AuditNamespace) error {
		nss = append(nss, n)
		for _, s := range n.Secrets {
			rows[s.Namespace+"/"+s.Name] = s
		}
		return nil
	})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return sum, rows, nss
}

func problemKinds(s cluster.AuditSecret) map[string]cluster.AuditProblem {
	m := map[string]cluster.AuditProblem{}
	for _, p := range s.Problems {
		if _, ok := m[p.Kind]; !ok {
			m[p.Kind] = p
		}
	}
	return m
}

// craftAuditNamespace makes one Secret per problem kind, and the pods and
// ServiceAccount that refer to them.
func craftAuditNamespace(t testing.TB, env *clustertest.Env, ns string) {
	cs := env.AdminClient()
	now := time.Now()
	mk := func(name string, typ corev1.SecretType, key, payload string, ann map[string]string) {
		mustCreate(t, cs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: ann},
			Type: typ, Data: map[string][]byte{key: []byte(payload)}})
	}
	good := authPayload("quay.io", "robot", auditPassword)
	mk("good", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, good, nil)
	mk("malformed", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, `{"auths":{"quay.io":{"auth":5}}}`, nil)
	// type dockercfg whose payload is the config.json format.
	mk("wrongkey", corev1.SecretTypeDockercfg, corev1.DockerConfigKey, good, nil)
	mk("opaque", corev1.SecretTypeOpaque, corev1.DockerConfigJsonKey, good, nil)
	mk("expired", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey,
		authPayload("myacr.azurecr.io", "00000000-0000-0000-0000-000000000000", jwt(now.Add(-time.Hour))), nil)
	mk("expiring", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey,
		authPayload("ghcr.io", "bot", jwt(now.Add(48*time.Hour))), nil)
	ecr := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"payload":"x","datakey":"y","version":"2","type":"DATA_KEY","expiration":%d}`, now.Add(-time.Minute).Unix())))
	mk("ecr", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey,
		authPayload("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "AWS", ecr), nil)
	mk("hubkey", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey,
		authPayload("registry-1.docker.io", "hubuser", auditPassword), nil)
	mk("src", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("quay.io", "robot", "new-"+auditPassword), nil)
	mk("copy", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, good, map[string]string{
		cluster.SyncSourceAnnotation: ns + "/src", cluster.SyncHashAnnotation: "sha256:" + strings.Repeat("0", 64)})
	// A copy in sync: its annotation is the hash pullsecret sync writes.
	srcData := map[string][]byte{corev1.DockerConfigJsonKey: []byte(authPayload("quay.io", "robot", "new-"+auditPassword))}
	mk("insync", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, string(srcData[corev1.DockerConfigJsonKey]), map[string]string{
		cluster.SyncSourceAnnotation: ns + "/src", cluster.SyncHashAnnotation: syncHashForTest(corev1.SecretTypeDockerConfigJson, srcData)})
	mk("unused", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("quay.io", "other", auditPassword), nil)
	mk("notpull", corev1.SecretTypeOpaque, "token", "x", nil)
	// Chain: first has quay.io user robot, second quay.io user other.
	mk("second", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("quay.io", "other", "second-"+auditPassword), nil)
	mk("gha", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("ghcr.io", "alpha", auditPassword), nil)
	mk("ghb", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("ghcr.io", "beta", auditPassword), nil)
	mk("ghsame", corev1.SecretTypeDockerConfigJson, corev1.DockerConfigJsonKey, authPayload("ghcr.io", "alpha", auditPassword), nil)
	setSAPullSecrets(t, cs, ns, "default", "malformed", "wrongkey", "opaque", "expired", "expiring", "ecr", "hubkey", "copy", "src", "notpull")
	createPod(t, cs, ns, "app", nil, podSpec("good", "second", "gone"))
	createPod(t, cs, ns, "app2", nil, podSpec("good", "second"))
	createPod(t, cs, ns, "bysa", nil, podSpec())
	// Same registry, no image of it: a registry-level conflict; the same
	// credential twice is none.
	createPod(t, cs, ns, "gh", nil, podSpec("gha", "ghb"))
	createPod(t, cs, ns, "insync", nil, podSpec("insync"))
	createPod(t, cs, ns, "ghsame", nil, podSpec("gha", "ghsame"))
}

// TestAuditProblemKinds: each problem kind is found on a crafted
// namespace, with its severity; the chain conflict names the Secret the
// kubelet tries first; no password or auth value appears anywhere in the
// report.
func TestAuditProblemKinds(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	craftAuditNamespace(t, env, ns)
	c := adminClient(env, ns)
	sum, rows, nss := runAudit(t, c, cluster.AuditOptions{Namespace: ns, PageSize: 3})
	want := map[string]string{
		"malformed": cluster.ProblemMalformed,
		"wrongkey":  cluster.ProblemWrongKey,
		"opaque":    cluster.ProblemOpaque,
		"expired":   cluster.ProblemExpired,
		"expiring":  cluster.ProblemExpiring,
		"ecr":       cluster.ProblemExpired,
		"hubkey":    cluster.ProblemKeySpelling,
		"copy":      cluster.ProblemOutOfSync,
		"unused":    cluster.ProblemUnused,
		"gone":      cluster.ProblemMissing,
		"notpull":   cluster.ProblemNotPullSecret,
		"good":      cluster.ProblemConflict,
		"second":    cluster.ProblemConflict,
	}
	sev := map[string]cluster.Severity{
		cluster.ProblemMalformed: cluster.SeverityError, cluster.ProblemWrongKey: cluster.SeverityError,
		cluster.ProblemExpired: cluster.SeverityError, cluster.ProblemMissing: cluster.SeverityError,
		cluster.ProblemOpaque: cluster.SeverityWarning, cluster.ProblemExpiring: cluster.SeverityWarning,
		cluster.ProblemUnused: cluster.SeverityInfo,
	}
	for name, kind := range want {
		r, ok := rows[ns+"/"+name]
		if !ok {
			t.Errorf("%s: no row", name)
			continue
		}
		p, ok := problemKinds(r)[kind]
		if !ok {
			t.Errorf("%s: problems %+v, want kind %s", name, r.Problems, kind)
			continue
		}
		if s, ok := sev[kind]; ok && p.Severity != s {
			t.Errorf("%s: %s severity %s, want %s", name, kind, p.Severity, s)
		}
	}
	if _, ok := problemKinds(rows[ns+"/src"])[cluster.ProblemUnused]; ok {
		t.Errorf("src is referenced by the ServiceAccount: %+v", rows[ns+"/src"].Problems)
	}
	if r := rows[ns+"/good"]; r.Pods != 2 || len(r.Registries) != 1 || r.Registries[0] != "quay.io" || len(r.Users) != 1 || r.Users[0] != "robot" {
		t.Errorf("good: %+v", r)
	}
	if r := rows[ns+"/expired"]; r.Pods != 1 || len(r.ServiceAccounts) != 1 {
		t.Errorf("expired (used by SA default and pod bysa): %+v", r)
	}
	conflict := problemKinds(rows[ns+"/second"])[cluster.ProblemConflict].Message
	if !strings.Contains(conflict, "good wins") || !strings.Contains(conflict, "pod app, app2") {
		t.Errorf("conflict message %q: want good named the winner, both pods", conflict)
	}
	gh := problemKinds(rows[ns+"/ghb"])[cluster.ProblemConflict].Message
	if !strings.Contains(gh, "pod gh,") || !strings.Contains(gh, "images of ghcr.io") || !strings.Contains(gh, "gha wins") {
		t.Errorf("registry conflict %q", gh)
	}
	if r, ok := rows[ns+"/insync"]; !ok || len(r.Problems) != 0 || r.Source != ns+"/src" {
		t.Errorf("copy in sync: %+v", r)
	}
	if ps := rows[ns+"/ghsame"].Problems; len(ps) != 0 {
		t.Errorf("same credential twice: %+v", ps)
	}
	if _, ok := rows[ns+"/copy"]; ok {
		msgs := fmt.Sprint(rows[ns+"/copy"].Problems)
		if !strings.Contains(msgs, "differs from its source") || !strings.Contains(msgs, "annotation does not match") {
			t.Errorf("copy: %s", msgs)
		}
	}
	if _, ok := rows[ns+"/src"]; !ok {
		t.Error("src: no row")
	}
	if sum.Errors == 0 || sum.Warnings == 0 || sum.Infos == 0 || sum.Namespaces != 1 || sum.Pods != 6 {
		t.Errorf("summary %+v", sum)
	}
	b, _ := json.Marshal(nss)
	for _, leak := range []string{auditPassword, b64("robot:" + auditPassword), b64("hubuser:" + auditPassword),
		b64("other:" + auditPassword), b64("alpha:" + auditPassword), b64("beta:" + auditPassword)} {
		if strings.Contains(string(b), leak) {
			t.Errorf("report holds a secret value %q", leak)
		}
	}
}

// TestAuditForbiddenList: a user who may list pods and serviceaccounts but
// not secrets gets the refused read named, and no guessed "missing" or
// "unused".
func TestAuditForbiddenList(t *testing.T) {
	env := clustertest.Start(t)
	ns := env.Namespace(t)
	cs := env.AdminClient()
	mustCreate(t, cs, livePullSecret(ns, "regcred", authPayload("quay.io", "robot", auditPassword)))
	createPod(t, cs, ns, "app", nil, podSpec("regcred", "gone"))
	env.Grant(t, clustertest.Alice, ns, []string{"list"}, []string{"pods", "serviceaccounts"})
	c := &cluster.Client{Clientset: env.Client(t, clustertest.Alice), Namespace: ns}
	sum, rows, nss := runAudit(t, c, cluster.AuditOptions{})
	if len(sum.Unreadable) != 1 || !strings.Contains(sum.Unreadable[0], "list secrets in "+ns+": forbidden") {
		t.Fatalf("unreadable %q", sum.Unreadable)
	}
	if len(nss) != 1 || len(nss[0].Unreadable) != 1 {
		t.Fatalf("namespaces %+v", nss)
	}
	if len(rows) != 0 {
		t.Errorf("rows guessed without the secrets list: %+v", rows)
	}
	// -A: alice may list nothing across namespaces; each list is named
	// once, and the audit itself succeeds with nothing to report.
	sum, rows, nss = runAudit(t, c, cluster.AuditOptions{All: true})
	if len(sum.Unreadable) != 3 || len(rows) != 0 || len(nss) != 0 {
		t.Fatalf("-A: unreadable %q, rows %d, namespaces %d", sum.Unreadable, len(rows), len(nss))
	}
	for _, u := range sum.Unreadable {
		if !strings.Contains(u, " in all namespaces: forbidden") {
			t.Errorf("-A: %q", u)
		}
	}
}

// TestAuditAllNamespaces: -A on a dedicated control plane reports every
// namespace's pull secrets in namespace order, paging through lists smaller
// than one namespace.
func TestAuditAllNamespaces(t *testing.T) {
	env := clustertest.StartDedicated(t)
	cs := env.AdminClient()
	var nss []string
	for i := 0; i < 4; i++ {
		ns := env.Namespace(t)
		nss = append(nss, ns)
		for j := 0; j < 3; j++ {
			mustCreate(t, cs, livePullSecret(ns, fmt.Sprintf("s%d", j), authPayload("quay.io", "robot", auditPassword)))
		}
		setSAPullSecrets(t, cs, ns, "default", "s0")
	}
	c := adminClient(env, "default")
	sum, rows, got := runAudit(t, c, cluster.AuditOptions{All: true, PageSize: 2})
	if sum.Secrets != 12 || len(rows) != 12 {
		t.Fatalf("summary %+v rows %d", sum, len(rows))
	}
	var order []string
	for _, n := range got {
		order = append(order, n.Namespace)
	}
	for i := 1; i < len(order); i++ {
		if order[i] <= order[i-1] {
			t.Errorf("namespaces not in order: %v", order)
		}
	}
	for _, ns := range nss {
		if _, ok := problemKinds(rows[ns+"/s1"])[cluster.ProblemUnused]; !ok {
			t.Errorf("%s/s1 not unused: %+v", ns, rows[ns+"/s1"])
		}
		if len(rows[ns+"/s0"].Problems) != 0 {
			t.Errorf("%s/s0: %+v", ns, rows[ns+"/s0"].Problems)
		}
	}
}

// syncHashForTest is pullsecret sync's hash of a copy, written out here as
// an independent oracle for cluster.SyncHash (which sync writes and audit
// reads), so that both are checked against it, not against themselves.
func syncHashForTest(typ corev1.SecretType, data map[string][]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s", len(typ), typ)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(data[k]))
		h.Write(data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
