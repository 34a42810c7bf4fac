package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Output formats understood by Encode.
const (
	OutputYAML = "yaml"
	OutputJSON = "json"
	OutputName = "name"
)

// ErrUnknownOutput is returned by Encode for a format it does not know.
var ErrUnknownOutput = errors.New("unknown output format")

// scheme knows the Go types of the objects this module prints (core/v1 and
// rbac/v1), to fill in apiVersion and kind. Built once, never modified.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		panic(err) // static registration; cannot fail
	}
	if err := rbacv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
})

// Encode writes objs to w as kubectl prints them:
//
//   - "yaml": sigs.k8s.io/yaml (keys in alphabetical order; no
//     creationTimestamp), several objects separated by "---" lines;
//   - "json": encoding/json with a 4-space indent and a trailing newline
//     (fields in struct order: kind, apiVersion, metadata, data, type);
//     several objects (or none) become a v1 List;
//   - "name": KIND/NAME per line (secret/regcred; the group is appended for
//     other API groups: rolebinding.rbac.authorization.k8s.io/NAME).
//
// Objects are not modified: apiVersion and kind are filled in on a copy when
// empty, from the object's Go type.
func Encode(w io.Writer, format string, objs ...runtime.Object) error {
	typed := make([]runtime.Object, len(objs))
	for i, o := range objs {
		t, err := withTypeMeta(o)
		if err != nil {
			return err
		}
		typed[i] = t
	}
	var buf bytes.Buffer
	switch format {
	case OutputYAML:
		for i, o := range typed {
			b, err := yaml.Marshal(o)
			if err != nil {
				return fmt.Errorf("encode %s as YAML: %w", describe(o), err)
			}
			if i > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(b)
		}
	case OutputJSON:
		var v any
		if len(typed) == 1 {
			v = typed[0]
		} else {
			list := &corev1.List{Items: make([]runtime.RawExtension, len(typed))}
			list.APIVersion, list.Kind = "v1", "List"
			for i, o := range typed {
				list.Items[i] = runtime.RawExtension{Object: o}
			}
			v = list
		}
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return fmt.Errorf("encode as JSON: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	case OutputName:
		for _, o := range typed {
			buf.WriteString(describe(o))
			buf.WriteByte('\n')
		}
	default:
		return fmt.Errorf("%w %q: want yaml, json or name", ErrUnknownOutput, format)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// withTypeMeta returns obj, or a copy of it with apiVersion and kind set
// from its Go type when they are empty.
func withTypeMeta(obj runtime.Object) (runtime.Object, error) {
	if obj == nil {
		return nil, errors.New("encode: nil object")
	}
	if !obj.GetObjectKind().GroupVersionKind().Empty() {
		return obj, nil
	}
	gvks, _, err := scheme().ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return nil, fmt.Errorf("encode %T: unknown kind of object: set apiVersion and kind", obj)
	}
	cp := obj.DeepCopyObject()
	cp.GetObjectKind().SetGroupVersionKind(gvks[0])
	return cp, nil
}

// describe returns kubectl's -o name form of obj: kind[.group]/name.
func describe(obj runtime.Object) string {
	gvk := obj.GetObjectKind().GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	name := ""
	if a, err := meta.Accessor(obj); err == nil {
		name = a.GetName()
	}
	return kind + "/" + name
}
