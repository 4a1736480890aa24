package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// TestSearchSettingsReachTheSession proves the startup-packet settings are in force
// on the pool's connections once pgvector is loaded.
func TestSearchSettingsReachTheSession(t *testing.T) {
	repo := openLoaded(t, nil)
	var efSearch, iterative string
	db := repo.session(t.Context(), "test")
	require.NoError(t, db.Raw("SELECT current_setting('hnsw.ef_search')").Scan(&efSearch).Error)
	require.NoError(t, db.Raw("SELECT current_setting('hnsw.iterative_scan')").Scan(&iterative).Error)
	assert.Equal(t, "100", efSearch)
	assert.Equal(t, "relaxed_order", iterative)
	var timeout string
	require.NoError(t, db.Raw("SHOW statement_timeout").Scan(&timeout).Error)
	assert.Equal(t, "5s", timeout)
}

// With no ef_search given, each connection takes it from the table's analysed size.
func TestEfSearchFollowsTheTablesSize(t *testing.T) {
	assert.Equal(t, 100, EfSearchFor(100_000))
	assert.Equal(t, 200, EfSearchFor(1_000_000))

	base := make([]float32, domain.EmbeddingDimensions)
	base[0] = 1
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(manyIncidents(50, base)), LoadOptions{}))
	efOf := func(opts Options) string {
		repo, err := Open(dsn, opts)
		require.NoError(t, err)
		defer repo.Close()
		var ef string
		require.NoError(t, repo.pool.QueryRow(t.Context(), "SELECT current_setting('hnsw.ef_search')").Scan(&ef))
		return ef
	}
	over40 := func(rows int64) int {
		if rows > 40 {
			return 321
		}
		return 100
	}
	under := func(rows int64) int {
		if rows > 60 {
			return 321
		}
		return 100
	}
	assert.Equal(t, "321", efOf(Options{efSearchRule: over40}), "50 analysed rows are over 40")
	assert.Equal(t, "100", efOf(Options{efSearchRule: under}))
	assert.Equal(t, "77", efOf(Options{EfSearch: 77, efSearchRule: over40}), "a given value wins")
}
