package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// TestPingDoesNotQueueBehindTheRequests: with every pooled connection held by a read
// blocked on a lock and another read waiting for a connection, a ping still answers
// within the health check's second, on its own connection, where a ping through the
// requests' pool waits out its second.
func TestPingDoesNotQueueBehindTheRequests(t *testing.T) {
	for _, pooled := range []bool{false, true} {
		name := map[bool]string{false: "direct", true: "through PgBouncer"}[pooled]
		t.Run(name, func(t *testing.T) {
			dsn := newDatabase(t)
			require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
			reached := dsn
			if pooled {
				reached = pg.ThroughPooler(t, dsn)
			}
			reg := prometheus.NewRegistry()
			repo, err := Open(reached, Options{MaxOpenConns: 2, StatementTimeout: time.Minute, Metrics: NewMetrics(reg)})
			require.NoError(t, err)
			defer repo.Close()
			require.NoError(t, repo.Ping(t.Context()))
			lockTraces(t, dsn)

			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 { // one statement each
				wg.Go(func() {
					_, _, err := repo.Get(ctx, domain.GetQuery{ID: 1})
					errs <- err
				})
			}
			defer func() {
				cancel()
				wg.Wait()
				close(errs)
				for err := range errs {
					assert.ErrorIs(t, err, context.Canceled)
				}
			}()
			require.Eventually(t, func() bool {
				g := poolGauges(t, reg)
				return g[`connections{state="in_use"}`] == 2 && g["waiting"] == 1
			}, 5*time.Second, 10*time.Millisecond, "two reads hold both connections, the third waits")

			for range 5 {
				pingCtx, cancelPing := context.WithTimeout(t.Context(), time.Second)
				start := time.Now()
				err := repo.Ping(pingCtx)
				took := time.Since(start)
				cancelPing()
				require.NoError(t, err)
				assert.Less(t, took, time.Second)
				t.Logf("ping with the pool saturated: %s", took.Round(10*time.Microsecond))
			}

			pingCtx, cancelPing := context.WithTimeout(t.Context(), time.Second)
			defer cancelPing()
			start := time.Now()
			err = repo.pools.current().Ping(pingCtx)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "a ping through the requests' pool waits behind them")
			t.Logf("ping through the saturated pool: %v after %s", err, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestPingRecoversWhenItsConnectionIsDropped: the server ending the health connection
// (a restart, a failover) costs no failed check: the ping tries a fresh one.
func TestPingRecoversWhenItsConnectionIsDropped(t *testing.T) {
	dsn := newDatabase(t)
	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	defer repo.Close()
	require.NoError(t, repo.Ping(t.Context()))
	require.NoError(t, pg.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'contextapi' AND datname = '`+databaseName(t, dsn)+`'`))
	require.Eventually(t, func() bool { return repo.pools.health.Stat().TotalConns() == 1 }, time.Second, 10*time.Millisecond)
	require.NoError(t, repo.Ping(t.Context()))
	assert.EqualValues(t, 2, repo.pools.health.Stat().NewConnsCount(), "a second connection replaced the first")
	assert.Zero(t, repo.pools.named.Stat().NewConnsCount(), "pings take nothing from the requests' pool")
}

func databaseName(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := parseDSN(dsn)
	require.NoError(t, err)
	return cfg.Database
}
