package kubernetes

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestAllowed(t *testing.T) {
	e := newEnv(t, nil)

	p, err := e.a.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	assert.Equal(t, domain.Principal{Name: "system:serviceaccount:kubernaut:holmesgpt-api"}, p)

	e.api.mu.Lock()
	defer e.api.mu.Unlock()
	require.Len(t, e.api.tokenReviews, 1)
	require.Len(t, e.api.accessReviews, 1)
	assert.Equal(t, authenticationv1.TokenReviewSpec{Token: holmesToken}, e.api.tokenReviews[0].Spec)
	assert.Equal(t, authorizationv1.SubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: "kubernaut", Verb: "get", Group: "", Resource: "services", Name: "context-api",
		},
		User:   holmes.Username,
		Groups: holmes.Groups,
		UID:    holmes.UID,
		Extra:  map[string]authorizationv1.ExtraValue{"authentication.kubernetes.io/pod-name": {"holmesgpt-api-7d9f8-abcde"}},
	}, e.api.accessReviews[0].Spec)
	assert.Equal(t, []string{"Bearer sa-1", "Bearer sa-1"}, e.api.bearers, "both reviews as this pod's service account")
}

func TestConfiguredAccessIsAskedFor(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Verb, o.Group, o.Resource, o.Name, o.Namespace = "list", "kubernaut.ai", "incidents", "", "ops"
	})
	_, err := e.a.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	assert.Equal(t, &authorizationv1.ResourceAttributes{
		Namespace: "ops", Verb: "list", Group: "kubernaut.ai", Resource: "incidents", Name: "context-api",
	}, e.api.lastAccessReview().Spec.ResourceAttributes, "an empty Name is the default, not every name")
}

func TestUnknownTokenIsUnauthenticated(t *testing.T) {
	e := newEnv(t, nil)

	p, err := e.a.Authenticate(context.Background(), unknownTok)
	require.ErrorIs(t, err, domain.ErrUnauthenticated)
	assert.Zero(t, p)
	assert.Contains(t, err.Error(), "token lookup failed", "the API server's reason")
	tr, sar := e.api.counts()
	assert.Equal(t, [2]int{1, 0}, [2]int{tr, sar}, "no access review for nobody")
}

func TestEmptyTokenIsUnauthenticatedWithoutAReview(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.a.Authenticate(context.Background(), "")
	require.ErrorIs(t, err, domain.ErrUnauthenticated)
	tr, sar := e.api.counts()
	assert.Zero(t, tr+sar)
	sentTR, sentSAR := e.sent()
	assert.Zero(t, sentTR+sentSAR, "none counted either")
}

func TestAudiences(t *testing.T) {
	const ours = "context-api.kubernaut"
	for name, tc := range map[string]struct {
		configured []string
		tokenFor   []string // the token's audiences
		lenient    []string // a status.audiences the server returns without checking
		allowed    bool
	}{
		"none configured, an API server token":  {allowed: true},
		"none configured, a token for us only":  {tokenFor: []string{ours}},
		"ours configured, a token for us":       {configured: []string{ours}, tokenFor: []string{ours, "vault"}, allowed: true},
		"one of ours, a token for it":           {configured: []string{"other", ours}, tokenFor: []string{ours}, allowed: true},
		"ours configured, an API server token":  {configured: []string{ours}},
		"server says authenticated, for others": {configured: []string{ours}, lenient: []string{apiServerAudience}},
		"server says authenticated, for nobody": {configured: []string{ours}, lenient: []string{}},
		"server says authenticated, for us":     {configured: []string{ours}, lenient: []string{ours}, allowed: true},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.Audiences = tc.configured })
			e.api.set(func(f *fakeAPI) {
				f.audiences[holmesToken] = tc.tokenFor
				f.lenientAudiences = tc.lenient
			})

			p, err := e.a.Authenticate(context.Background(), holmesToken)
			e.api.mu.Lock()
			assert.Equal(t, tc.configured, e.api.tokenReviews[0].Spec.Audiences)
			e.api.mu.Unlock()
			if tc.allowed {
				require.NoError(t, err)
				assert.Equal(t, holmes.Username, p.Name)
				return
			}
			require.ErrorIs(t, err, domain.ErrUnauthenticated)
			assert.Zero(t, p)
		})
	}
}

func TestForbidden(t *testing.T) {
	e := newEnv(t, nil)

	p, err := e.a.Authenticate(context.Background(), otherToken)
	require.ErrorIs(t, err, domain.ErrForbidden)
	assert.Zero(t, p)
	assert.Contains(t, err.Error(), "system:serviceaccount:default:curious may not get services kubernaut/context-api: no RBAC policy matched")
	tr, sar := e.sent()
	assert.Equal(t, [2]int{1, 1}, [2]int{tr, sar}, "who the token is, then what they may do")
}

func TestAnExplicitDenialWins(t *testing.T) {
	e := newEnv(t, nil)
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(w http.ResponseWriter, r *http.Request, path string) bool {
			if path != accessReviewPath {
				return false
			}
			var sar authorizationv1.SubjectAccessReview
			decodeStrict(t, r.Body, &sar)
			sar.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: true, Denied: true, Reason: "contradiction", EvaluationError: "webhook authorizer: timeout"}
			writeJSON(w, http.StatusCreated, &sar)
			return true
		}
	})
	_, err := e.a.Authenticate(context.Background(), holmesToken)
	require.ErrorIs(t, err, domain.ErrForbidden)
	assert.Contains(t, err.Error(), "contradiction; webhook authorizer: timeout")
}

func TestErrorsNeverHoldTheToken(t *testing.T) {
	e := newEnv(t, nil)
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(w http.ResponseWriter, r *http.Request, path string) bool {
			var tr authenticationv1.TokenReview
			decodeStrict(t, r.Body, &tr)
			tr.Status.Error = "token " + tr.Spec.Token + " is malformed"
			writeJSON(w, http.StatusCreated, &tr)
			return true
		}
	})
	_, err := e.a.Authenticate(context.Background(), unknownTok)
	require.ErrorIs(t, err, domain.ErrUnauthenticated)
	assert.NotContains(t, err.Error(), unknownTok)
	assert.Contains(t, err.Error(), "token [redacted] is malformed")
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		token string
		want  error // nil: allowed
	}{
		{holmesToken, nil},
		{holmesToken, nil}, // from the cache: no review
		{otherToken, domain.ErrForbidden},
		{unknownTok, domain.ErrUnauthenticated}, // no access review for nobody
		{"", domain.ErrUnauthenticated},         // no review at all
	} {
		_, err := e.a.Authenticate(ctx, tc.token)
		if tc.want == nil {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, tc.want)
		}
	}
	e.api.srv.Close()
	_, err := e.a.Authenticate(ctx, "eyJhbGciOiJSUzI1NiJ9.a-new-token.sig")
	require.ErrorIs(t, err, domain.ErrUnavailable) // sent, and counted, though nothing answered

	assert.NoError(t, testutil.GatherAndCompare(e.reg, strings.NewReader(`
# HELP contextapi_auth_reviews_total Reviews sent to the Kubernetes API server, by kind (tokenreview, subjectaccessreview); decisions taken from the cache or shared with a concurrent request send none.
# TYPE contextapi_auth_reviews_total counter
contextapi_auth_reviews_total{kind="subjectaccessreview"} 2
contextapi_auth_reviews_total{kind="tokenreview"} 4
`), "contextapi_auth_reviews_total"))
}

func TestTwoAuthenticatorsShareARegistry(t *testing.T) {
	e := newEnv(t, nil)
	second, err := New(e.opts) // registers on e.reg again
	require.NoError(t, err)
	_, err = second.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	tr, sar := e.sent()
	assert.Equal(t, [2]int{1, 1}, [2]int{tr, sar}, "the second counts into the series registered first")
}
