-- simulate upstream Data Storage 001..008 (three tables only + trigger + view)
CREATE EXTENSION IF NOT EXISTS vector;
CREATE OR REPLACE FUNCTION update_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = NOW(); RETURN NEW; END $$;
CREATE TABLE resource_references (
    id BIGSERIAL PRIMARY KEY, resource_uid VARCHAR(36) NOT NULL UNIQUE, api_version VARCHAR(100) NOT NULL,
    kind VARCHAR(100) NOT NULL, name VARCHAR(253) NOT NULL, namespace VARCHAR(63),
    created_at TIMESTAMPTZ DEFAULT NOW(), deleted_at TIMESTAMPTZ, last_seen TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE(namespace, kind, name));
CREATE INDEX idx_resource_kind ON resource_references (kind);
CREATE INDEX idx_resource_namespace ON resource_references (namespace);
CREATE INDEX idx_resource_last_seen ON resource_references (last_seen);
CREATE INDEX idx_resource_uid ON resource_references (resource_uid);
CREATE TABLE action_histories (
    id BIGSERIAL PRIMARY KEY, resource_id BIGINT NOT NULL REFERENCES resource_references(id) ON DELETE CASCADE,
    max_actions INTEGER DEFAULT 1000, max_age_days INTEGER DEFAULT 30, compaction_strategy VARCHAR(20) DEFAULT 'pattern-aware',
    oscillation_window_minutes INTEGER DEFAULT 120, effectiveness_threshold DECIMAL(3,2) DEFAULT 0.70,
    pattern_min_occurrences INTEGER DEFAULT 3, total_actions INTEGER DEFAULT 0,
    last_action_at TIMESTAMPTZ, last_analysis_at TIMESTAMPTZ, next_analysis_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW(), UNIQUE(resource_id));
CREATE INDEX idx_ah_last_action ON action_histories (last_action_at);
CREATE INDEX idx_ah_next_analysis ON action_histories (next_analysis_at);
CREATE INDEX idx_ah_resource_id ON action_histories (resource_id);
CREATE TRIGGER update_action_histories_updated_at BEFORE UPDATE ON action_histories FOR EACH ROW EXECUTE FUNCTION update_updated_at();
CREATE TABLE resource_action_traces (
    id BIGSERIAL, action_history_id BIGINT NOT NULL REFERENCES action_histories(id) ON DELETE CASCADE,
    action_id VARCHAR(64) NOT NULL, correlation_id VARCHAR(64), action_timestamp TIMESTAMPTZ NOT NULL,
    execution_start_time TIMESTAMPTZ, execution_end_time TIMESTAMPTZ, execution_duration_ms INTEGER,
    alert_name VARCHAR(200) NOT NULL, alert_severity VARCHAR(20) NOT NULL, alert_labels JSONB, alert_annotations JSONB,
    alert_firing_time TIMESTAMPTZ, model_used VARCHAR(100) NOT NULL, routing_tier VARCHAR(20),
    model_confidence DECIMAL(4,3) NOT NULL, model_reasoning TEXT, alternative_actions JSONB,
    action_type VARCHAR(50) NOT NULL, action_parameters JSONB, resource_state_before JSONB, resource_state_after JSONB,
    execution_status VARCHAR(20) DEFAULT 'pending', execution_error TEXT, kubernetes_operations JSONB,
    effectiveness_score DECIMAL(4,3), effectiveness_criteria JSONB, effectiveness_assessed_at TIMESTAMPTZ,
    effectiveness_assessment_method VARCHAR(20), effectiveness_notes TEXT, follow_up_actions JSONB,
    created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW(),
    PRIMARY KEY (id, action_timestamp), UNIQUE (action_id, action_timestamp)
) PARTITION BY RANGE (action_timestamp);
CREATE TABLE resource_action_traces_y2025m07 PARTITION OF resource_action_traces FOR VALUES FROM ('2025-07-01') TO ('2025-08-01');
CREATE TABLE resource_action_traces_y2025m08 PARTITION OF resource_action_traces FOR VALUES FROM ('2025-08-01') TO ('2025-09-01');
CREATE TABLE resource_action_traces_y2025m09 PARTITION OF resource_action_traces FOR VALUES FROM ('2025-09-01') TO ('2025-10-01');
CREATE TABLE resource_action_traces_y2025m10 PARTITION OF resource_action_traces FOR VALUES FROM ('2025-10-01') TO ('2025-11-01');
CREATE INDEX idx_rat_action_history ON resource_action_traces (action_history_id, action_timestamp);
CREATE INDEX idx_rat_action_type ON resource_action_traces (action_type, action_timestamp);
CREATE INDEX idx_rat_model_used ON resource_action_traces (model_used, action_timestamp);
CREATE INDEX idx_rat_alert_name ON resource_action_traces (alert_name, action_timestamp);
CREATE INDEX idx_rat_execution_status ON resource_action_traces (execution_status) WHERE execution_status IN ('pending', 'executing');
CREATE INDEX idx_rat_effectiveness_score ON resource_action_traces (effectiveness_score) WHERE effectiveness_score IS NOT NULL;
CREATE INDEX idx_rat_correlation_id ON resource_action_traces (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX idx_rat_alert_labels_gin ON resource_action_traces USING GIN (alert_labels);
CREATE INDEX idx_rat_action_parameters_gin ON resource_action_traces USING GIN (action_parameters);
CREATE INDEX idx_rat_resource_state_gin ON resource_action_traces USING GIN (resource_state_before);
CREATE VIEW action_history_summary AS
SELECT rr.namespace, rr.kind, rr.name, ah.total_actions, ah.last_action_at, COUNT(rat.id) AS recent_actions_24h
FROM resource_references rr JOIN action_histories ah ON ah.resource_id = rr.id
LEFT JOIN resource_action_traces rat ON rat.action_history_id = ah.id AND rat.action_timestamp > NOW() - INTERVAL '24 hours'
GROUP BY rr.id, rr.namespace, rr.kind, rr.name, ah.total_actions, ah.last_action_at;
CREATE TRIGGER update_resource_action_traces_updated_at BEFORE UPDATE ON resource_action_traces FOR EACH ROW EXECUTE FUNCTION update_updated_at();
-- 003
CREATE INDEX idx_rat_resource_action_time ON resource_action_traces (action_history_id, action_type, action_timestamp DESC);
CREATE INDEX idx_rat_effectiveness_analysis ON resource_action_traces (action_type, effectiveness_score, action_timestamp) WHERE effectiveness_score IS NOT NULL;
-- 004
ALTER TABLE resource_action_traces ADD COLUMN effectiveness_assessment_due TIMESTAMPTZ;
CREATE INDEX idx_rat_effectiveness_due ON resource_action_traces (effectiveness_assessment_due);
-- 008
ALTER TABLE resource_action_traces ADD COLUMN alert_fingerprint VARCHAR(64), ADD COLUMN cluster_name VARCHAR(100), ADD COLUMN environment VARCHAR(20);
ALTER TABLE resource_action_traces ADD CONSTRAINT check_environment_valid CHECK (environment IS NULL OR environment IN ('production','staging','development','test'));
CREATE INDEX idx_rat_alert_fingerprint ON resource_action_traces (alert_fingerprint);
CREATE INDEX idx_rat_cluster_name ON resource_action_traces (cluster_name);
CREATE INDEX idx_rat_environment ON resource_action_traces (environment);
CREATE INDEX idx_rat_context_filters ON resource_action_traces (cluster_name, environment, alert_severity) WHERE cluster_name IS NOT NULL;
-- some existing data
INSERT INTO resource_references (resource_uid, api_version, kind, name, namespace) VALUES ('test-uid-1','apps/v1','Deployment','api','prod');
INSERT INTO action_histories (resource_id) VALUES (1);
INSERT INTO resource_action_traces (action_history_id, action_id, action_timestamp, alert_name, alert_severity, model_used, model_confidence, action_type, execution_status, environment)
VALUES (1, 'test-rr-001', '2025-08-15T10:00:00Z', 'HighMemoryUsage', 'critical', 'gpt-4', 0.9, 'scale_deployment', 'completed', 'production');
