package load

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLuaStringSurvivesClosingBrackets(t *testing.T) {
	assert.Equal(t, "[[/api/v1/incidents?x=1]]", luaString("/api/v1/incidents?x=1"))
	assert.Equal(t, "[=[a]]b]=]", luaString("a]]b"))
	assert.Equal(t, "[==[a]]b]=]c]==]", luaString("a]]b]=]c"))
}

func TestScriptRotatesThroughTheWorkload(t *testing.T) {
	_, err := Script(nil)
	assert.Error(t, err)
	s, err := Script([]Request{Get("/a?b=c"), {Method: http.MethodPost, URI: "/s", Body: []byte(`{"v":[1]}`)}})
	require.NoError(t, err)
	assert.Contains(t, s, `{[[GET]], [[/a?b=c]], nil},`)
	assert.Contains(t, s, `{[[POST]], [[/s]], [[{"v":[1]}]]},`)
	assert.Contains(t, s, `done = function(summary, latency, requests)`)
	assert.Contains(t, s, summaryPrefix)
}

func TestWrkSummaryBecomesAResult(t *testing.T) {
	q := make([]string, len(quantiles))
	for i := range quantiles {
		q[i] = "100"
		if i >= 49 { // p50 and above
			q[i] = "150"
		}
	}
	q[len(q)-1] = "9000" // max
	out := "Running 1s test @ http://x/\n" + summaryPrefix +
		`{"requests":1000,"duration_us":500000,"non2xx":10,"connect":0,"read":1,"write":0,"timeout":2,` +
		`"p50_us":150,"p95_us":100,"p99_us":100,"quantiles_us":[` + strings.Join(q, ",") + "]}\n" + "Requests/sec: 2000\n"
	s, err := parseSummary(out)
	require.NoError(t, err)
	r := s.result()
	assert.Equal(t, 990, r.N, "answers of 400 and above are not throughput")
	assert.Equal(t, 13, r.Errors)
	assert.Equal(t, 500*time.Millisecond, r.Elapsed)
	assert.InDelta(t, 1980, r.RPS(), 1e-9)
	assert.Equal(t, Wrk, r.Generator)
	require.Len(t, r.Lat, 1000, "one sample per answer")
	assert.True(t, slices.IsSorted(r.Lat))
	assert.Equal(t, 150*time.Microsecond, r.Lat[499], "the 500th answer is the median")
	assert.Equal(t, 9*time.Millisecond, r.Lat[999])

	_, err = parseSummary("no line here")
	assert.Error(t, err)
}

// TestWrkSaturates runs the real wrk, where installed, against a local server.
func TestWrkSaturates(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk is not installed (scripts/wrk.sh)")
	}
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[r.Method+" "+r.URL.RequestURI()+" "+string(body)]++
		mu.Unlock()
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	w, err := NewWrk(t.TempDir())
	require.NoError(t, err)
	reqs := []Request{Get("/a"), Get("/b?x=1"), {Method: http.MethodPost, URI: "/c", Body: []byte(`{"k":"]]"}`)}}
	r, err := w.Saturate(context.Background(), srv.URL, reqs, 4, 300*time.Millisecond)
	require.NoError(t, err)
	assert.Less(t, r.Elapsed, 900*time.Millisecond, "a fractional duration ends by SIGINT, not at wrk's whole second")
	// wrk reports the time it measured itself, which can end a fraction of a millisecond
	// before the interrupt the bench timed: about the phase, not at least it.
	assert.GreaterOrEqual(t, r.Elapsed, 270*time.Millisecond, "the phase ran about its duration")
	assert.Positive(t, r.N)
	assert.Zero(t, r.Errors)
	assert.NotEmpty(t, r.Lat)
	mu.Lock()
	assert.Positive(t, seen["GET /a "])
	assert.Positive(t, seen["GET /b?x=1 "])
	assert.Positive(t, seen[`POST /c {"k":"]]"}`], "bodies travel intact")
	mu.Unlock()

	r, err = w.Saturate(context.Background(), srv.URL, []Request{Get("/missing")}, 2, 200*time.Millisecond)
	require.NoError(t, err)
	assert.Zero(t, r.N)
	assert.Positive(t, r.Errors, "a 404 is an error")
}
