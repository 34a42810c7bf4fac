// Package cluster is pullsecret's one Kubernetes API client: every request
// the project makes to a cluster goes through it (client-go).
//
// Options are kubectl's connection flags (--kubeconfig, --context,
// -n/--namespace, --as, --as-group) and become a Client with
// Options.Client: the kubeconfig is the one named, else the files in
// KUBECONFIG (as Options.Getenv gives it), else ~/.kube/config, else, in a
// pod, the in-cluster configuration. The namespace is Options.Namespace,
// else the context's, else "default" (in a pod: the pod's). The client's
// rate limit (QPS 50, burst 100 unless set) does not throttle bulk work
// needlessly.
//
// Writes are read-modify-write with optimistic concurrency: an Update
// carries the resourceVersion read, a conflict (409) re-reads the object
// and applies the same edit again (client-go's retry.RetryOnConflict), so
// an entry another writer added in between is never lost. Each write
// returns a Result, kubectl's one line (`secret/regcred configured`).
//
// What it does, one file each: [Client.ApplySecret] (server-side apply with
// field manager "pullsecret", --dry-run=server, conflicts as
// *ConflictError), [Client.LinkServiceAccount], [Client.GrantImagePull]
// (oc policy add/remove-role semantics) and [Client.EditSecret] (login and
// logout on a live pull secret); [Client.SecretSources] and
// [Client.PodPullSecrets] read live Secrets as credential sources;
// [Client.Diagnose] predicts and explains the image pulls of pods and
// workloads with paged lists, one namespace at a time. The behaviour
// contract is docs/cluster.md.
//
// The package never prints, never exits and reads no environment variable
// itself except through Options.Getenv; it must not import registry (the
// registry client) or urfave/cli (kept by deps_test.go). It builds on
// secrets for the offline edits it performs on live objects.
package cluster
