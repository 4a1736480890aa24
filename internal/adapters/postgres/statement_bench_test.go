package postgres

import (
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
)

// BenchmarkStatementPath prices, in one run, sending each statement's settings with it
// (statement.go) against sending them as startup parameters, which PgBouncer rejects, and
// named prepared statements against the unnamed ones a transaction pooler before
// PgBouncer 1.21 forces (pools.go). The same filtered list page, 10 rows, read whole; one
// client at a time:
//
//	CONTEXTAPI_TEST_DATABASE_URL=... go test -run '^$' -bench StatementPath -count 5 ./internal/adapters/postgres/
func BenchmarkStatementPath(b *testing.B) {
	pg.Require(b)
	dsn := pg.NewDatabase(b)
	require.NoError(b, Load(b.Context(), dsn, Events(dataset.Demo(time.Now())), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(b, err)
	defer repo.Close()
	unnamed, err := Open(dsn+"&default_query_exec_mode=cache_describe", Options{})
	require.NoError(b, err)
	defer unnamed.Close()

	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(b, err)
	rp := cfg.ConnConfig.RuntimeParams
	rp["statement_timeout"] = strconv.FormatInt((5 * time.Second).Milliseconds(), 10)
	rp["hnsw.ef_search"], rp["hnsw.iterative_scan"] = "100", "relaxed_order"
	startup, err := pgxpool.NewWithConfig(b.Context(), cfg)
	require.NoError(b, err)
	defer startup.Close()

	q := domain.ListQuery{Limit: 10, Filter: domain.Filter{Namespaces: []string{"checkout"}}}
	sql, args, err := compose(repo.pageQuery(repo.session(b.Context()), q, incidentColumns))
	require.NoError(b, err)
	read := func(rows pgx.Rows) error {
		var rec incidentRecord
		return rows.Scan(rec.targets(false, false)...)
	}
	b.Run("startup-parameters-named-statements", func(b *testing.B) {
		for b.Loop() {
			rows, err := startup.Query(b.Context(), sql, args...)
			require.NoError(b, err)
			for rows.Next() {
				require.NoError(b, read(rows))
			}
			require.NoError(b, rows.Err())
		}
	})
	b.Run("settings-per-statement-named-statements", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, repo.each(b.Context(), sql, args, read))
		}
	})
	b.Run("settings-per-statement-unnamed-statements", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, unnamed.each(b.Context(), sql, args, read))
		}
	})
}
