package test

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/contextapi/contextapi/internal/adapters/auth/kubernetes"
	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

const (
	podToken  = "pod-service-account-token"
	reader    = "system:serviceaccount:kubernaut-system:holmesgpt-api-sa"
	stranger  = "system:serviceaccount:default:someone"
	audience  = "context-api"
	namespace = "kubernaut-system"
)

// fakeAPIServer answers TokenReviews and SubjectAccessReviews as the API server does,
// in the k8s.io/api types: "reader" may get services/context-api, "stranger" is
// authenticated but may not, "expired" is not authenticated, "other-audience" is valid
// for another audience only; "slow" stalls past any client's patience and "broken"
// makes the server fail.
type fakeAPIServer struct {
	reviews atomic.Int64
}

func (f *fakeAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.reviews.Add(1)
	if r.Header.Get("Authorization") != "Bearer "+podToken {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/apis/authentication.k8s.io/v1/tokenreviews":
		var tr authenticationv1.TokenReview
		if json.NewDecoder(r.Body).Decode(&tr) != nil {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		switch tr.Spec.Token {
		case "slow":
			time.Sleep(2 * time.Second)
		case "broken":
			http.Error(w, "etcd unavailable", http.StatusInternalServerError)
			return
		case "reader":
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, Audiences: []string{audience},
				User: authenticationv1.UserInfo{Username: reader, Groups: []string{"system:serviceaccounts"}}}
		case "stranger":
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, Audiences: []string{audience},
				User: authenticationv1.UserInfo{Username: stranger}}
		case "other-audience":
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, Audiences: []string{"vault"},
				User: authenticationv1.UserInfo{Username: reader}}
		default:
			tr.Status = authenticationv1.TokenReviewStatus{Error: "token has expired"}
		}
		writeReview(w, &tr)
	case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
		var sar authorizationv1.SubjectAccessReview
		if json.NewDecoder(r.Body).Decode(&sar) != nil {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		ra := sar.Spec.ResourceAttributes
		sar.Status.Allowed = sar.Spec.User == reader && ra != nil && ra.Verb == "get" &&
			ra.Resource == "services" && ra.Name == "context-api" && ra.Namespace == namespace
		if !sar.Status.Allowed {
			sar.Status.Reason = "no RBAC policy matched"
		}
		writeReview(w, &sar)
	default:
		http.NotFound(w, r)
	}
}

func writeReview(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// In kubernetes mode, through the real router with the cache on and every answer cached:
// 1,000 requests with missing, malformed, expired, wrong-audience and unknown tokens, a
// principal without permission, and a review backend that stalls or fails get only
// 401, 403 and 503 problems; the permitted principal gets its data.
func TestKubernetesModeNeverAnswersWithoutADecision(t *testing.T) {
	fake := &fakeAPIServer{}
	apiServer := httptest.NewTLSServer(fake)
	t.Cleanup(apiServer.Close)
	dir := t.TempDir()
	caFile, tokenFile := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(podToken), 0o600))
	require.NoError(t, os.WriteFile(caFile, pemOf(apiServer.Certificate().Raw), 0o600))
	auth, err := kubernetes.New(kubernetes.Options{
		Host: apiServer.URL, TokenFile: tokenFile, CAFile: caFile, Namespace: namespace,
		Audiences: []string{audience}, Timeout: 200 * time.Millisecond,
	})
	require.NoError(t, err)

	repo := memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
	c, err := cache.New(repo, cache.Options{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	svc := app.NewService(c, func() time.Time { return porttest.FixtureNow }, app.NewCursorCodec([]byte("k")))
	srv := httpapi.NewServer(svc, prometheus.NewRegistry(), slog.New(slog.NewJSONHandler(io.Discard, nil)),
		httpapi.Config{Auth: auth, AuthMode: "kubernetes"})
	srv.CacheResponses(cache.NewResponses[*httpapi.Replayable](c))
	get := func(target, authorization string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	targets := []string{"/api/v1/incidents?limit=3", "/api/v1/incidents/3", "/api/v1/aggregations/severity"}
	for _, target := range targets { // cached and remembered for replay
		require.Equal(t, 200, get(target, "Bearer reader").Code, target)
		c.Wait()
		require.Equal(t, "contextapi; hit", get(target, "Bearer reader").Header().Get("Cache-Status"))
	}

	cases := []struct{ authorization, status string }{
		{"", "401"}, {"Basic cmVhZGVy", "401"}, {"Bearer", "401"}, {"Bearer expired", "401"},
		{"Bearer other-audience", "401"}, {"Bearer unknown-token", "401"}, {"Bearer stranger", "403"},
		{"Bearer slow", "503"}, {"Bearer broken", "503"}, {"Bearer reader", "200"},
	}
	counts := map[string]int{}
	for i := range 1000 {
		tc := cases[i%len(cases)]
		if tc.authorization == "Bearer slow" && i > len(cases) {
			continue // one stall proves the bound; a thousand would only slow the test
		}
		res := get(targets[i%len(targets)], tc.authorization)
		got := fmt.Sprint(res.Code)
		require.Equal(t, tc.status, got, "%q", tc.authorization)
		counts[got]++
		if got != "200" {
			assert.Equal(t, "application/problem+json", res.Header().Get("Content-Type"))
			assert.NotContains(t, res.Body.String(), `"incidents"`)
		}
		if got == "503" {
			assert.NotEmpty(t, res.Header().Get("Retry-After"))
		}
	}
	assert.Zero(t, counts["500"])
	assert.Equal(t, 100, counts["200"])
	// Decisions are reused (allowed and denied apart), failures never: the API server saw
	// each token's reviews once, and every failing one each time.
	assert.Less(t, fake.reviews.Load(), int64(400), "decisions are cached")
}

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
