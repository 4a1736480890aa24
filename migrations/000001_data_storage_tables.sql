-- Data Storage tables read by the Context API (docs: docs/schema.md §2-§4, §12).
--
-- Creates resource_references, action_histories and the partitioned resource_action_traces
-- as they stand after upstream Data Storage migrations 001-004, with every key, constraint and
-- index named as upstream names them. Migration 008's columns come in 000002, partitions in
-- 000003, the embedding column in 000004.
--
-- Idempotent, and safe on an existing upstream Data Storage database: every statement is
-- IF NOT EXISTS (or checks the catalog first), so where upstream already created an object
-- with the same name it is left exactly as it is.

-- +goose Up

CREATE TABLE IF NOT EXISTS resource_references (
    id            BIGSERIAL PRIMARY KEY,
    resource_uid  VARCHAR(36)  NOT NULL UNIQUE,
    api_version   VARCHAR(100) NOT NULL,
    kind          VARCHAR(100) NOT NULL,
    name          VARCHAR(253) NOT NULL,
    namespace     VARCHAR(63),                      -- NULL for cluster-scoped kinds
    created_at    TIMESTAMPTZ DEFAULT now(),
    deleted_at    TIMESTAMPTZ,                      -- soft-delete marker
    last_seen     TIMESTAMPTZ DEFAULT now(),
    UNIQUE (namespace, kind, name)
);
CREATE INDEX IF NOT EXISTS idx_resource_kind      ON resource_references (kind);
CREATE INDEX IF NOT EXISTS idx_resource_namespace ON resource_references (namespace);
CREATE INDEX IF NOT EXISTS idx_resource_last_seen ON resource_references (last_seen);
CREATE INDEX IF NOT EXISTS idx_resource_uid       ON resource_references (resource_uid);

-- Exactly one history row per resource (resource_id is UNIQUE); it only bridges rr and rat.
CREATE TABLE IF NOT EXISTS action_histories (
    id                          BIGSERIAL PRIMARY KEY,
    resource_id                 BIGINT NOT NULL UNIQUE
                                REFERENCES resource_references (id) ON DELETE CASCADE,
    max_actions                 INTEGER DEFAULT 1000,
    max_age_days                INTEGER DEFAULT 30,
    compaction_strategy         VARCHAR(20) DEFAULT 'pattern-aware',
    oscillation_window_minutes  INTEGER DEFAULT 120,
    effectiveness_threshold     DECIMAL(3,2) DEFAULT 0.70,
    pattern_min_occurrences     INTEGER DEFAULT 3,
    total_actions               INTEGER DEFAULT 0,
    last_action_at              TIMESTAMPTZ,
    last_analysis_at            TIMESTAMPTZ,
    next_analysis_at            TIMESTAMPTZ,
    created_at                  TIMESTAMPTZ DEFAULT now(),
    updated_at                  TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_ah_last_action   ON action_histories (last_action_at);
CREATE INDEX IF NOT EXISTS idx_ah_next_analysis ON action_histories (next_analysis_at);
CREATE INDEX IF NOT EXISTS idx_ah_resource_id   ON action_histories (resource_id);

-- One row per remediation action (the Context API's "incident"). The primary and unique keys
-- include action_timestamp because a key on a partitioned table must hold the partition key.
CREATE TABLE IF NOT EXISTS resource_action_traces (
    id                     BIGSERIAL,
    action_history_id      BIGINT NOT NULL REFERENCES action_histories (id) ON DELETE CASCADE,
    action_id              VARCHAR(64) NOT NULL,
    correlation_id         VARCHAR(64),
    action_timestamp       TIMESTAMPTZ NOT NULL,
    execution_start_time   TIMESTAMPTZ,
    execution_end_time     TIMESTAMPTZ,
    execution_duration_ms  INTEGER,
    alert_name             VARCHAR(200) NOT NULL,
    alert_severity         VARCHAR(20)  NOT NULL,       -- info, warning, critical (no CHECK)
    alert_labels           JSONB,
    alert_annotations      JSONB,
    alert_firing_time      TIMESTAMPTZ,
    model_used             VARCHAR(100) NOT NULL,
    routing_tier           VARCHAR(20),                 -- route1, route2, route3
    model_confidence       DECIMAL(4,3) NOT NULL,       -- 0.000-1.000
    model_reasoning        TEXT,
    alternative_actions    JSONB,
    action_type            VARCHAR(50) NOT NULL,
    action_parameters      JSONB,
    resource_state_before  JSONB,
    resource_state_after   JSONB,
    execution_status       VARCHAR(20) DEFAULT 'pending', -- pending, executing, completed, failed, rolled-back (no CHECK)
    execution_error        TEXT,
    kubernetes_operations  JSONB,
    effectiveness_score    DECIMAL(4,3),                -- 0.000-1.000
    effectiveness_criteria JSONB,
    effectiveness_assessed_at       TIMESTAMPTZ,
    effectiveness_assessment_method VARCHAR(20),        -- automated, manual, ml-derived
    effectiveness_notes    TEXT,
    follow_up_actions      JSONB,
    created_at             TIMESTAMPTZ DEFAULT now(),
    updated_at             TIMESTAMPTZ DEFAULT now(),
    effectiveness_assessment_due TIMESTAMPTZ,           -- upstream 004
    PRIMARY KEY (id, action_timestamp),
    UNIQUE (action_id, action_timestamp)
) PARTITION BY RANGE (action_timestamp);

-- Upstream 004 added this column to an existing table: do the same for databases that stop at 003.
ALTER TABLE resource_action_traces ADD COLUMN IF NOT EXISTS effectiveness_assessment_due TIMESTAMPTZ;

-- The index set at S1 (upstream 002, 003, 004). Created on the partitioned parent, so every
-- partition, present or future, gets its own copy. Where one is missing (a database at
-- upstream 003 lacks 004's), migrate builds it per partition CONCURRENTLY; where upstream
-- created it, it is left as it is, without taking a lock.
CREATE INDEX IF NOT EXISTS idx_rat_action_history ON resource_action_traces (action_history_id, action_timestamp);
CREATE INDEX IF NOT EXISTS idx_rat_action_type    ON resource_action_traces (action_type, action_timestamp);
CREATE INDEX IF NOT EXISTS idx_rat_model_used     ON resource_action_traces (model_used, action_timestamp);
CREATE INDEX IF NOT EXISTS idx_rat_alert_name     ON resource_action_traces (alert_name, action_timestamp);
CREATE INDEX IF NOT EXISTS idx_rat_execution_status ON resource_action_traces (execution_status)
    WHERE execution_status IN ('pending', 'executing');
CREATE INDEX IF NOT EXISTS idx_rat_effectiveness_score ON resource_action_traces (effectiveness_score)
    WHERE effectiveness_score IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_rat_correlation_id ON resource_action_traces (correlation_id)
    WHERE correlation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_rat_alert_labels_gin      ON resource_action_traces USING gin (alert_labels);
CREATE INDEX IF NOT EXISTS idx_rat_action_parameters_gin ON resource_action_traces USING gin (action_parameters);
CREATE INDEX IF NOT EXISTS idx_rat_resource_state_gin    ON resource_action_traces USING gin (resource_state_before);
CREATE INDEX IF NOT EXISTS idx_rat_resource_action_time
    ON resource_action_traces (action_history_id, action_type, action_timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_rat_effectiveness_analysis
    ON resource_action_traces (action_type, effectiveness_score, action_timestamp)
    WHERE effectiveness_score IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_rat_effectiveness_due ON resource_action_traces (effectiveness_assessment_due);

-- updated_at maintenance, as upstream does with BEFORE UPDATE triggers. The service never
-- updates rows; this keeps seeds and writers honest. Upstream databases already have these
-- triggers (same names, upstream's own function): they are left alone.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contextapi_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger
                    WHERE tgrelid = 'action_histories'::regclass
                      AND tgname = 'update_action_histories_updated_at') THEN
        CREATE TRIGGER update_action_histories_updated_at
            BEFORE UPDATE ON action_histories
            FOR EACH ROW EXECUTE FUNCTION contextapi_set_updated_at();
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger
                    WHERE tgrelid = 'resource_action_traces'::regclass
                      AND tgname = 'update_resource_action_traces_updated_at') THEN
        CREATE TRIGGER update_resource_action_traces_updated_at
            BEFORE UPDATE ON resource_action_traces
            FOR EACH ROW EXECUTE FUNCTION contextapi_set_updated_at();
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down

-- Drops the three tables and their data. No CASCADE on purpose: on an upstream Data Storage
-- database other objects (views, other tables' foreign keys) depend on these tables, and this
-- down migration then fails instead of destroying them.
DROP TABLE IF EXISTS resource_action_traces;
DROP TABLE IF EXISTS action_histories;
DROP TABLE IF EXISTS resource_references;
DROP FUNCTION IF EXISTS contextapi_set_updated_at();
