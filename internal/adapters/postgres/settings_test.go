package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
