package httpapi

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With MetricsAddr, /metrics is served on its own listener, and only there.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	env := newEnvWith(t, fixtureRepo(), Config{MetricsAddr: "127.0.0.1:0", DrainDelay: -1, ShutdownTimeout: 5 * time.Second})
	api, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	metrics, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- env.srv.ServeWithMetrics(ctx, api, metrics) }()
	client := newClient()
	apiBase, metricsBase := "http://"+api.Addr().String(), "http://"+metrics.Addr().String()

	require.Eventually(t, func() bool { return fetch(client, apiBase+"/health/ready").status == http.StatusOK }, 5*time.Second, 10*time.Millisecond)
	got := fetch(client, metricsBase+"/metrics")
	require.NoError(t, got.err)
	assert.Equal(t, http.StatusOK, got.status)
	assert.Contains(t, string(got.body), "contextapi_database_up 1")
	assert.Contains(t, string(got.body), `contextapi_http_requests_total{code="200",method="GET",route="/health/ready"}`)

	onAPI := fetch(client, apiBase+"/metrics")
	assert.Equal(t, http.StatusNotFound, onAPI.status, "the API port no longer serves metrics")
	assert.Equal(t, "application/problem+json", onAPI.header.Get("Content-Type"))
	assert.Equal(t, http.StatusNotFound, fetch(client, metricsBase+"/api/v1/incidents").status, "the metrics port serves nothing else")
	assert.Equal(t, http.StatusNotFound, fetch(client, metricsBase+"/health/ready").status)

	cancel()
	require.NoError(t, <-served)
	_, err = net.Dial("tcp", metrics.Addr().String())
	assert.Error(t, err, "the metrics listener closes with the server")
}
