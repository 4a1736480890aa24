package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

func TestNewRefusesBaseURLsItCannotUse(t *testing.T) {
	for _, base := range []string{
		"", "localhost:8080", "/api", "ftp://example.com", "http://", "http://example.com/?x=1",
		"http://example.com/#top", "http://user:pass@example.com", "http://exa mple.com",
	} {
		_, err := client.New(base)
		assert.Error(t, err, "%q", base)
	}
}

// A service behind a proxy that serves it below a path prefix is reached through it.
func TestBaseURLWithAPathPrefix(t *testing.T) {
	demo := serveDemo(t)
	target, err := http.NewRequest(http.MethodGet, demo.URL, nil)
	require.NoError(t, err)
	proxy := httptest.NewServer(http.StripPrefix("/contextapi", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Scheme, r.URL.Host, r.RequestURI = target.URL.Scheme, target.URL.Host, ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})))
	t.Cleanup(proxy.Close)
	for _, base := range []string{proxy.URL + "/contextapi", proxy.URL + "/contextapi/"} {
		c, err := client.New(base)
		require.NoError(t, err)
		rc, err := c.RecoveryContext(context.Background(), demoRemediationID, client.RecoveryOptions{})
		require.NoError(t, err, base)
		assert.Equal(t, demoRemediationID, rc.Incident.RemediationRequestID)
	}
}

func TestUserAgent(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	srv := serve(t, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, r.UserAgent())
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	for _, opts := range [][]client.Option{nil, {client.WithUserAgent("contextapi-cli/1.2 " + client.DefaultUserAgent)}} {
		c, err := client.New(srv.URL, opts...)
		require.NoError(t, err)
		_, err = c.Health(context.Background())
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{client.DefaultUserAgent, "contextapi-cli/1.2 contextapi-go-client"}, got)
}
