-- Upstream Data Storage migration 008 ("Context API compatibility"), restated idempotently
-- (docs: docs/schema.md §5): direct columns for alert correlation, multi-cluster and
-- environment filtering on resource_action_traces, the environment CHECK and four indexes.
-- All three columns are nullable without default: rows written before 008, or by writers that
-- do not set them, hold NULL, and readers must expect it.
--
-- On a database that already ran upstream 008 every statement is a no-op. The indexes are
-- built per partition CONCURRENTLY where missing (see migrations/embed.go).

-- +goose Up

ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS alert_fingerprint VARCHAR(64);
ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS cluster_name      VARCHAR(100);
ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS environment       VARCHAR(20);

-- PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS: look in the catalog first.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_constraint
                    WHERE conrelid = 'resource_action_traces'::regclass
                      AND conname = 'check_environment_valid') THEN
        ALTER TABLE resource_action_traces ADD CONSTRAINT check_environment_valid
            CHECK (environment IS NULL
                   OR environment IN ('production', 'staging', 'development', 'test'));
    END IF;
END
$$;
-- +goose StatementEnd

CREATE INDEX IF NOT EXISTS idx_rat_alert_fingerprint ON resource_action_traces (alert_fingerprint);
CREATE INDEX IF NOT EXISTS idx_rat_cluster_name      ON resource_action_traces (cluster_name);
CREATE INDEX IF NOT EXISTS idx_rat_environment       ON resource_action_traces (environment);
CREATE INDEX IF NOT EXISTS idx_rat_context_filters
    ON resource_action_traces (cluster_name, environment, alert_severity)
    WHERE cluster_name IS NOT NULL;

COMMENT ON COLUMN resource_action_traces.alert_fingerprint IS
    'Identifies one alert across remediation attempts (upstream 008).';
COMMENT ON COLUMN resource_action_traces.cluster_name IS
    'Kubernetes cluster the action ran in, e.g. prod-us-west (upstream 008).';
COMMENT ON COLUMN resource_action_traces.environment IS
    'production, staging, development or test; NULL when unknown (upstream 008).';

-- +goose Down

-- Nothing: these columns belong to the upstream schema (008) and may have existed before this
-- migration ran; dropping them could break Data Storage. On a database this project created,
-- 000001's down drops the whole table.
SELECT 1;
