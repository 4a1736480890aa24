package kubernetes

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/contextapi/contextapi/internal/testkit"
)

// apiServerAudience is what a token is good for when nobody asked for another.
const apiServerAudience = "https://kubernetes.default.svc.cluster.local"

// fakeAPI answers TokenReviews and SubjectAccessReviews as the Kubernetes API server
// does: it decodes each request strictly into the k8s.io/api type, refuses a request
// without an accepted service-account token (401 and a Status), and answers 201 with the
// review and its status.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// saTokens are the service-account tokens accepted from the authenticator.
	saTokens []string
	// users are the tokens the API server knows; audiences, what each is good for
	// (default: the API server).
	users     map[string]authenticationv1.UserInfo
	audiences map[string][]string
	// lenientAudiences, when set, is returned as status.audiences of every known token
	// without checking, as an authenticator that does not check audiences would.
	lenientAudiences []string
	// allowed are the users SubjectAccessReviews allow; the access asked for is
	// checked by the tests, not here.
	allowed map[string]bool
	// intercept, when set, sees each request first; true means it answered.
	intercept func(w http.ResponseWriter, r *http.Request, path string) bool

	tokenReviews  []authenticationv1.TokenReview
	accessReviews []authorizationv1.SubjectAccessReview
	bearers       []string // the Authorization of every request, accepted or not
}

func newFakeAPI(t *testing.T, ca *testkit.Authority) *fakeAPI {
	f := &fakeAPI{t: t, saTokens: []string{"sa-1"}, users: map[string]authenticationv1.UserInfo{},
		audiences: map[string][]string{}, allowed: map[string]bool{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.IssueServer(t, "kube-apiserver").TLSCertificate(t)}}
	f.srv.EnableHTTP2 = true                           // as the API server
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes an untrusting client fails
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

// know makes token a user's, allowed to read or not.
func (f *fakeAPI) know(token string, user authenticationv1.UserInfo, allowed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[token] = user
	f.allowed[user.Username] = allowed
}

func (f *fakeAPI) set(change func(f *fakeAPI)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// counts returns how many reviews of each kind reached the server.
func (f *fakeAPI) counts() (tokenReviews, accessReviews int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokenReviews), len(f.accessReviews)
}

func (f *fakeAPI) lastAccessReview() authorizationv1.SubjectAccessReview {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accessReviews[len(f.accessReviews)-1]
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	intercept := f.intercept
	f.bearers = append(f.bearers, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if intercept != nil && intercept(w, r, r.URL.Path) {
		return
	}
	assert.Equal(f.t, http.MethodPost, r.Method)
	assert.Equal(f.t, "application/json", r.Header.Get("Content-Type"))
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.saTokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		writeJSON(w, http.StatusUnauthorized, &metav1.Status{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
			Status: metav1.StatusFailure, Message: "Unauthorized", Reason: metav1.StatusReasonUnauthorized, Code: 401})
		return
	}
	switch r.URL.Path {
	case "/apis/authentication.k8s.io/v1/tokenreviews":
		var tr authenticationv1.TokenReview
		if !decodeStrict(f.t, r.Body, &tr) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		assert.Equal(f.t, metav1.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"}, tr.TypeMeta)
		f.tokenReviews = append(f.tokenReviews, tr)
		tr.Status = f.reviewToken(tr.Spec)
		writeJSON(w, http.StatusCreated, &tr)
	case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
		var sar authorizationv1.SubjectAccessReview
		if !decodeStrict(f.t, r.Body, &sar) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		assert.Equal(f.t, metav1.TypeMeta{APIVersion: "authorization.k8s.io/v1", Kind: "SubjectAccessReview"}, sar.TypeMeta)
		f.accessReviews = append(f.accessReviews, sar)
		if f.allowed[sar.Spec.User] {
			sar.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: `RBAC: allowed by RoleBinding "context-api-readers/kubernaut"`}
		} else {
			sar.Status = authorizationv1.SubjectAccessReviewStatus{Reason: "no RBAC policy matched"}
		}
		writeJSON(w, http.StatusCreated, &sar)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// reviewToken judges a token as the API server's service-account authenticator does:
// known, and good for one of the audiences asked (the API server when none).
func (f *fakeAPI) reviewToken(spec authenticationv1.TokenReviewSpec) authenticationv1.TokenReviewStatus {
	user, ok := f.users[spec.Token]
	if !ok {
		return authenticationv1.TokenReviewStatus{Error: "[invalid bearer token, token lookup failed]"}
	}
	if f.lenientAudiences != nil {
		return authenticationv1.TokenReviewStatus{Authenticated: true, User: user, Audiences: f.lenientAudiences}
	}
	has := f.audiences[spec.Token]
	if has == nil {
		has = []string{apiServerAudience}
	}
	want := spec.Audiences
	if len(want) == 0 {
		want = []string{apiServerAudience}
	}
	var both []string
	for _, a := range want {
		if slices.Contains(has, a) {
			both = append(both, a)
		}
	}
	if len(both) == 0 {
		return authenticationv1.TokenReviewStatus{Error: "[invalid bearer token, token audiences is invalid for the target audiences]"}
	}
	return authenticationv1.TokenReviewStatus{Authenticated: true, User: user, Audiences: both}
}

// decodeStrict decodes one object, failing the test on any field the type does not have.
func decodeStrict(t *testing.T, body io.Reader, v any) bool {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	return assert.NoError(t, dec.Decode(v))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
