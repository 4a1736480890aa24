package postgres

import (
	"math/rand/v2"
	"testing"

	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// TestUnfilteredSearchesArePlannedOncePerSession: after PostgreSQL's five custom plans an
// unfiltered search runs on the plan cache's generic plan, through the HNSW index, instead
// of being planned again at every execution (0.7-1.3 ms over six partitions, issue 15). With the limit as a placeholder the generic plan guesses a
// tenth of the rows and sorts them all, which costs more than the custom plans, so it is
// never chosen and this test fails (0 generic plans of 8).
func TestUnfilteredSearchesArePlannedOncePerSession(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	query := make([]float32, domain.EmbeddingDimensions)
	for j := range query {
		query[j] = float32(rng.NormFloat64())
	}
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(manyIncidents(3000, query)), LoadOptions{}))
	// One connection, so every search is prepared on the session read below. pgvector
	// costs a graph walk by ef_search: at 10 the index costs less than sorting these
	// 3,000 rows, as it does at 100 with the hundreds of thousands of a real table.
	repo, err := Open(dsn, Options{MaxOpenConns: 1, EfSearch: 10})
	require.NoError(t, err)
	defer repo.Close()

	searches := map[string]domain.SemanticQuery{
		"unfiltered": {Embedding: query, Limit: 10, Threshold: 0.1},
		"similar":    {Embedding: query, Limit: 7, Threshold: 0.1, ExcludeIDs: []int64{1}},
	}
	for range 8 {
		for _, q := range searches {
			found, _, err := repo.Search(t.Context(), q)
			require.NoError(t, err)
			require.Len(t, found, q.Limit)
		}
	}

	plans := map[string][2]int64{} // generic, custom: by statement text
	conn, err := repo.pools.current().Acquire(t.Context())
	require.NoError(t, err)
	rows, err := conn.Query(t.Context(), `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement LIKE '%ORDER BY rat.embedding <=>%' AND statement NOT LIKE '%pg_prepared_statements%'`)
	require.NoError(t, err)
	for rows.Next() {
		var sql string
		var generic, custom int64
		require.NoError(t, rows.Scan(&sql, &generic, &custom))
		plans[sql] = [2]int64{generic, custom}
	}
	require.NoError(t, rows.Err())
	conn.Release() // the pool's only connection
	require.Len(t, plans, len(searches), "one prepared statement per search shape")
	for sql, p := range plans {
		assert.Equal(t, [2]int64{3, 5}, p, "five custom plans, then the generic one: %s", sql)
	}

	// The generic plan is the index's, not a sort of every row.
	var plan []string
	err = repo.session(t.Context()).Connection(func(tx *gorm.DB) error {
		if err := tx.Exec("SET plan_cache_mode = force_generic_plan").Error; err != nil {
			return err
		}
		if err := tx.Exec("PREPARE generic_search(vector, vector, float8, vector) AS " + unfilteredSearchSQL(t)).Error; err != nil {
			return err
		}
		v := "'" + pgvector.NewVector(query).String() + "'" // EXPLAIN EXECUTE takes no placeholders
		return tx.Raw("EXPLAIN EXECUTE generic_search(" + v + ", " + v + ", 0.9, " + v + ")").Scan(&plan).Error
	})
	require.NoError(t, err)
	assert.Regexp(t, `Index Scan using \S+_embedding_idx`, joinLines(plan))
	assert.NotContains(t, joinLines(plan), "Sort  (", "the index gives the order, no Sort node")
}

// unfilteredSearchSQL is the statement of an unfiltered search of the index, rendered.
func unfilteredSearchSQL(t *testing.T) string {
	t.Helper()
	db := searchQuery(dryRun(t).session(t.Context()), domain.SemanticQuery{Embedding: make([]float32, domain.EmbeddingDimensions), Limit: 10},
		incidentColumns, false).Find(&[]incidentRecord{})
	require.NoError(t, db.Error)
	return db.Statement.SQL.String()
}
