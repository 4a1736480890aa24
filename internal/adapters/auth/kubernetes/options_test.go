package kubernetes

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
)

func TestDefaults(t *testing.T) {
	e := newEnv(t, nil)
	assert.Equal(t, authorizationv1.ResourceAttributes{Namespace: "kubernaut", Verb: "get", Resource: "services", Name: "context-api"},
		e.a.reviewer.access)
	assert.Nil(t, e.a.reviewer.audiences)
	assert.Equal(t, 2*time.Second, e.a.flights.Timeout())
	assert.Equal(t, time.Minute, e.a.cache.allowedTTL)
	assert.Equal(t, 10*time.Second, e.a.cache.deniedTTL)
	assert.Equal(t, 10_000, e.a.cache.max)
}

func TestNewFindsTheAPIServerAsInClusterClientsDo(t *testing.T) {
	e := newEnv(t, nil)
	for host, want := range map[string]string{
		"10.96.0.1": "https://10.96.0.1:443",
		"fd00::1":   "https://[fd00::1]:443",
	} {
		t.Setenv("KUBERNETES_SERVICE_HOST", host)
		t.Setenv("KUBERNETES_SERVICE_PORT", "443")
		opts := e.opts
		opts.Host, opts.Registerer = "", nil
		a, err := New(opts)
		require.NoError(t, err)
		assert.Equal(t, want, a.reviewer.client.host)
	}
}

func TestNewFails(t *testing.T) {
	e := newEnv(t, nil)
	write := func(name, content string) string {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	missing := filepath.Join(t.TempDir(), "missing")
	for name, tc := range map[string]struct {
		change func(*Options)
		says   string
	}{
		"not in a cluster":      {change: func(o *Options) { o.Host = "" }, says: "KUBERNETES_SERVICE_HOST"},
		"plain HTTP":            {change: func(o *Options) { o.Host = "http://10.96.0.1" }, says: "want https://"},
		"no host in the URL":    {change: func(o *Options) { o.Host = "https://" }, says: "want https://"},
		"no token file":         {change: func(o *Options) { o.TokenFile = missing }, says: missing},
		"an empty token file":   {change: func(o *Options) { o.TokenFile = write("token", "\n") }, says: "is empty"},
		"no CA file":            {change: func(o *Options) { o.CAFile = missing }, says: missing},
		"a CA file without PEM": {change: func(o *Options) { o.CAFile = write("ca.crt", "not a certificate") }, says: "holds no PEM certificate"},
		"no namespace file":     {change: func(o *Options) { o.NamespaceFile = missing }, says: missing},
		"an empty namespace":    {change: func(o *Options) { o.NamespaceFile = write("namespace", " \n") }, says: "is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("KUBERNETES_SERVICE_HOST", "")
			t.Setenv("KUBERNETES_SERVICE_PORT", "")
			opts := e.opts
			opts.Registerer = nil
			tc.change(&opts)
			a, err := New(opts)
			require.Error(t, err)
			assert.Nil(t, a)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

func TestASetNamespaceNeedsNoNamespaceFile(t *testing.T) {
	e := newEnv(t, nil)
	opts := e.opts
	opts.Registerer, opts.NamespaceFile, opts.Namespace = nil, filepath.Join(t.TempDir(), "missing"), "ops"
	a, err := New(opts)
	require.NoError(t, err)
	assert.Equal(t, "ops", a.reviewer.access.Namespace)
}
