package cluster

import (
	"errors"
	"fmt"
	"path/filepath"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Default rate limit of a Client: high enough that bulk work (diagnose -A,
// applying hundreds of Secrets) is not throttled by the client, as kubectl
// raised its own defaults for the same reason.
const (
	DefaultQPS   float32 = 50
	DefaultBurst         = 100
)

// ErrNoConfig is returned by Options.Client when there is no kubeconfig to
// use and the process does not run in a pod.
var ErrNoConfig = errors.New("no kubeconfig: set KUBECONFIG or --kubeconfig, or run in a pod")

// Options are kubectl's connection flags. The zero value is the current
// context of the default kubeconfig with its namespace.
type Options struct {
	Kubeconfig string   // --kubeconfig: one file, used alone
	Context    string   // --context: a context of the kubeconfig instead of its current-context
	Namespace  string   // -n/--namespace: overrides the context's namespace
	As         string   // --as: user to impersonate
	AsGroups   []string // --as-group: groups to impersonate
	QPS        float32  // requests per second; 0 means DefaultQPS
	Burst      int      // burst; 0 means DefaultBurst

	// Getenv reads KUBECONFIG and HOME (for ~/.kube/config); nil reads no
	// variable, so only Kubeconfig or the in-cluster configuration apply.
	Getenv func(string) string
}

// Client is a connection to one cluster, as the options chose it.
type Client struct {
	Clientset kubernetes.Interface
	// Namespace is the namespace of namespaced requests: Options.Namespace,
	// else the context's, else "default".
	Namespace string
	// NamespaceSet is true when Options.Namespace was given (kubectl's
	// explicit namespace), false when it comes from the context.
	NamespaceSet bool
	// Config is the REST configuration the clientset was made from.
	Config *rest.Config
}

// Client loads the kubeconfig the options select (or the in-cluster
// configuration) and returns a client for it. It sends no request.
func (o Options) Client() (*Client, error) {
	cc := o.clientConfig()
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, fmt.Errorf("load kubeconfig: %w", ErrNoConfig)
		}
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: namespace: %w", err)
	}
	if ns == "" {
		ns = "default"
	}
	cfg.QPS, cfg.Burst = o.QPS, o.Burst
	if cfg.QPS == 0 {
		cfg.QPS = DefaultQPS
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	cfg.UserAgent = "pullsecret"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("make client for %s: %w", cfg.Host, err)
	}
	return &Client{Clientset: cs, Namespace: ns, NamespaceSet: o.Namespace != "", Config: cfg}, nil
}

// clientConfig is clientcmd's deferred loading config with kubectl's
// precedence: --kubeconfig, else KUBECONFIG's files, else ~/.kube/config;
// with none of them, the in-cluster configuration.
func (o Options) clientConfig() clientcmd.ClientConfig {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: o.Kubeconfig}
	if env := getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		rules.Precedence = filepath.SplitList(env)
	} else if home := getenv("HOME"); home != "" {
		rules.Precedence = []string{filepath.Join(home, clientcmd.RecommendedHomeDir, clientcmd.RecommendedFileName)}
	}
	overrides := &clientcmd.ConfigOverrides{
		CurrentContext: o.Context,
		Context:        clientcmdapi.Context{Namespace: o.Namespace},
		AuthInfo:       clientcmdapi.AuthInfo{Impersonate: o.As, ImpersonateGroups: o.AsGroups},
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
}
