package cluster

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// conflictBackoff is how often a read-modify-write is tried again after a
// conflict (another writer changed the object between read and write):
// client-go's retry.DefaultRetry with more steps, so that several writers
// busy on one object all get through. A conflict on the last step is
// returned, never dropped.
var conflictBackoff = wait.Backoff{Steps: 20, Duration: 10 * time.Millisecond, Factor: 1.2, Jitter: 0.5, Cap: 500 * time.Millisecond}

// dryRunOption is the dryRun query parameter of a write.
func dryRunOption(dryRun bool) []string {
	if dryRun {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// objectRef names an object in errors: NS/NAME, or NAME without a namespace.
func objectRef(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}
