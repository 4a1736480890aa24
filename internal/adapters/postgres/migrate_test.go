package postgres

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestMigrateIsSafeToRunTwice(t *testing.T) {
	dsn := newDatabase(t) // already migrated from the template
	applied, err := Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Empty(t, applied)
}

// TestMigrateOverUpstreamDataStorage applies our migrations to a database that already
// has upstream's migrations 001–008 (testdata/upstream_s1.sql restates their effect):
// named partitions only, no DEFAULT partition, no embedding column.
func TestMigrateOverUpstreamDataStorage(t *testing.T) {
	requireDatabase(t)
	name := pg.NewName()
	require.NoError(t, pg.Exec(t.Context(), "CREATE DATABASE "+name))
	t.Cleanup(func() { _ = pg.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn := pg.URL(name)
	upstream, err := os.ReadFile("testdata/upstream_s1.sql")
	require.NoError(t, err)
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(t.Context(), string(upstream))
	require.NoError(t, err)

	// Before migrating, an old schema without the embedding column still serves reads,
	// and semantic search finds nothing rather than failing.
	repo, err := Open(dsn, Options{schemaRecheck: time.Nanosecond})
	require.NoError(t, err)
	defer repo.Close()
	vec := make([]float32, domain.EmbeddingDimensions)
	vec[0] = 1
	found, _, err := repo.Search(t.Context(), domain.SemanticQuery{Embedding: vec, Limit: 5, Threshold: 0})
	require.NoError(t, err)
	assert.Empty(t, found)
	_, _, err = repo.List(t.Context(), domain.ListQuery{Limit: 5, IncludeEmbedding: true})
	require.NoError(t, err)

	applied, err := Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Len(t, applied, 7)
	applied, err = Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Empty(t, applied)

	var hasDefault, hasEmbedding bool
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT to_regclass('resource_action_traces_default') IS NOT NULL,
		EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'resource_action_traces' AND column_name = 'embedding')`).
		Scan(&hasDefault, &hasEmbedding))
	assert.True(t, hasDefault)
	assert.True(t, hasEmbedding)

	// The running repository finds the new column without a restart (once its belief in
	// the absence expires: a minute in production).
	_, err = conn.Exec(t.Context(), `UPDATE resource_action_traces SET embedding = $1::vector
		WHERE id = (SELECT min(id) FROM resource_action_traces)`, vectorText(vec))
	require.NoError(t, err)
	found, _, err = repo.Search(t.Context(), domain.SemanticQuery{Embedding: vec, Limit: 5, Threshold: 0.99})
	require.NoError(t, err)
	assert.Len(t, found, 1)
}

// vectorText is v in pgvector's text form.
func vectorText(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestDSNsAndSecrets(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:p@127.0.0.1:5432/db?sslmode=disable",
		"host=/var/run/postgresql dbname=contextapi user=postgres",
		"postgres:///contextapi?host=/var/run/postgresql",
	} {
		assert.NoError(t, ValidateDSN(dsn), dsn)
	}
	err := ValidateDSN("postgres://u:hunter2@[::1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	desc := Describe("postgres://alice:hunter2@db.internal:6543/ds")
	assert.Equal(t, "alice@db.internal:6543/ds", desc)
	assert.False(t, strings.Contains(desc, "hunter2"))
}

// The seed drops the vector index to load faster and builds it again after: it must be
// the index the migrations define, parameters included.
func TestSeedRebuildsTheMigrationsVectorIndex(t *testing.T) {
	dsn := newDatabase(t)
	indexDef := func() string {
		conn, err := pgx.Connect(t.Context(), dsn)
		require.NoError(t, err)
		defer conn.Close(context.Background())
		var def string
		require.NoError(t, conn.QueryRow(t.Context(),
			`SELECT pg_get_indexdef('idx_rat_embedding_hnsw'::regclass)`).Scan(&def))
		return def
	}
	migrated := indexDef()
	assert.Contains(t, migrated, "ef_construction='128'")
	base := make([]float32, domain.EmbeddingDimensions)
	base[0] = 1
	require.NoError(t, Load(t.Context(), dsn, Events(manyIncidents(20, base)), LoadOptions{}))
	assert.Equal(t, migrated, indexDef())
}
