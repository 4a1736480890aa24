-- Denser HNSW graphs for semantic search (docs: docs/performance.md, P5/P6).
--
-- 000004 built the graphs with pgvector's defaults (m=16, ef_construction=64). Measured on
-- this project's 1M-trace benchmark, those graphs cap recall@10 at 0.92 with
-- hnsw.ef_search=100 (0.95 only at ef_search=400, at twice the latency): the graph, not
-- the search, was the limit. ef_construction=128 builds each node's neighbour list from
-- twice the candidates: on a 395k-row partition recall@10 at ef_search=100 rose from 0.940
-- to 0.972 for 20% more search time, at the same index size; the build takes twice as long.
--
-- Rebuilding runs here, on existing rows, single-threaded (pgvector < 0.8.2 can overflow
-- a buffer in parallel HNSW builds), holding a lock that blocks writes to the traces
-- table while it runs: about 10 minutes per million traces on 2 vCPUs (9.5 min measured on
-- the 1M bench database, 27 s at 100k). Empty or small databases rebuild at once.
-- `contextapi seed` builds the same index after loading.

-- +goose Up

SET LOCAL max_parallel_maintenance_workers = 0;
SET LOCAL maintenance_work_mem = '1GB';

DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
CREATE INDEX idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 128);

-- +goose Down

SET LOCAL max_parallel_maintenance_workers = 0;
SET LOCAL maintenance_work_mem = '1GB';

DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
CREATE INDEX idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 64);
