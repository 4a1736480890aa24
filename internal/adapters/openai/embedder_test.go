package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// newServed starts fake behind an httptest server and returns a client of it with
// short waits, so retry tests take milliseconds.
func newServed(t *testing.T, fake *testkit.EmbeddingServer, opts Options) (*Embedder, *prometheus.Registry) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	reg := prometheus.NewRegistry()
	opts.URL = srv.URL
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	opts.Registerer = reg
	e, err := New(opts)
	require.NoError(t, err)
	return e, reg
}

func TestEmbedReturnsOneEmbeddingPerTextInOrder(t *testing.T) {
	fake := &testkit.EmbeddingServer{Reversed: true}
	e, reg := newServed(t, fake, Options{Model: "all-MiniLM-L6-v2"})
	texts := []string{"pod OOMKilled", "disk pressure on node", "certificate expired"}
	got, err := e.Embed(context.Background(), texts)
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, text := range texts {
		assert.Equal(t, testkit.BagOfWords(text, 384), got[i], "embedding %d is the one of its text, whatever the answer's order", i)
	}
	reqs := fake.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "all-MiniLM-L6-v2", reqs[0].Model)
	assert.Empty(t, reqs[0].Authorization, "no key file, no Authorization header")
	assert.InDelta(t, 1, testutil.ToFloat64(e.metrics.requests.WithLabelValues(outcomeOK)), 0)
	assert.InDelta(t, 3, testutil.ToFloat64(e.metrics.texts), 0)
	n, err := testutil.GatherAndCount(reg, "contextapi_embedder_request_duration_seconds")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestEmbedSplitsInputsIntoBatchesTheServerAccepts(t *testing.T) {
	fake := &testkit.EmbeddingServer{MaxBatch: 4}
	e, _ := newServed(t, fake, Options{MaxBatch: 4})
	texts := make([]string, 10)
	for i := range texts {
		texts[i] = fmt.Sprintf("incident number %d", i)
	}
	got, err := e.Embed(context.Background(), texts)
	require.NoError(t, err)
	require.Len(t, got, 10)
	assert.Equal(t, testkit.BagOfWords("incident number 9", 384), got[9])
	var sizes []int
	for _, r := range fake.Requests() {
		sizes = append(sizes, len(r.Input))
	}
	assert.Equal(t, []int{4, 4, 2}, sizes)
}

func TestEmbedPastTheServersBatchLimitIsRefusedNotRetried(t *testing.T) {
	fake := &testkit.EmbeddingServer{MaxBatch: 2}
	e, _ := newServed(t, fake, Options{MaxBatch: 3})
	_, err := e.Embed(context.Background(), []string{"a", "b", "c"})
	require.Error(t, err)
	assert.ErrorIs(t, err, domain.ErrInvalidArgument, "413: the server refuses the input")
	assert.NotErrorIs(t, err, domain.ErrUnavailable)
	assert.Contains(t, err.Error(), "max client batch size", "the server's message is kept")
	assert.Len(t, fake.Requests(), 1, "a refusal is not retried")
}

func TestEmbedSendsTheKeyFromTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(path, []byte("sk-secret\n"), 0o600))
	fake := &testkit.EmbeddingServer{}
	e, _ := newServed(t, fake, Options{APIKeyFile: path})
	_, err := e.Embed(context.Background(), []string{"x"})
	require.NoError(t, err)
	assert.Equal(t, "Bearer sk-secret", fake.Requests()[0].Authorization)
}

func TestNewRefusesBadKeyFilesAndURLs(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, []byte(" \n"), 0o600))
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"missing key file", Options{URL: "http://x", APIKeyFile: "/nonexistent/key"}, "embedder_api_key_file"},
		{"empty key file", Options{URL: "http://x", APIKeyFile: empty}, "is empty"},
		{"not http", Options{URL: "ftp://x"}, "embedder_url must be an http"},
		{"no host", Options{URL: "localhost:8081"}, "embedder_url must be an http"},
		{"credentials in the URL", Options{URL: "http://user:pw@x"}, "embedder_api_key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "pw@", "never echo credentials")
		})
	}
}

func TestEndpoint(t *testing.T) {
	for given, want := range map[string]string{
		"http://tei:8080":                          "http://tei:8080/v1/embeddings",
		"http://tei:8080/":                         "http://tei:8080/v1/embeddings",
		"http://ollama:11434":                      "http://ollama:11434/v1/embeddings",
		"https://gateway/openai/v1/embeddings":     "https://gateway/openai/v1/embeddings",
		"https://gateway/openai/deployments/x/v1/": "https://gateway/openai/deployments/x/v1/v1/embeddings",
	} {
		got, err := Endpoint(given)
		require.NoError(t, err, given)
		assert.Equal(t, want, got, given)
	}
}

func TestEmbedHonoursRetryAfterOn429ThenSucceeds(t *testing.T) {
	fake := &testkit.EmbeddingServer{}
	fake.Push(testkit.EmbeddingReply{Status: http.StatusTooManyRequests, RetryAfter: "1", Body: `{"error":{"message":"slow down"}}`})
	e, _ := newServed(t, fake, Options{})
	start := time.Now()
	got, err := e.Embed(context.Background(), []string{"x"})
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited as Retry-After asked, not the 1ms backoff")
	assert.Len(t, fake.Requests(), 2)
	assert.InDelta(t, 1, testutil.ToFloat64(e.metrics.requests.WithLabelValues(outcomeThrottled)), 0)
}

func TestEmbedGivesUpWhenRetryAfterOutlastsTheCaller(t *testing.T) {
	fake := &testkit.EmbeddingServer{}
	fake.Push(testkit.EmbeddingReply{Status: http.StatusServiceUnavailable, RetryAfter: "30"})
	e, _ := newServed(t, fake, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := e.Embed(ctx, []string{"x"})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Less(t, time.Since(start), time.Second, "no wait that cannot end before the caller's deadline")
}

func TestEmbedServerErrorsExhaustRetriesAsUnavailable(t *testing.T) {
	fake := &testkit.EmbeddingServer{}
	for range 3 {
		fake.Push(testkit.EmbeddingReply{Status: http.StatusInternalServerError, Body: `{"error":"model crashed"}`})
	}
	fake.Push(testkit.EmbeddingReply{}) // would succeed, but retries are spent
	e, _ := newServed(t, fake, Options{Retries: 2})
	_, err := e.Embed(context.Background(), []string{"x"})
	require.Error(t, err)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Contains(t, err.Error(), "after 3 attempts")
	assert.Contains(t, err.Error(), "model crashed")
	assert.Len(t, fake.Requests(), 3)
	assert.InDelta(t, 3, testutil.ToFloat64(e.metrics.requests.WithLabelValues(outcomeServerError)), 0)
}

func TestEmbedConfigurationMistakesAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			fake := &testkit.EmbeddingServer{}
			fake.Push(testkit.EmbeddingReply{Status: status, Body: `{"error":{"message":"no such model"}}`})
			e, _ := newServed(t, fake, Options{})
			_, err := e.Embed(context.Background(), []string{"x"})
			require.Error(t, err)
			assert.NotErrorIs(t, err, domain.ErrUnavailable)
			assert.NotErrorIs(t, err, domain.ErrInvalidArgument)
			assert.Contains(t, err.Error(), `"no such model"`)
			assert.Contains(t, err.Error(), "check embedder_url")
			assert.Len(t, fake.Requests(), 1)
		})
	}
}

func TestEmbedSlowServerTimesOutEachAttempt(t *testing.T) {
	fake := &testkit.EmbeddingServer{Delay: time.Second}
	e, _ := newServed(t, fake, Options{Timeout: 50 * time.Millisecond, Retries: 1})
	start := time.Now()
	_, err := e.Embed(context.Background(), []string{"x"})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Less(t, time.Since(start), 800*time.Millisecond, "each attempt is bounded by Timeout")
	assert.InDelta(t, 2, testutil.ToFloat64(e.metrics.requests.WithLabelValues(outcomeUnreachable)), 0)
}

func TestEmbedUnreachableServerIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	e, err := New(Options{URL: url, Backoff: time.Millisecond})
	require.NoError(t, err)
	_, err = e.Embed(context.Background(), []string{"x"})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Contains(t, err.Error(), url)
}

func TestEmbedCancelledByTheCallerIsNotUnavailable(t *testing.T) {
	fake := &testkit.EmbeddingServer{Delay: time.Second}
	e, _ := newServed(t, fake, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := e.Embed(ctx, []string{"x"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, domain.ErrUnavailable)
}

func TestEmbedWrongDimensionIsAClearError(t *testing.T) {
	fake := &testkit.EmbeddingServer{Dims: 768}
	e, _ := newServed(t, fake, Options{})
	err := e.Check(context.Background())
	var de *DimensionError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, DimensionError{Got: 768, Want: 384}, *de)
	assert.Contains(t, err.Error(), "768")
	assert.Len(t, fake.Requests(), 1, "a wrong model is not retried")

	ok, _ := newServed(t, &testkit.EmbeddingServer{}, Options{})
	assert.NoError(t, ok.Check(context.Background()))
}

func TestEmbedRefusesMalformedAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":        `<html>`,
		"too few":         `{"data":[]}`,
		"repeated index":  `{"data":[{"index":0,"embedding":[` + ones(384) + `]},{"index":0,"embedding":[` + ones(384) + `]}]}`,
		"index too large": `{"data":[{"index":5,"embedding":[` + ones(384) + `]},{"index":0,"embedding":[` + ones(384) + `]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			fake := &testkit.EmbeddingServer{}
			fake.Push(testkit.EmbeddingReply{Status: http.StatusOK, Body: body})
			e, _ := newServed(t, fake, Options{})
			_, err := e.Embed(context.Background(), []string{"a", "b"})
			require.Error(t, err)
			assert.False(t, errors.Is(err, domain.ErrUnavailable) || errors.Is(err, domain.ErrInvalidArgument), err.Error())
		})
	}
}

func ones(n int) string { return strings.TrimSuffix(strings.Repeat("1,", n), ",") }
