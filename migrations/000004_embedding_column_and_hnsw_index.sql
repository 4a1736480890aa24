-- Semantic-search column on resource_action_traces (docs: docs/schema.md §6).
--
-- Upstream code read rat.embedding but no upstream migration ever created it. 384 dimensions
-- (all-MiniLM-L6-v2), cosine distance (<=>), HNSW with m=16 and ef_construction=128, the
-- parameters 000006 explains. (This migration first shipped with pgvector's default
-- ef_construction=64; databases that applied it then get the denser graph from 000006, and
-- on the others 000006 finds the index already right and does nothing, so no graph is
-- built twice.) On the partitioned parent, each partition gets its own HNSW graph.
-- HNSW skips NULL embeddings, so adding the index to a database full of old rows is quick.
--
-- Like every CREATE INDEX of resource_action_traces here, `contextapi migrate` builds the
-- index partition by partition, CONCURRENTLY, and attaches each to the parent index, so
-- writers are not blocked (see migrations/embed.go). The SET line holds for that build:
-- single-threaded, since pgvector < 0.8.2 can overflow a buffer in parallel HNSW builds.
--
-- Bulk loads: load first, index after, single-threaded, with maintenance_work_mem large
-- enough for the graph.

-- +goose Up

CREATE EXTENSION IF NOT EXISTS vector;

ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS embedding vector(384);

SET max_parallel_maintenance_workers = 0;

CREATE INDEX IF NOT EXISTS idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 128);

COMMENT ON COLUMN resource_action_traces.embedding IS
    'all-MiniLM-L6-v2 embedding (384 floats) of the incident, for cosine similarity search; NULL when not computed.';

-- +goose Down

-- The extension stays: upstream's action_patterns table uses it too.
DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
ALTER TABLE resource_action_traces DROP COLUMN IF EXISTS embedding;
