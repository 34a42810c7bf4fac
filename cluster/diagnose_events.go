package cluster

import (
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/pullsecret/pullsecret/match"
	"github.com/pullsecret/pullsecret/secrets"
)

func (o *nsObjects) addPod(p *corev1.Pod) {
	o.workloads = append(o.workloads, manifest("v1", "Pod", p, &p.ObjectMeta))
	o.specs = append(o.specs, podRef{kind: "Pod", name: p.Name, spec: &p.Spec})
	o.pods = append(o.pods, podState{name: p.Name, labels: p.Labels, status: &p.Status})
}

func (o *nsObjects) addWorkload(kind string, obj any, meta *metav1.ObjectMeta, spec *corev1.PodSpec, sel *metav1.LabelSelector) {
	apiVersion := "apps/v1"
	if kind == "Job" || kind == "CronJob" {
		apiVersion = "batch/v1"
	}
	o.workloads = append(o.workloads, manifest(apiVersion, kind, obj, meta))
	r := podRef{kind: kind, name: meta.Name, spec: spec}
	if sel != nil {
		if s, err := metav1.LabelSelectorAsSelector(sel); err == nil && !s.Empty() {
			r.selector = s
		}
	}
	o.specs = append(o.specs, r)
}

func (o *nsObjects) addDeployment(w *appsv1.Deployment) {
	o.addWorkload("Deployment", w, &w.ObjectMeta, &w.Spec.Template.Spec, w.Spec.Selector)
}

func (o *nsObjects) addStatefulSet(w *appsv1.StatefulSet) {
	o.addWorkload("StatefulSet", w, &w.ObjectMeta, &w.Spec.Template.Spec, w.Spec.Selector)
}

func (o *nsObjects) addDaemonSet(w *appsv1.DaemonSet) {
	o.addWorkload("DaemonSet", w, &w.ObjectMeta, &w.Spec.Template.Spec, w.Spec.Selector)
}

func (o *nsObjects) addReplicaSet(w *appsv1.ReplicaSet) {
	o.addWorkload("ReplicaSet", w, &w.ObjectMeta, &w.Spec.Template.Spec, w.Spec.Selector)
}

func (o *nsObjects) addJob(w *batchv1.Job) {
	o.addWorkload("Job", w, &w.ObjectMeta, &w.Spec.Template.Spec, w.Spec.Selector)
}

// addCronJob: the pods of a CronJob's Jobs carry no label naming it, so
// no pod is joined to it.
func (o *nsObjects) addCronJob(w *batchv1.CronJob) {
	o.addWorkload("CronJob", w, &w.ObjectMeta, &w.Spec.JobTemplate.Spec.Template.Spec, nil)
}

// isPullEvent reports whether an Event is about a failed image pull: the
// kubelet's "Failed" with "Failed to pull image ...", "Error: ErrImagePull"
// or "Error: ImagePullBackOff", "BackOff" with "Back-off pulling image", or
// the reasons ErrImagePull and ImagePullBackOff themselves.
func isPullEvent(reason, message string) bool {
	switch {
	case reason == "ErrImagePull", reason == "ImagePullBackOff":
		return true
	case strings.Contains(message, "Failed to pull image"):
		return true
	case strings.Contains(message, "Back-off pulling image"):
		return true
	case message == "Error: ErrImagePull", message == "Error: ImagePullBackOff":
		return true
	}
	return false
}

// ClassifyPullMessage returns the failure class of a kubelet's pull error
// message (an Event's or a container state's) where it is recognisable:
// the registry's "unauthorized", "denied", "manifest unknown",
// "toomanyrequests", or a TLS or network error. "" when it is not.
func ClassifyPullMessage(message string) match.Verdict {
	m := strings.ToLower(message)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(m, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("toomanyrequests", "too many requests", "rate limit", "429"):
		return match.VerdictRateLimited
	case has("unauthorized", "authentication required", "401", "no basic auth credentials"):
		return match.VerdictUnauthorized
	case has("manifest unknown", "name unknown", "not found", "404"):
		return match.VerdictNotFound
	case has("denied", "forbidden", "403", "insufficient_scope"):
		return match.VerdictForbidden
	case has("x509", "certificate", "tls:", "http response to https client"):
		return match.VerdictTLS
	case has("i/o timeout", "deadline exceeded", "timeout"):
		return match.VerdictTimeout
	case has("no such host", "connection refused", "connection reset", "network is unreachable", "503", "502", "504"):
		return match.VerdictNetwork
	}
	return ""
}

// classHints say what a failure class means for a pull.
var classHints = map[match.Verdict]string{
	match.VerdictUnauthorized: "the registry rejects the credentials the kubelet sends, or requires some",
	match.VerdictForbidden:    "the credentials lack access to the repository (or it does not exist)",
	match.VerdictNotFound:     "the image or tag does not exist, or is hidden from these credentials",
	match.VerdictRateLimited:  "the registry rate-limits these pulls (anonymous pulls hardest)",
	match.VerdictTLS:          "the node does not trust the registry's certificate",
	match.VerdictTimeout:      "the node could not reach the registry in time",
	match.VerdictNetwork:      "the node could not reach the registry",
}

// containerOfFieldPath parses an Event's involvedObject.fieldPath,
// "spec.containers{NAME}", "spec.initContainers{NAME}" or
// "spec.ephemeralContainers{NAME}".
func containerOfFieldPath(fp string) (secrets.ContainerType, string, bool) {
	for prefix, typ := range map[string]secrets.ContainerType{
		"spec.containers{":          secrets.ContainerRegular,
		"spec.initContainers{":      secrets.ContainerInit,
		"spec.ephemeralContainers{": secrets.ContainerEphemeral,
	} {
		if rest, ok := strings.CutPrefix(fp, prefix); ok {
			if name, ok := strings.CutSuffix(rest, "}"); ok {
				return typ, name, true
			}
		}
	}
	return "", "", false
}

// eventTime is when an Event last happened.
func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.FirstTimestamp.Time
}

// joinEvents adds to each container of rep what the cluster reported
// about its pulls: the waiting state of its pods' containers and the
// Events about them, latest first, classified.
func joinEvents(rep *secrets.Diagnosis, o *nsObjects) {
	type key struct {
		pod  string
		typ  secrets.ContainerType
		name string
	}
	type timed struct {
		ev secrets.PullEvent
		at time.Time
	}
	byContainer := map[key][]timed{}
	byImage := map[string][]*corev1.Event{} // pod + "\x00" + image, events without a field path
	for i := range o.events {
		e := &o.events[i]
		if e.InvolvedObject.Kind != "Pod" {
			continue
		}
		pe := secrets.PullEvent{From: "event", Reason: e.Reason, Message: e.Message,
			Class: ClassifyPullMessage(e.Message), Count: e.Count}
		at := eventTime(e)
		if !at.IsZero() {
			pe.Last = at.UTC().Format(time.RFC3339)
		}
		typ, name, ok := containerOfFieldPath(e.InvolvedObject.FieldPath)
		if !ok {
			if img, ok := quotedImage(e.Message); ok {
				byImage[e.InvolvedObject.Name+"\x00"+img] = append(byImage[e.InvolvedObject.Name+"\x00"+img], e)
			}
			continue
		}
		k := key{e.InvolvedObject.Name, typ, name}
		byContainer[k] = append(byContainer[k], timed{pe, at})
	}
	statusOf := func(p podState, typ secrets.ContainerType, name string) *secrets.PullEvent {
		list := p.status.ContainerStatuses
		switch typ {
		case secrets.ContainerInit:
			list = p.status.InitContainerStatuses
		case secrets.ContainerEphemeral:
			list = p.status.EphemeralContainerStatuses
		}
		for _, cs := range list {
			if cs.Name != name || cs.State.Waiting == nil {
				continue
			}
			w := cs.State.Waiting
			if w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff" {
				return &secrets.PullEvent{From: "status", Reason: w.Reason, Message: w.Message, Class: ClassifyPullMessage(w.Message)}
			}
		}
		return nil
	}
	for i := range rep.Pods {
		pd := &rep.Pods[i]
		if i >= len(o.specs) {
			break
		}
		ref := o.specs[i]
		var pods []podState
		for _, p := range o.joinPods {
			switch {
			case ref.kind == "Pod" && p.name == ref.name:
				pods = append(pods, p)
			case ref.kind != "Pod" && ref.selector != nil && ref.selector.Matches(labels.Set(p.labels)):
				pods = append(pods, p)
			}
		}
		for _, cd := range pd.Containers {
			var evs []timed
			for _, p := range pods {
				label := ""
				if ref.kind != "Pod" {
					label = p.name
				}
				if st := statusOf(p, cd.Type, cd.Name); st != nil {
					st.Pod = label
					// The current state first.
					evs = append(evs, timed{*st, time.Unix(1<<40, 0)})
				}
				for _, t := range byContainer[key{p.name, cd.Type, cd.Name}] {
					t.ev.Pod = label
					evs = append(evs, t)
				}
				for _, e := range byImage[p.name+"\x00"+cd.Image] {
					pe := secrets.PullEvent{From: "event", Pod: label, Reason: e.Reason, Message: e.Message,
						Class: ClassifyPullMessage(e.Message), Count: e.Count}
					at := eventTime(e)
					if !at.IsZero() {
						pe.Last = at.UTC().Format(time.RFC3339)
					}
					evs = append(evs, timed{pe, at})
				}
			}
			if len(evs) == 0 {
				continue
			}
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].at.After(evs[b].at) })
			for _, t := range evs {
				cd.Events = append(cd.Events, t.ev)
				if cd.Observed == "" && t.ev.Class != "" {
					cd.Observed = t.ev.Class
				}
			}
			joinFinding(cd)
		}
	}
}

// joinFinding adds the finding that puts the prediction beside what
// happened.
func joinFinding(cd *secrets.ContainerDiagnosis) {
	what := "the kubelet reported failed pulls of " + cd.Image
	if cd.Observed != "" {
		what += " (" + string(cd.Observed) + ": " + classHints[cd.Observed] + ")"
	}
	switch cd.Prediction {
	case secrets.PredictFail:
		cd.Problems = append(cd.Problems, secrets.Problem{Severity: secrets.SeverityError, Message: what + ", as predicted"})
	default:
		cd.Problems = append(cd.Problems, secrets.Problem{Severity: secrets.SeverityError,
			Message: what + ", though the prediction is " + string(cd.Prediction)})
	}
}

// quotedImage is the image of a kubelet message `... image "IMAGE" ...`.
func quotedImage(message string) (string, bool) {
	_, rest, ok := strings.Cut(message, `image "`)
	if !ok {
		return "", false
	}
	img, _, ok := strings.Cut(rest, `"`)
	return img, ok
}
