-- Indexes for the read paths contextapi serves (docs: docs/performance.md).
--
-- Upstream's index set has no index leading with action_timestamp, so the list order
-- (newest first, id as tie-breaker) sorted every matching row, and time-window
-- aggregations read the whole heap. One index serves both:
--   * its key (action_timestamp DESC, id DESC) is the list order and the keyset cursor,
--     so a page is an index range scan whatever its depth (merged across partitions);
--   * its INCLUDE columns are everything the aggregations group or sum by on the
--     traces table, so a time-window aggregation is an index-only scan (kept cheap by
--     the visibility map: seed runs VACUUM after loading).
-- On the partitioned parent it is created on every partition, present and future; migrate
-- builds it partition by partition CONCURRENTLY (see migrations/embed.go).

-- +goose Up

CREATE INDEX IF NOT EXISTS idx_rat_timeline
    ON resource_action_traces (action_timestamp DESC, id DESC)
    INCLUDE (action_type, execution_status, alert_severity, execution_duration_ms, action_history_id);

-- +goose Down

DROP INDEX IF EXISTS idx_rat_timeline;
