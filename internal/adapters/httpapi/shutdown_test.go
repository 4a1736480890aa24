package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is what a client got back.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func fetch(client *http.Client, url string) result {
	resp, err := client.Get(url)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

// newClient returns a client without keep-alive, so no idle connection (nor goroutine)
// outlives a test.
func newClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

// TestGracefulShutdown: with a request in flight, cancelling Serve's context turns
// readiness to 503 at once while the server keeps serving for DrainDelay; then the server
// stops accepting, the in-flight request still completes with 200, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan struct{}, 1)
	repo := &stubRepo{Repository: fixtureRepo(), gate: gate, entered: entered}
	const drain = time.Second
	env := newEnvWith(t, repo, Config{DrainDelay: drain, ShutdownTimeout: 10 * time.Second})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- env.srv.Serve(ctx, ln) }()

	client := newClient()
	require.Equal(t, http.StatusOK, fetch(client, base+"/health/ready").status, "ready before shutdown")

	slow := make(chan result, 1)
	go func() { slow <- fetch(client, base+"/api/v1/incidents/3") }()
	select {
	case <-entered: // the request reached the repository and waits there
	case <-time.After(5 * time.Second):
		t.Fatal("the slow request never reached the repository")
	}

	cancelled := time.Now()
	cancel()
	require.Eventually(t, func() bool {
		return fetch(client, base+"/health/ready").status == http.StatusServiceUnavailable
	}, drain/2, 5*time.Millisecond, "readiness fails at once")
	assert.Less(t, time.Since(cancelled), drain, "…while draining, before the listener closes")
	during := fetch(client, base+"/readyz")
	require.NoError(t, during.err)
	assert.Equal(t, http.StatusServiceUnavailable, during.status)
	assert.Equal(t, "5", during.header.Get("Retry-After"))
	assert.Equal(t, "application/problem+json", during.header.Get("Content-Type"))
	assert.Equal(t, http.StatusOK, fetch(client, base+"/health/live").status, "alive while draining")

	select {
	case err := <-served:
		t.Fatalf("Serve returned before the in-flight request finished: %v", err)
	case <-time.After(drain + 200*time.Millisecond):
		// Past the drain delay Shutdown waits for the in-flight request.
	}
	close(gate)
	res := <-slow
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusOK, res.status, string(res.body))
	var e map[string]any
	require.NoError(t, json.Unmarshal(res.body, &e))
	assert.Equal(t, float64(3), e["id"])

	select {
	case err := <-served:
		assert.NoError(t, err, "a clean shutdown returns nil")
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	_, err = client.Get(base + "/health")
	assert.Error(t, err, "no longer accepting")
}

// TestShutdownTimeout: a request that outlasts ShutdownTimeout is stopped and answered
// with a 503 problem before its connection closes, and Serve returns nil: the shutdown
// was asked for, so the process exits 0.
func TestShutdownTimeout(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	entered := make(chan struct{}, 1)
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), gate: gate, entered: entered},
		Config{DrainDelay: -1, ShutdownTimeout: 100 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- env.srv.Serve(ctx, ln) }()

	got := make(chan result, 1)
	go func() { got <- fetch(newClient(), "http://"+ln.Addr().String()+"/api/v1/incidents") }()
	<-entered
	cancel()
	select {
	case err := <-served:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up")
	}
	res := <-got
	require.NoError(t, res.err, "the stuck request gets an answer, not a closed connection")
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, contentTypeProblem, res.header.Get("Content-Type"))
	assert.NotEmpty(t, res.header.Get("Retry-After"))
	assert.Contains(t, string(res.body), "shutting down")
	assert.Contains(t, env.logs.String(), "shut down with requests still running")
}

func TestServeFailsOnAClosedListener(t *testing.T) {
	env := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	assert.Error(t, env.srv.Serve(context.Background(), ln))
}

func TestListenAndServe(t *testing.T) {
	env := newEnvWith(t, fixtureRepo(), Config{DrainDelay: -1})
	t.Run("bad address", func(t *testing.T) {
		assert.Error(t, env.srv.ListenAndServe(context.Background(), "256.0.0.1:http"))
	})
	t.Run("serves until cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.NoError(t, env.srv.ListenAndServe(ctx, "127.0.0.1:0"))
	})
}

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	assert.Equal(t, 5*time.Second, c.ReadHeaderTimeout)
	assert.Equal(t, 15*time.Second, c.ReadTimeout)
	assert.Equal(t, 30*time.Second, c.WriteTimeout)
	assert.Equal(t, 60*time.Second, c.IdleTimeout)
	assert.Equal(t, 64<<10, c.MaxHeaderBytes)
	assert.Equal(t, 20*time.Second, c.ShutdownTimeout)
	assert.Equal(t, 5*time.Second, c.DrainDelay)
	assert.Equal(t, time.Duration(0), Config{DrainDelay: -1}.withDefaults().DrainDelay)
	assert.Equal(t, time.Second, Config{ReadTimeout: time.Second}.withDefaults().ReadTimeout)
}
