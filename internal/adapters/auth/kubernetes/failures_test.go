package kubernetes

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// requireUnavailableAndNotKept checks that token's decision is "unavailable", and that a
// second request asks the API server again.
func requireUnavailableAndNotKept(t *testing.T, e *env, token string) error {
	t.Helper()
	ctx := context.Background()
	p, err := e.a.Authenticate(ctx, token)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Zero(t, p)
	assert.NotContains(t, err.Error(), token)
	assert.NotContains(t, err.Error(), "sa-1")
	before, _ := e.sent()
	_, err2 := e.a.Authenticate(ctx, token)
	require.ErrorIs(t, err2, domain.ErrUnavailable)
	after, _ := e.sent()
	assert.Greater(t, after, before, "asked again: unavailable is never kept")
	assert.Zero(t, e.cached())
	return err
}

func TestASlowAPIServerIsUnavailableWithinTheTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := newEnv(t, func(o *Options) { o.Timeout = timeout })
	blockTokenReviews(t, e)

	start := time.Now()
	_, err := e.a.Authenticate(context.Background(), holmesToken)
	took := time.Since(start)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	assert.GreaterOrEqual(t, took, timeout)
	assert.Less(t, took, timeout+time.Second, "bounded by Options.Timeout")
	requireUnavailableAndNotKept(t, e, holmesToken)
}

func TestTheTimeoutBoundsBothReviewsTogether(t *testing.T) {
	const timeout = 300 * time.Millisecond
	e := newEnv(t, func(o *Options) { o.Timeout = timeout })
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(_ http.ResponseWriter, r *http.Request, _ string) bool {
			select { // each review alone well within the timeout, both together not
			case <-time.After(200 * time.Millisecond):
				return false
			case <-r.Context().Done():
				return true
			}
		}
	})
	start := time.Now()
	_, err := e.a.Authenticate(context.Background(), holmesToken)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Less(t, time.Since(start), timeout+time.Second)
}

func TestAFailingAPIServerIsUnavailable(t *testing.T) {
	answer := func(status int, body string) func(http.ResponseWriter, *http.Request, string) bool {
		return func(w http.ResponseWriter, _ *http.Request, _ string) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return true
		}
	}
	onAccessReview := func(inner func(http.ResponseWriter, *http.Request, string) bool) func(http.ResponseWriter, *http.Request, string) bool {
		return func(w http.ResponseWriter, r *http.Request, path string) bool {
			return path == accessReviewPath && inner(w, r, path)
		}
	}
	for name, tc := range map[string]struct {
		intercept func(http.ResponseWriter, *http.Request, string) bool
		says      string // in the error
	}{
		"500":                    {intercept: answer(500, `{"kind":"Status","apiVersion":"v1","message":"etcdserver: request timed out"}`), says: "answered 500: etcdserver: request timed out"},
		"429":                    {intercept: answer(429, `{"kind":"Status","apiVersion":"v1","message":"too many requests"}`), says: "answered 429"},
		"503 without a body":     {intercept: answer(503, ``), says: "answered 503"},
		"403: no auth-delegator": {intercept: answer(403, `{"kind":"Status","apiVersion":"v1","message":"tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:kubernaut:context-api\" cannot create resource \"tokenreviews\""}`), says: `cannot create resource "tokenreviews"`},
		"a redirect": {intercept: func(w http.ResponseWriter, r *http.Request, _ string) bool {
			http.Redirect(w, r, "https://elsewhere.invalid/apis", http.StatusTemporaryRedirect)
			return true
		}, says: "answered 307"},
		"malformed JSON":           {intercept: answer(201, `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":tr`), says: "malformed answer"},
		"JSON of another kind":     {intercept: answer(201, `{"status":{"authenticated":true,"user":{"username":"admin"}}}`), says: "not a TokenReview"},
		"no user named":            {intercept: answer(201, `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true}}`), says: "no user named"},
		"access review 500":        {intercept: onAccessReview(answer(500, `{}`)), says: "subjectaccessreview: unavailable: the API server answered 500"},
		"access review malformed":  {intercept: onAccessReview(answer(201, `not json`)), says: "subjectaccessreview: unavailable: malformed answer"},
		"access review of no kind": {intercept: onAccessReview(answer(201, `{"status":{"allowed":true}}`)), says: "not a SubjectAccessReview"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.api.set(func(f *fakeAPI) { f.intercept = tc.intercept })
			err := requireUnavailableAndNotKept(t, e, holmesToken)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

func TestADownAPIServerIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.api.srv.Close()
	err := requireUnavailableAndNotKept(t, e, holmesToken)
	assert.Contains(t, err.Error(), "connection refused")
}

func TestAnAPIServerWithAnotherCAIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.writeFile(t, "ca.crt", string(testkit.NewAuthority(t, "kubernetes").CertPEM()))
	e.opts.Registerer = nil
	a, err := New(e.opts)
	require.NoError(t, err)
	e.a = a

	err = requireUnavailableAndNotKept(t, e, holmesToken)
	assert.Contains(t, err.Error(), "certificate signed by unknown authority")
	served, _ := e.api.counts()
	assert.Zero(t, served, "nothing sent to a server that could not prove who it is")
}

func TestAStatusMessageNeverCarriesAToken(t *testing.T) {
	e := newEnv(t, nil)
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(w http.ResponseWriter, _ *http.Request, _ string) bool {
			writeJSON(w, http.StatusBadRequest, &metav1.Status{Message: "cannot review " + holmesToken + " as sa-1"})
			return true
		}
	})
	err := requireUnavailableAndNotKept(t, e, holmesToken)
	assert.Contains(t, err.Error(), "cannot review [redacted] as [redacted]")
}
