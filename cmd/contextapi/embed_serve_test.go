package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/testkit"
)

// What serve does with its embedder at start (docs/embeddings.md, "At start").
func TestServeChecksTheEmbedderAtStart(t *testing.T) {
	dsn := seededDatabase(t)
	clearEnv(t)
	start := func(t *testing.T, args ...string) (*contextapi.App, *testkit.Buffer, error) {
		t.Helper()
		cfg, err := loadConfig(flags(t, args...))
		require.NoError(t, err)
		logs := &testkit.Buffer{}
		application, cleanup, err := contextapi.InitializeApp(cfg, slog.New(slog.NewTextHandler(logs, nil)))
		if err == nil {
			t.Cleanup(cleanup)
		}
		return application, logs, err
	}
	serveFake := func(t *testing.T, fake *testkit.EmbeddingServer) string {
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		return srv.URL
	}

	t.Run("a model of another dimension refuses to start", func(t *testing.T) {
		_, _, err := start(t, "--database-url", dsn, "--embedder-url", serveFake(t, &testkit.EmbeddingServer{Dims: 768}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "embeddings of 768 numbers, the embedding column holds 384")
	})
	t.Run("a refused key refuses to start", func(t *testing.T) {
		fake := &testkit.EmbeddingServer{}
		fake.Push(testkit.EmbeddingReply{Status: http.StatusUnauthorized, Body: `{"error":{"message":"invalid api key"}}`})
		_, _, err := start(t, "--database-url", dsn, "--embedder-url", serveFake(t, fake))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "invalid api key")
	})
	t.Run("an embedder not answering yet: serve, text queries 503", func(t *testing.T) {
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close()
		application, logs, err := start(t, "--database-url", dsn, "--embedder-url", gone.URL, "--embedder-retries", "0")
		require.NoError(t, err)
		assert.Contains(t, application.Text.Description, "not answering yet")
		assert.Contains(t, logs.String(), "the embedder does not answer: text queries answer 503 until it does")
		api := httptest.NewServer(application.Server)
		defer api.Close()
		res, err := http.Post(api.URL+"/api/v1/search/semantic", "application/json", strings.NewReader(`{"query":"disk full"}`))
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		assert.Equal(t, "5", res.Header.Get("Retry-After"))
	})
	t.Run("demo data: text queries are a 400 saying why, embedder or not", func(t *testing.T) {
		fake := &testkit.EmbeddingServer{}
		application, logs, err := start(t, "--demo", "--embedder-url", serveFake(t, fake))
		require.NoError(t, err)
		assert.Contains(t, logs.String(), "embedder_url ignored")
		api := httptest.NewServer(application.Server)
		defer api.Close()
		status, problem := apiPost(t, api.URL, `{"query":"disk full"}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, fmt.Sprint(problem["detail"]), "synthetic")
		assert.Empty(t, fake.Requests(), "the demo store never asks the embedder")
	})
}
