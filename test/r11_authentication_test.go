package test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

const (
	refusedRequests = 1000
	refusedSeed     = 11
	validToken      = "r11-valid-token-0123456789abcdef"
)

// guardedRequests are the API's routes, every one behind authentication; their answers
// are cached after the first valid request, so a refusal shows the gate comes first.
var guardedRequests = []struct{ method, path, body string }{
	{http.MethodGet, "/api/v1/incidents?limit=3", ""},
	{http.MethodGet, "/api/v1/incidents/1", ""},
	{http.MethodGet, "/api/v1/incidents/1/similar", ""},
	{http.MethodGet, "/api/v1/aggregations/success-rate", ""},
	{http.MethodGet, "/api/v1/aggregations/namespaces", ""},
	{http.MethodGet, "/api/v1/aggregations/severity", ""},
	{http.MethodGet, "/api/v1/aggregations/trend", ""},
	{http.MethodGet, "/api/v1/context/historical?namespace=checkout&targetType=deployment&targetName=checkout-api", ""},
	{http.MethodHead, "/api/v1/incidents?limit=3", ""},
	{http.MethodPost, "/api/v1/search/semantic", `{"limit":3,"embedding":[` + strings.Repeat("0.1,", 383) + `0.1]}`},
}

// refusedCredentials are the ways a request may carry no valid bearer token; each
// returns the request's Authorization header values (none: no header).
var refusedCredentials = []struct {
	kind   string
	values func(rng *rand.Rand) []string
}{
	{"no header", func(*rand.Rand) []string { return nil }},
	{"empty header", func(*rand.Rand) []string { return []string{""} }},
	{"another scheme", func(*rand.Rand) []string { return []string{"Basic " + validToken} }},
	{"scheme alone", func(*rand.Rand) []string { return []string{"Bearer"} }},
	{"blank token", func(*rand.Rand) []string { return []string{"Bearer    "} }},
	{"unknown token", func(rng *rand.Rand) []string { return []string{"Bearer " + randomToken(rng, 32)} }},
	{"valid token changed by one character", func(rng *rand.Rand) []string {
		b := []byte(validToken)
		i := rng.IntN(len(b))
		b[i] ^= 1
		return []string{"Bearer " + string(b)}
	}},
	{"valid token's prefix", func(rng *rand.Rand) []string { return []string{"Bearer " + validToken[:1+rng.IntN(len(validToken)-1)]} }},
	{"valid token with more", func(rng *rand.Rand) []string {
		return []string{"Bearer " + validToken + randomToken(rng, 1+rng.IntN(8))}
	}},
	{"valid token in upper case", func(*rand.Rand) []string { return []string{"Bearer " + strings.ToUpper(validToken)} }},
	{"two tokens", func(*rand.Rand) []string { return []string{"Bearer " + validToken + " " + validToken} }},
	{"huge token", func(rng *rand.Rand) []string { return []string{"Bearer " + randomToken(rng, 4096)} }},
	{"JWT-shaped", func(rng *rand.Rand) []string {
		return []string{"Bearer eyJhbGciOiJub25lIn0." + randomToken(rng, 40) + "."}
	}},
	// A tab inside the token (one around it is not part of the header's value: RFC 9110, section 5.5).
	{"tab inside", func(*rand.Rand) []string { return []string{"Bearer " + validToken[:8] + "\t" + validToken[8:]} }},
}

func randomToken(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestR11RefusedCredentialsNeverGetData runs the binary on PostgreSQL in bearer mode and
// sends 1,000 requests with missing, malformed or wrong tokens to every API route after
// a valid token has cached their answers: each is a 401 problem document, none a 200.
func TestR11RefusedCredentialsNeverGetData(t *testing.T) {
	rec := reliability.Target(t, "R11", fmt.Sprintf("%d requests (seed %d) with missing, malformed or wrong bearer tokens (%d kinds) to every API route of the binary in bearer mode on PostgreSQL, their answers cached by a valid token first",
		refusedRequests, refusedSeed, len(refusedCredentials)))
	dsn := loadDemo(t, time.Now().UTC())
	tokens := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(tokens, []byte(tokenLine("r11", validToken)), 0o600))
	s := startService(t, []string{"CONTEXTAPI_DATABASE_URL=" + dsn}, "--auth-mode", "bearer", "--auth-tokens-file", tokens)

	client := &http.Client{Timeout: 10 * time.Second}
	send := func(method, path, body string, authorization []string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for _, v := range authorization {
			req.Header.Add("Authorization", v)
		}
		res, err := client.Do(req)
		require.NoError(t, err, "%s %s", method, path)
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, data
	}
	for _, r := range guardedRequests {
		res, _ := send(r.method, r.path, r.body, []string{"Bearer " + validToken})
		require.Equal(t, http.StatusOK, res.StatusCode, "the valid token is served: %s %s", r.method, r.path)
	}

	rng := rand.New(rand.NewPCG(refusedSeed, refusedSeed))
	statuses := map[int]int{}
	for i := range refusedRequests {
		credential := refusedCredentials[i%len(refusedCredentials)]
		r := guardedRequests[rng.IntN(len(guardedRequests))]
		res, body := send(r.method, r.path, r.body, credential.values(rng))
		statuses[res.StatusCode]++
		require.Equal(t, http.StatusUnauthorized, res.StatusCode, "%s, %s %s: %s", credential.kind, r.method, r.path, body)
		assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer", credential.kind)
		assert.Empty(t, res.Header.Get("Cache-Status"), "%s: nothing was read", credential.kind)
		if r.method == http.MethodHead {
			continue
		}
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), credential.kind)
		var problem struct {
			Status int `json:"status"`
		}
		require.NoError(t, json.Unmarshal(body, &problem), "%s: %s", credential.kind, body)
		assert.Equal(t, http.StatusUnauthorized, problem.Status)
		assert.NotContains(t, string(body), `"incidents"`)
	}
	rec.Figure("status codes", "%s", countsText(statuses))
	rec.Figure("kinds of refused credential", "%d", len(refusedCredentials))
	// The request log is written in batches: a clean stop flushes every line.
	s.signal(t, syscall.SIGTERM)
	require.NoError(t, s.wait(t, 10*time.Second))
	tail := s.logTail(t, refusedRequests+len(guardedRequests)+50)
	assert.Contains(t, tail, `"status":401`, "the refused requests are in the log")
	assert.NotContains(t, tail, validToken, "no token reaches the log")
}
