-- Denser HNSW graphs for semantic search (docs: docs/performance.md, P5/P6).
--
-- 000004 first built the graphs with pgvector's defaults (m=16, ef_construction=64). Measured
-- on this project's 1M-trace benchmark, those graphs cap recall@10 at 0.92 with
-- hnsw.ef_search=100 (0.95 only at ef_search=400, at twice the latency): the graph, not
-- the search, was the limit. ef_construction=128 builds each node's neighbour list from
-- twice the candidates: on a 395k-row partition recall@10 at ef_search=100 rose from 0.940
-- to 0.972 for 20% more search time, at the same index size; the build takes twice as long.
--
-- The DROP + CREATE below is what this migration means; `contextapi migrate` does it without
-- blocking writers (see migrations/embed.go). When idx_rat_embedding_hnsw already has
-- these storage parameters (000004 now builds it so) it does nothing. Otherwise it builds
-- the replacement beside the old index, as idx_rat_embedding_hnsw_new, partition by
-- partition CONCURRENTLY and attached; then one short transaction (under lock_timeout,
-- retried) drops the old index and gives the new one, and its partitions' indexes, the old
-- names. Writers keep inserting meanwhile, into both graphs. The build is single-threaded
-- (pgvector < 0.8.2 can overflow a buffer in parallel HNSW builds): on the 1M bench
-- database, 2 vCPUs, 12.4 minutes with inserts going on, none waiting over 0.1 s, where
-- the plain DROP + CREATE INDEX this file used to run took 11.9 minutes and held every
-- insert that long. Empty or small databases rebuild at once. `contextapi seed` builds the
-- same index after loading.

-- +goose Up

SET max_parallel_maintenance_workers = 0;
SET maintenance_work_mem = '1GB';

DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
CREATE INDEX idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 128);

-- +goose Down

SET max_parallel_maintenance_workers = 0;
SET maintenance_work_mem = '1GB';

DROP INDEX IF EXISTS idx_rat_embedding_hnsw;
CREATE INDEX idx_rat_embedding_hnsw
    ON resource_action_traces USING hnsw (embedding vector_cosine_ops)
    WITH (m = 16, ef_construction = 64);
