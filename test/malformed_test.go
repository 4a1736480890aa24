package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// malformedCorpus is R9's size; its seed makes every run send the same requests.
const (
	malformedCorpus = 10_000
	malformedSeed   = 9
)

// TestR09MalformedRequestsGetProblemDocuments sends 10,000 malformed requests (random and
// unknown parameters, huge values, invalid UTF-8, bad JSON, wrong content types,
// tampered cursors, oversized vectors and bodies, unknown routes and methods) through a
// real listener to the cached demo store: every answer is a 4xx problem document, none
// a 5xx. net/http's own answers to requests it cannot parse at all (a bad request line,
// headers over the limit) come before any handler and are plain text; those are made by
// raw connections in TestNetHTTPAnswersUnparseableRequestsItself, not here.
func TestR09MalformedRequestsGetProblemDocuments(t *testing.T) {
	rec := reliability.Target(t, "R9", fmt.Sprintf("%d malformed requests (seed %d) through a listener to the cached demo store: random and unknown parameters, huge values, invalid UTF-8, bad JSON, wrong content types, tampered cursors, oversized vectors and bodies, unknown routes and methods",
		malformedCorpus, malformedSeed))
	now := time.Now().UTC()
	c, err := cache.New(memory.NewRepository(dataset.Demo(now)), cache.Options{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	svc := app.NewService(c, func() time.Time { return now }, app.NewCursorCodec([]byte("r9")))
	srv := httpapi.NewServer(svc, prometheus.NewRegistry(), nil, httpapi.Config{})
	srv.CacheResponses(cache.NewResponses[*httpapi.Replayable](c))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client := ts.Client()

	// A real cursor to tamper with.
	res, err := client.Get(ts.URL + "/api/v1/incidents?limit=1")
	require.NoError(t, err)
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	_ = res.Body.Close()
	require.NotEmpty(t, page.NextCursor)

	rng := rand.New(rand.NewPCG(malformedSeed, malformedSeed))
	statuses := map[int]int{}
	problems := 0
	for i := range malformedCorpus {
		req := malformedRequest(rng, ts.URL, page.NextCursor, i)
		res, err := client.Do(req)
		require.NoError(t, err, "request %d: %s %s", i, req.Method, req.URL)
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		statuses[res.StatusCode]++
		require.True(t, res.StatusCode >= 400 && res.StatusCode < 500,
			"request %d %s %s: %d %s", i, req.Method, req.URL, res.StatusCode, body)
		if req.Method == http.MethodHead {
			continue // no body to check
		}
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), "request %d %s %s", i, req.Method, req.URL)
		var p struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
		}
		require.NoError(t, json.Unmarshal(body, &p), "request %d: %s", i, body)
		require.Equal(t, res.StatusCode, p.Status)
		require.NotEmpty(t, p.Type)
		problems++
	}
	rec.Figure("status codes", "%s", countsText(statuses))
	rec.Figure("problem documents checked", "%d (HEAD answers have no body)", problems)
	assert.Greater(t, len(statuses), 3, "the corpus reaches several kinds of refusal")
}

var malformedPaths = []string{
	"/api/v1/incidents", "/api/v1/context/query", "/api/v1/incidents/%s", "/api/v1/incidents/%s/similar",
	"/api/v1/aggregations/success-rate", "/api/v1/aggregations/namespaces", "/api/v1/aggregations/severity",
	"/api/v1/aggregations/trend", "/api/v1/context/remediation/%s", "/api/v1/context/historical",
}

// malformedRequest makes request i of the corpus: the kinds take turns, their details
// come from rng.
func malformedRequest(rng *rand.Rand, base, cursor string, i int) *http.Request {
	path := malformedPaths[rng.IntN(len(malformedPaths))]
	if strings.Contains(path, "%s") {
		path = fmt.Sprintf(path, url.PathEscape(junk(rng)))
	}
	get := func(target string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, base+target, nil)
		return req
	}
	post := func(contentType string, body []byte) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/search/semantic", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return req
	}
	switch i % 10 {
	case 0: // a parameter the route does not take, beside a known one with junk
		return get(path + "?" + junkParam(rng) + "=" + url.QueryEscape(junk(rng)) + "&unknown_" + fmt.Sprint(rng.IntN(100)) + "=1")
	case 1: // a huge value
		return get("/api/v1/incidents?namespace=" + strings.Repeat("x", 2000+rng.IntN(20000)) + "&limit=0")
	case 2: // invalid UTF-8, percent-encoded
		return get("/api/v1/incidents?severity=%FF%FE" + url.QueryEscape(junk(rng)) + "&limit=-1")
	case 3: // numbers out of range or not numbers
		params := []string{"limit", "offset", "days", "threshold", "min_samples"}
		return get(path + "?" + params[rng.IntN(len(params))] + "=" + []string{"-1", "0", "1e309", "NaN", "9999999999999", "one", ""}[rng.IntN(7)] + "&bogus=1")
	case 4: // a tampered cursor
		b := []byte(cursor)
		b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(30))
		return get("/api/v1/incidents?cursor=" + url.QueryEscape(string(b)))
	case 5: // bad JSON
		bodies := []string{`{`, `{"embedding": [1, 2,`, `[]`, `"text"`, `{"embedding": "x"}`, `{"embedding": [` + strings.Repeat("1,", 10) + `1], "limit": "ten"}`, `{"filters": 3}`}
		return post("application/json", []byte(bodies[rng.IntN(len(bodies))]))
	case 6: // a wrong content type
		types := []string{"text/plain", "application/xml", "multipart/form-data; boundary=x", "", "application/jsonx"}
		return post(types[rng.IntN(len(types))], []byte(`{"embedding": [1]}`))
	case 7: // an oversized vector, or an oversized body
		if rng.IntN(2) == 0 {
			vec := make([]float64, 385+rng.IntN(2000))
			for j := range vec {
				vec[j] = rng.Float64()
			}
			body, _ := json.Marshal(map[string]any{"embedding": vec})
			return post("application/json", body)
		}
		return post("application/json", append([]byte(`{"embedding": [`), bytes.Repeat([]byte("1,"), 40_000)...))
	case 8: // an unknown route
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v2/"+url.PathEscape(junk(rng)), nil)
		return req
	default: // a method the route does not take
		methods := []string{http.MethodPut, http.MethodDelete, http.MethodPatch, "PROPFIND", http.MethodPost, http.MethodHead}
		m := methods[rng.IntN(len(methods))]
		target := path
		if m == http.MethodHead {
			target = "/api/v1/search/semantic" // HEAD is served on GET routes; not on the POST one
		} else if m == http.MethodPost {
			target = "/api/v1/incidents"
		}
		req, _ := http.NewRequest(m, base+target, nil)
		return req
	}
}

func junk(rng *rand.Rand) string {
	alphabet := []string{"a", "Z", "9", " ", "'", "\"", ";", "--", "%", "\u00e9", "\U0001F600", "\\", "/", "..", "\x7f", "=", "&"}
	var b strings.Builder
	for range 1 + rng.IntN(12) {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

func junkParam(rng *rand.Rand) string {
	names := []string{"limit", "since", "until", "namespace", "phase", "include", "cursor", "groupBy", "x", "LIMIT", "limit[]", "timeRange"}
	return names[rng.IntN(len(names))]
}

// TestNetHTTPAnswersUnparseableRequestsItself pins the documented exception to "every
// error is a problem document": a request net/http cannot parse (a bad request line,
// headers over the 64 KiB limit) is answered by net/http itself, in plain text, before
// any handler runs. The limits are kept; the answers are not ours to shape.
func TestNetHTTPAnswersUnparseableRequestsItself(t *testing.T) {
	bin := buildBinary(t)
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--drain-delay", "0s")
	cmd.Env = cleanEnv()
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/health/live")
		if err == nil {
			_ = res.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)

	raw := func(request string) string {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = conn.Write([]byte(request))
		answer, _ := io.ReadAll(conn)
		return string(answer)
	}
	bad := raw("GARBAGE\r\n\r\n")
	assert.True(t, strings.HasPrefix(bad, "HTTP/1.1 400 Bad Request"), bad)
	assert.Contains(t, bad, "text/plain")
	big := raw("GET /api/v1/incidents HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n")
	assert.True(t, strings.HasPrefix(big, "HTTP/1.1 431"), big[:min(len(big), 200)])
}
