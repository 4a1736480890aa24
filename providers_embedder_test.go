package contextapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/adapters/openai"
	"github.com/contextapi/contextapi/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRecheckEmbedderLogsWhenItAnswers(t *testing.T) {
	fake := &testkit.EmbeddingServer{}
	fake.Push(testkit.EmbeddingReply{Status: http.StatusServiceUnavailable}, testkit.EmbeddingReply{Status: http.StatusServiceUnavailable})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := openai.New(openai.Options{URL: srv.URL, Retries: -1})
	require.NoError(t, err)
	logs := &testkit.Buffer{}
	stop := recheckEmbedder(client, 5*time.Millisecond, logs.Logger())
	defer stop()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "the embedder answers: text queries are served") },
		5*time.Second, 5*time.Millisecond)
	assert.Len(t, fake.Requests(), 3, "checked until it answered, then no more")
}

func TestRecheckEmbedderReportsAWrongModel(t *testing.T) {
	fake := &testkit.EmbeddingServer{Dims: 768}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := openai.New(openai.Options{URL: srv.URL, Retries: -1})
	require.NoError(t, err)
	logs := &testkit.Buffer{}
	stop := recheckEmbedder(client, 5*time.Millisecond, logs.Logger())
	defer stop()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "the embedder answers, wrongly") }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, logs.String(), "768")
}

func TestRecheckEmbedderStops(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		asked.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	client, err := openai.New(openai.Options{URL: srv.URL, Retries: -1})
	require.NoError(t, err)
	stop := recheckEmbedder(client, time.Millisecond, (&testkit.Buffer{}).Logger())
	require.Eventually(t, func() bool { return asked.Load() >= 3 }, 5*time.Second, time.Millisecond, "it keeps checking while the embedder fails")
	stop() // returns, its goroutine gone (goleak checks at the end)
}
