-- Timelines by environment and by cluster (docs: docs/performance.md, "A finding on the side").
--
-- Upstream's migration 008 added environment and cluster_name, so every trace written
-- before it holds NULL in both. A list page filtered by either is a Merge Append over the
-- partitions' timeline indexes (000005) that reads each partition until its first match:
-- a partition with no match at all, such as a month from before 008, is read whole on
-- every page, because the planner costs each partition's scan as if matches were spread
-- evenly. On the 1M bench database an environment=production page took 12-26 ms, 18,069
-- rows of August read and discarded; with these indexes that partition answers from an
-- empty index range and the page takes 0.1 ms to execute. Each index cost 2.6 s to build
-- at 1M traces, and the writer maintains two more B-trees. Built per partition CONCURRENTLY
-- (see migrations/embed.go).

-- +goose Up

CREATE INDEX IF NOT EXISTS idx_rat_environment_timeline
    ON resource_action_traces (environment, action_timestamp DESC, id DESC);

CREATE INDEX IF NOT EXISTS idx_rat_cluster_timeline
    ON resource_action_traces (cluster_name, action_timestamp DESC, id DESC);

-- +goose Down

DROP INDEX IF EXISTS idx_rat_cluster_timeline;
DROP INDEX IF EXISTS idx_rat_environment_timeline;
