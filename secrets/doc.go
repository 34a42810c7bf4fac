// Package secrets builds, checks, encodes and reads Kubernetes image pull
// secrets: core/v1 Secrets of type kubernetes.io/dockerconfigjson (data key
// .dockerconfigjson, payload {"auths":{...}}) and kubernetes.io/dockercfg
// (data key .dockercfg, the legacy flat {KEY:{...}} map).
//
// # Generating
//
// DockerConfigJSON returns the bytes kubectl create secret docker-registry
// stores: compact JSON {"auths":{SERVER:{"username","password","email","auth"}}}
// with the entry fields in that order, email omitted when empty, auth the
// padded standard base64 of "username:password", and encoding/json's HTML
// escaping (<, > and & written as \u003c, \u003e, \u0026). The server key is
// used verbatim, as kubectl does. New and FromConfig wrap a payload in a
// Secret; the namespace is set only when one is given, so that the output
// matches kubectl's client dry run. AppendHash renames a Secret with kubectl's
// --append-hash suffix (the namespace is not part of the hash).
//
// # Validating
//
// Validate applies the API server's checks (DNS-1123 subdomain name, DNS-1123
// label namespace, labels, annotations, data keys, total size at most
// MaxSize bytes, the type's required key, a JSON object payload) and then
// stricter ones the API server lacks, because the kubelet silently ignores a
// secret that fails them: the payload must parse as a docker config of the
// format the type declares (so {"auths":…} in a dockercfg secret is refused),
// must hold at least one entry, and every entry must carry its credentials
// inline (the kubelet never runs credential helpers). Errors name the field
// (metadata.name, data[.dockerconfigjson]) and never contain the payload.
//
// # Encoding
//
// Encode prints objects as kubectl does: yaml (sigs.k8s.io/yaml: keys in
// alphabetical order), json (4-space indent, fields in struct order, a
// trailing newline) or name (secret/NAME). Several objects become a YAML
// stream separated by "---" or, in JSON, a v1 List. apiVersion and kind are
// filled in from the object's Go type.
//
// # Reading credential sources
//
// ReadSource detects the format of a credential file from its content: a
// docker config.json, a containers auth.json or a legacy .dockercfg gives one
// dockercfg.Source; anything else is read as Kubernetes manifests (YAML or
// JSON; one object, a List or SecretList, a YAML stream separated by "---",
// or JSON objects one after another, as kubectl reads them). Every
// Secret of a pull secret type gives one Source (stringData overrides data, as
// on the API server). A Secret the kubelet would ignore or fail on — another
// type, a data key that does not match the type, a payload in the wrong
// format or that does not parse — is a *SecretError naming the file, the
// secret and the problem (read it with errors.As). Objects of other kinds are skipped; a file with no pull secret
// at all is ErrNoPullSecrets.
//
// # Editing and merging
//
// EditManifest changes the credentials inside one pull-secret manifest (the
// global pull secret flow) and writes it back in the format it came in,
// keeping every other member; it edits only what ReadSource reads as exactly
// one pull secret, and validates the result.
//
// # ServiceAccounts and RBAC
//
// ReadServiceAccount reads one ServiceAccount strictly (unknown fields are an
// error, not silently dropped); LinkServiceAccount and UnlinkServiceAccount
// append to and remove from imagePullSecrets and secrets, keeping order and
// never duplicating. ImagePullerBinding builds the RoleBinding to ClusterRole
// system:image-puller that oc policy add-role-to-user/-group creates, and
// ParseSubject follows oc's subject rules. AddImagePullers adds subjects to
// an existing such binding read from kubectl get output (AddSubjects
// deduplicates as oc does: kind, name, namespace), keeping every other
// field; a binding to another role is ErrRoleRefMismatch.
//
// # Diagnosing pulls
//
// Inventory collects Pods, workloads, ServiceAccounts, Secrets, RoleBindings
// and ClusterRoleBindings from manifests; Diagnose predicts every
// container's pull as the kubelet would make it: effective pull policy and
// pull secrets, the credentials tried in order (package match's kubelet
// keyring), and the secrets it would skip, ignore or fail on. A pull from
// another project of OpenShift's internal registry (InternalRegistryHost)
// is also checked against that project's system:image-puller grants.
package secrets
