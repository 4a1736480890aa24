package client_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

// authorizations records the Authorization header of every request.
type authorizations struct {
	mu   sync.Mutex
	seen []string
}

func (a *authorizations) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Header.Get("Authorization"))
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (a *authorizations) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[len(a.seen)-1]
}

// A token `contextapi token` made gets through the service's bearer authentication.
func TestTokenGetsThroughBearerAuthentication(t *testing.T) {
	token := newToken(t)
	srv := serve(t, map[string]string{"auth_mode": "bearer", "auth_tokens_file": tokensFile(t, token)}, nil)
	for name, opt := range map[string]client.Option{
		"WithToken":       client.WithToken(token),
		"WithTokenSource": client.WithTokenSource(tokenFunc(func() (string, error) { return token, nil })),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := client.New(srv.URL, opt)
			require.NoError(t, err)
			page, err := c.ListIncidents(context.Background(), client.ListOptions{Limit: 1})
			require.NoError(t, err)
			assert.EqualValues(t, demoIncidents, page.Total)
		})
	}
}

// A token file is read again when it changes: a token the service refused is replaced
// by one it accepts without a new client.
func TestTokenFileIsReadAgainWhenItChanges(t *testing.T) {
	good := newToken(t)
	srv := serve(t, map[string]string{"auth_mode": "bearer", "auth_tokens_file": tokensFile(t, good)}, nil)
	path := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(path, []byte("expired-token-0123456789\n"), 0o600))
	c, err := client.New(srv.URL, client.WithTokenFile(path))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.GetIncident(ctx, 1, client.GetOptions{})
	require.ErrorIs(t, err, client.ErrUnauthorized)

	require.NoError(t, os.WriteFile(path, []byte(good+"\n"), 0o600))
	_, err = c.GetIncident(ctx, 1, client.GetOptions{})
	require.NoError(t, err)
}

// The kubelet rotates a projected service-account token by writing a new directory and
// swapping the ..data symlink the token's path goes through; the client follows.
func TestTokenFileFollowsAKubeletRotation(t *testing.T) {
	var auth authorizations
	srv := serve(t, nil, auth.wrap)
	dir := t.TempDir()
	rotate := func(version, token string) {
		versionDir := filepath.Join(dir, version)
		require.NoError(t, os.Mkdir(versionDir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(versionDir, "token"), []byte(token), 0o600))
		tmp := filepath.Join(dir, "..data_tmp")
		require.NoError(t, os.Symlink(version, tmp))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	}
	rotate("..2026_12_06_08_00_00.1", "first-token")
	path := filepath.Join(dir, "token")
	require.NoError(t, os.Symlink(filepath.Join("..data", "token"), path))

	c, err := client.New(srv.URL, client.WithTokenFile(path))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer first-token", auth.last())

	rotate("..2026_12_06_09_00_00.2", "second-token") // the same size: the file identity tells
	_, err = c.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer second-token", auth.last())

	// A token file caught empty, or gone, leaves the last token in use.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "..2026_12_06_09_00_00.2", "token"), nil, 0o600))
	_, err = c.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer second-token", auth.last())
	require.NoError(t, os.Remove(path))
	_, err = c.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer second-token", auth.last())
}

// Tokens that could never work are refused when the client is made.
func TestUnusableTokensAreRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte(" \n"), 0o600))
	for name, opt := range map[string]client.Option{
		"empty token":       client.WithToken(""),
		"token with space":  client.WithToken("two words"),
		"missing file":      client.WithTokenFile(filepath.Join(dir, "missing")),
		"empty file":        client.WithTokenFile(empty),
		"nil token source":  client.WithTokenSource(nil),
		"nil *http.Client":  client.WithHTTPClient(nil),
		"empty user agent":  client.WithUserAgent(" "),
		"negative attempts": client.WithRetry(client.RetryPolicy{MaxAttempts: -1}),
	} {
		_, err := client.New("http://localhost:8080", opt)
		assert.Error(t, err, name)
	}
}

// A token source that fails fails the call, and nothing is sent.
func TestAFailingTokenSourceFailsTheCall(t *testing.T) {
	var requests counter
	srv := serve(t, nil, requests.wrap)
	vaultDown := errors.New("vault: sealed")
	c, err := client.New(srv.URL, client.WithTokenSource(tokenFunc(func() (string, error) { return "", vaultDown })))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	assert.ErrorIs(t, err, vaultDown)
	assert.Zero(t, requests.n.Load())
}

// tokenFunc is a TokenSource made of a function.
type tokenFunc func() (string, error)

func (f tokenFunc) Token(context.Context) (string, error) { return f() }
