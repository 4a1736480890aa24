package postgres

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestConnectTimeoutFollowsTheStatementTimeout(t *testing.T) {
	for statement, want := range map[time.Duration]time.Duration{
		100 * time.Millisecond: time.Second, // at least 1 s
		2 * time.Second:        2 * time.Second,
		5 * time.Second:        5 * time.Second,
		time.Minute:            5 * time.Second, // at most 5 s
	} {
		assert.Equal(t, want, connectTimeoutFor(statement), "statement timeout %s", statement)
	}
	connectTimeout := func(dsn string, statement time.Duration) time.Duration {
		t.Helper()
		repo, err := Open(dsn, Options{StatementTimeout: statement})
		require.NoError(t, err)
		defer repo.Close()
		for _, pool := range append(repo.pools.statementPools(), repo.pools.health) {
			require.Equal(t, pool.Config().ConnConfig.ConnectTimeout, repo.pools.named.Config().ConnConfig.ConnectTimeout,
				"every pool connects under the same bound")
		}
		return repo.pools.named.Config().ConnConfig.ConnectTimeout
	}
	const dsn = "postgres://u@127.0.0.1:1/db?sslmode=disable"
	assert.Equal(t, 5*time.Second, connectTimeout(dsn, 0), "the default statement timeout is 5 s")
	assert.Equal(t, 2*time.Second, connectTimeout(dsn, 2*time.Second))
	assert.Equal(t, 30*time.Second, connectTimeout(dsn+"&connect_timeout=30", 2*time.Second), "the DSN's value is kept")
	assert.Equal(t, 2*time.Second, connectTimeout("host=127.0.0.1 port=1 user=u connect_timeout=2", time.Minute), "key=value DSNs too")
	assert.Equal(t, 2*time.Second, connectTimeout(dsn+"&connect_timeout=0", 2*time.Second), "0, libpq's forever, is no choice")
	t.Setenv("PGCONNECT_TIMEOUT", "9")
	assert.Equal(t, 9*time.Second, connectTimeout(dsn, 2*time.Second), "PGCONNECT_TIMEOUT is kept")
}

// silentServer listens on 127.0.0.1, accepts every connection and never says a word: a
// host whose PostgreSQL hangs (or a port some other program holds). It returns the port.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}

// TestSilentServerIsUnavailableWithinTheConnectTimeout: connecting to a server that
// accepts and never answers ends at the connect timeout, for a request and for a ping
// whose context has no deadline, and frees the pool's slot then too (pgxpool's own bound
// would hold it two minutes).
func TestSilentServerIsUnavailableWithinTheConnectTimeout(t *testing.T) {
	port := silentServer(t)
	unresponsive(t, "postgres://contextapi:secret@127.0.0.1:"+port+"/db?sslmode=disable")
}

// unresponsive checks a repository over dsn, which never answers, with a 2 s statement
// timeout, hence a 2 s connect timeout.
func unresponsive(t *testing.T, dsn string) {
	t.Helper()
	const bound, margin = 2 * time.Second, 2 * time.Second
	repo, err := Open(dsn, Options{StatementTimeout: bound, MaxOpenConns: 2})
	require.NoError(t, err)
	defer repo.Close()

	start := time.Now()
	_, _, err = repo.List(t.Context(), domain.ListQuery{Limit: 1})
	took := time.Since(start)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Less(t, took, bound+margin)
	assert.NotContains(t, err.Error(), "secret")
	t.Logf("List: %s after %s", err, took.Round(time.Millisecond))
	assert.Eventually(t, func() bool { return repo.pools.named.Stat().TotalConns() == 0 }, bound+margin, 20*time.Millisecond,
		"the connection being opened gives up at the connect timeout and frees its slot")

	start = time.Now()
	err = repo.Ping(context.Background()) // no deadline but the connect timeout
	took = time.Since(start)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.GreaterOrEqual(t, took, bound-100*time.Millisecond, "the connect timeout, not an error of another kind")
	assert.Less(t, took, bound+margin)
	t.Logf("Ping without a deadline: %s after %s", err, took.Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = repo.Ping(ctx)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "the caller's deadline ends the wait: %v", err)
	assert.Less(t, time.Since(start), 300*time.Millisecond+margin)
}
