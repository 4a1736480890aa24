-- Semantic-search column on resource_action_traces (docs: shared/spec/schema.md §6).
--
-- Upstream code read rat.embedding but no upstream migration ever created it. 384 dimensions
-- (all-MiniLM-L6-v2), cosine distance (<=>), HNSW with pgvector's usual m=16,
-- ef_construction=64. On the partitioned parent, each partition gets its own HNSW graph.
-- HNSW skips NULL embeddings, so adding the index to a database full of old rows is quick.
--
-- Bulk loads: load first, index after, single-threaded (pgvector < 0.8.2 can overflow a buffer
-- in parallel HNSW builds) with maintenance_work_mem large enough for the graph.

-- +goose Up

CREATE EXTENSION IF NOT EXISTS vector;

ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS embedding vector(384);

SET LOCAL max_parallel_maintenance_workers = 0;

CREATE INDEX IF NOT EXISTS idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 64);

COMMENT ON COLUMN resource_action_traces.embedding IS
    'all-MiniLM-L6-v2 embedding (384 floats) of the incident, for cosine similarity search; NULL when not computed.';

-- +goose Down

-- The extension stays: upstream's action_patterns table uses it too.
DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
ALTER TABLE resource_action_traces DROP COLUMN IF EXISTS embedding;
