package kubernetes

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"

	"github.com/contextapi/contextapi/internal/testkit"
)

// Tokens of the callers the fake API server knows, and who they are.
const (
	holmesToken = "eyJhbGciOiJSUzI1NiJ9.holmes-caller-token.sig"
	otherToken  = "eyJhbGciOiJSUzI1NiJ9.other-caller-token.sig"
	unknownTok  = "eyJhbGciOiJSUzI1NiJ9.nobody-knows-this.sig"
)

var (
	holmes = authenticationv1.UserInfo{
		Username: "system:serviceaccount:kubernaut:holmesgpt-api",
		UID:      "5b0c6f5e-5d4e-4f0b-9c53-0d1f0c3e2a11",
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:kubernaut", "system:authenticated"},
		Extra: map[string]authenticationv1.ExtraValue{
			"authentication.kubernetes.io/pod-name": {"holmesgpt-api-7d9f8-abcde"},
		},
	}
	other = authenticationv1.UserInfo{
		Username: "system:serviceaccount:default:curious",
		Groups:   []string{"system:serviceaccounts", "system:authenticated"},
	}
)

// env is an Authenticator talking to a fake API server, with its service-account files
// in a temporary directory and a clock the test moves.
type env struct {
	api   *fakeAPI
	a     *Authenticator
	reg   *prometheus.Registry
	clock *testkit.Clock
	dir   string
	opts  Options
}

// newEnv starts a fake API server that knows holmes (allowed) and other (not allowed),
// and an Authenticator for it; configure may change the options before New.
func newEnv(t *testing.T, configure func(*Options)) *env {
	t.Helper()
	ca := testkit.NewAuthority(t, "kubernetes")
	e := &env{api: newFakeAPI(t, ca), reg: prometheus.NewRegistry(), clock: testkit.NewClock(), dir: t.TempDir()}
	e.api.know(holmesToken, holmes, true)
	e.api.know(otherToken, other, false)
	e.writeFile(t, "token", "sa-1\n")
	e.writeFile(t, "ca.crt", string(ca.CertPEM()))
	e.writeFile(t, "namespace", "kubernaut")
	e.opts = Options{
		Host:          e.api.srv.URL,
		TokenFile:     filepath.Join(e.dir, "token"),
		CAFile:        filepath.Join(e.dir, "ca.crt"),
		NamespaceFile: filepath.Join(e.dir, "namespace"),
		Now:           e.clock.Now,
		Registerer:    e.reg,
	}
	if configure != nil {
		configure(&e.opts)
	}
	a, err := New(e.opts)
	require.NoError(t, err)
	e.a = a
	return e
}

// writeFile replaces a file in the credentials directory at once, as the kubelet swaps
// a projected volume's contents.
func (e *env) writeFile(t *testing.T, name, content string) {
	t.Helper()
	tmp := filepath.Join(e.dir, "."+name+".tmp")
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(e.dir, name)))
}

// sent returns the reviews the authenticator counted as sent, by kind.
func (e *env) sent() (tokenReviews, accessReviews int) {
	return int(testutil.ToFloat64(e.a.metrics.reviews.WithLabelValues(kindTokenReview))),
		int(testutil.ToFloat64(e.a.metrics.reviews.WithLabelValues(kindAccessReview)))
}

// waiters returns how many callers wait on the review of token now.
func (e *env) waiters(token string) int {
	return e.a.flights.Waiters(keyOf(token))
}

func keyOf(token string) tokenKey { return sha256.Sum256([]byte(token)) }

// cached returns how many decisions the cache holds.
func (e *env) cached() int {
	d := e.a.cache
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
