-- Upstream's integration seed (kubernaut test/integration/contextapi/init-db.sql at S1),
-- restated for the Data Storage schema as our migrations create it
-- (docs: docs/scenarios.md §1). Plain SQL; run it as ONE multi-statement string
-- (pgx Exec without arguments, or psql -1 -f): the statements then share one transaction,
-- hence one NOW(), and the check block at the end rolls everything back on failure.
--
-- Same rows and values as upstream: 12 resources (test-uid-001..012), one action history
-- each, 15 traces (test-rr-001..015; ids ascend in that order), every timestamp relative to
-- NOW(). Differences from upstream, all deliberate:
--   * embeddings are deterministic instead of 384 × random() (see below);
--   * offsets of a day or more are written in hours ('24 hours', not '1 day'):
--     timestamptz − '1 day' follows the session time zone's DST rules, so it is not always
--     24 h; in hours the rows sit exactly 24/48/72 h before NOW() whatever the TimeZone;
--   * the check block demands exactly 12 / 15 / 15 test rows (upstream: at least) and also
--     checks the id order and the similarity layout of the embeddings.
-- Prerequisite (upstream left it implicit): resource_action_traces has a partition covering
-- the last 3 days; our migrations add a DEFAULT partition, so it always has.
--
-- Embeddings. e_k is the 384-vector e_k[i] = cos(2π·k·(i−1)/384), i = 1..384. For
-- 1 ≤ j ≠ k ≤ 191 these are orthogonal with equal norms, so the cosine similarity of two
-- combinations of them is the dot product of their (normalised) coefficient vectors.
-- Three shared directions stand for three kinds of trouble:
--   R = e_1  resource pressure fixed by scaling out (the reference vector of scenario 03)
--   P = e_2  pods and services restarted
--   N = e_3  node and storage trouble
-- and every trace has a direction of its own, e_(10+n) for test-rr-n (e_11..e_25):
--   embedding = r·R + p·P + q·N + sqrt(1 − r² − p² − q²)·e_(10+n)     (unit coefficients)
-- so its cosine similarity to R is exactly r, to another trace the dot product of their
-- (r, p, q) — never 1, since own directions differ — and to e_k for k ∉ {1, 2, 3, 11..25}
-- (e.g. e_100) exactly 0.
--
--   trace  r (cos to R)  p     q     group
--   001    0.998                     near R  (the five scale_deployment traces)
--   013    0.996                     near R
--   011    0.993                     near R
--   012    0.988                     near R
--   006    0.982                     near R
--   004    0.45                      far: cos to R < 0.5 for all ten below
--   005    0.30          0.50
--   007    0.20
--   002    0             0.99        P
--   009    0             0.985       P
--   010    0             0.98        P
--   003    0                   0.97  N
--   014    0                   0.96  N
--   015    0                   0.95  N
--   008   −0.20
--
-- Searching R therefore returns, by threshold: ≥ 0.995 → 001, 013; ≥ 0.99 → + 011;
-- ≥ 0.5 (up to 0.98) → the five near traces 001, 013, 011, 012, 006, in that order;
-- ≥ 0.4 → + 004; ≥ 0.25 → + 005; ≥ 0.1 → + 007. No threshold is closer than 0.001 to a value
-- (0.995 against 013's 0.996 is the closest).

-- 1. Earlier test rows, children first (re-runnable; other rows are left alone).
DELETE FROM resource_action_traces WHERE action_id LIKE 'test-rr-%';
DELETE FROM action_histories
 WHERE resource_id IN (SELECT id FROM resource_references WHERE resource_uid LIKE 'test-uid-%');
DELETE FROM resource_references WHERE resource_uid LIKE 'test-uid-%';

-- 2. Resources (nodes keep upstream's namespace although they are cluster-scoped).
INSERT INTO resource_references (resource_uid, api_version, kind, name, namespace, created_at, last_seen) VALUES
    ('test-uid-001', 'apps/v1', 'Deployment',            'webapp',         'production',  NOW(), NOW()),
    ('test-uid-002', 'v1',      'Pod',                   'webapp-7d9f6b',  'production',  NOW(), NOW()),
    ('test-uid-003', 'v1',      'Node',                  'worker-01',      'production',  NOW(), NOW()),
    ('test-uid-004', 'apps/v1', 'Deployment',            'api-service',    'production',  NOW(), NOW()),
    ('test-uid-005', 'v1',      'Service',               'frontend',       'production',  NOW(), NOW()),
    ('test-uid-006', 'apps/v1', 'Deployment',            'database-proxy', 'staging',     NOW(), NOW()),
    ('test-uid-007', 'v1',      'ConfigMap',             'rate-limits',    'staging',     NOW(), NOW()),
    ('test-uid-008', 'v1',      'Secret',                'registry-creds', 'development', NOW(), NOW()),
    ('test-uid-009', 'v1',      'Pod',                   'prometheus-0',   'monitoring',  NOW(), NOW()),
    ('test-uid-010', 'v1',      'Pod',                   'logstash-0',     'logging',     NOW(), NOW()),
    ('test-uid-011', 'v1',      'Node',                  'worker-03',      'production',  NOW(), NOW()),
    ('test-uid-012', 'v1',      'PersistentVolumeClaim', 'data-volume',    'production',  NOW(), NOW());

-- 3. One action history per test resource; other columns keep their defaults.
INSERT INTO action_histories (resource_id, max_actions, max_age_days, total_actions, last_action_at, created_at, updated_at)
SELECT id, 1000, 30, 1, NOW(), NOW(), NOW()
  FROM resource_references
 WHERE resource_uid LIKE 'test-uid-%'
 ORDER BY resource_uid;

-- 4. The 15 traces, in one statement. Columns of v: the resource, then each trace column
-- in table order (times as "NOW() minus"), then the embedding coefficients (r, p, q) and
-- the own direction k. ORDER BY v.action_id makes the ids ascend in action_id order
-- (nextval is volatile, so PostgreSQL evaluates it after the sort; the check block
-- verifies it). Not set, so NULL or default: correlation_id, alert labels/annotations,
-- routing_tier, model_reasoning, alternative_actions, resource states, execution_error
-- (NULL on every row, the failed ones included), kubernetes_operations, every
-- effectiveness column, follow_up_actions.
INSERT INTO resource_action_traces (
    action_history_id, action_id, action_timestamp,
    execution_start_time, execution_end_time, execution_duration_ms,
    alert_name, alert_severity, alert_fingerprint, alert_firing_time,
    model_used, model_confidence, action_type, action_parameters,
    execution_status, cluster_name, environment, embedding, created_at, updated_at)
SELECT ah.id, v.action_id, NOW() - v.ts_ago,
       NOW() - v.start_ago, NOW() - v.end_ago, v.duration_ms,
       v.alert_name, v.severity, v.fingerprint, NOW() - v.firing_ago,
       v.model, v.confidence, v.action_type, v.parameters::jsonb,
       v.status, v.cluster, v.environment,
       (SELECT array_agg(
                   v.r * cos(2 * pi() * 1 * (g.i - 1) / 384)
                 + v.p * cos(2 * pi() * 2 * (g.i - 1) / 384)
                 + v.q * cos(2 * pi() * 3 * (g.i - 1) / 384)
                 + sqrt(1 - v.r ^ 2 - v.p ^ 2 - v.q ^ 2) * cos(2 * pi() * v.k * (g.i - 1) / 384)
                 ORDER BY g.i)
          FROM generate_series(1, 384) AS g(i))::vector(384),
       NOW(), NOW()
  FROM (VALUES
    ('test-uid-001', 'test-rr-001', interval '2 hours',    interval '2 hours',    interval '1 hour 55 minutes',  300000,
     'HighMemoryUsage', 'critical', 'fp-001', interval '2 hours 5 minutes', 'gpt-4', 0.95, 'scale_deployment',
     '{"description": "Pod memory usage exceeded 90% threshold", "replicas": 5}',
     'completed', 'prod-us-east-1', 'production', 0.998::float8, 0::float8, 0::float8, 11),
    ('test-uid-002', 'test-rr-002', interval '1 hour',     interval '1 hour',     interval '55 minutes',         180000,
     'PodCrashLoop', 'critical', 'fp-002', interval '1 hour 5 minutes', 'gpt-4', 0.92, 'restart_pod',
     '{"description": "Pod crash loop detected with exit code 137"}',
     'completed', 'prod-us-east-1', 'production', 0, 0.99, 0, 12),
    ('test-uid-003', 'test-rr-003', interval '30 minutes', interval '30 minutes', interval '25 minutes',         120000,
     'NodeDiskPressure', 'warning', 'fp-003', interval '35 minutes', 'gpt-3.5-turbo', 0.88, 'cleanup_disk',
     '{"description": "Node disk usage exceeded 85% threshold"}',
     'completed', 'prod-us-east-1', 'production', 0, 0, 0.97, 13),
    ('test-uid-004', 'test-rr-004', interval '45 minutes', interval '45 minutes', interval '40 minutes',         60000,
     'DeploymentFailure', 'critical', 'fp-004', interval '50 minutes', 'gpt-4', 0.85, 'rollback_deployment',
     '{"description": "Deployment rollback failed due to missing previous revision", "error": "revision not found"}',
     'failed', 'prod-us-west-2', 'production', 0.45, 0, 0, 14),
    ('test-uid-005', 'test-rr-005', interval '20 minutes', interval '20 minutes', interval '18 minutes',         45000,
     'ServiceUnavailable', 'critical', 'fp-005', interval '25 minutes', 'gpt-4', 0.90, 'restart_service',
     '{"description": "Service restart failed due to network connectivity"}',
     'failed', 'prod-us-west-2', 'production', 0.30, 0.50, 0, 15),
    ('test-uid-006', 'test-rr-006', interval '3 hours',    interval '3 hours',    interval '2 hours 50 minutes', 240000,
     'DatabaseConnectionPoolExhaustion', 'warning', 'fp-006', interval '3 hours 5 minutes', 'gpt-3.5-turbo', 0.87, 'scale_deployment',
     '{"description": "Database connection pool reached 95% capacity"}',
     'completed', 'staging-us-east-1', 'staging', 0.982, 0, 0, 16),
    ('test-uid-007', 'test-rr-007', interval '4 hours',    interval '4 hours',    interval '3 hours 45 minutes', 180000,
     'APIRateLimitExceeded', 'warning', 'fp-007', interval '4 hours 5 minutes', 'gpt-3.5-turbo', 0.85, 'adjust_rate_limit',
     '{"description": "API rate limit exceeded 1000 requests per minute"}',
     'completed', 'staging-us-east-1', 'staging', 0.20, 0, 0, 17),
    ('test-uid-008', 'test-rr-008', interval '6 hours',    interval '6 hours',    interval '5 hours 50 minutes', 120000,
     'ImagePullBackOff', 'info', 'fp-008', interval '6 hours 5 minutes', 'gpt-3.5-turbo', 0.80, 'update_image_pull_secret',
     '{"description": "Container image pull failed due to expired credentials"}',
     'completed', 'dev-local', 'development', -0.20, 0, 0, 18),
    ('test-uid-009', 'test-rr-009', interval '12 hours',   interval '12 hours',   interval '11 hours 55 minutes', 150000,
     'PrometheusDown', 'critical', 'fp-009', interval '12 hours 5 minutes', 'gpt-4', 0.93, 'restart_pod',
     '{"description": "Prometheus server unreachable"}',
     'completed', 'prod-us-east-1', 'production', 0, 0.985, 0, 19),
    ('test-uid-010', 'test-rr-010', interval '8 hours',    interval '8 hours',    interval '7 hours 55 minutes', 200000,
     'LogstashDown', 'warning', 'fp-010', interval '8 hours 5 minutes', 'gpt-3.5-turbo', 0.86, 'restart_pod',
     '{"description": "Logstash pipeline stopped processing"}',
     'completed', 'prod-us-east-1', 'production', 0, 0.98, 0, 20),
    ('test-uid-001', 'test-rr-011', interval '24 hours',   interval '24 hours',   interval '23 hours 55 minutes', 300000,
     'HighCPUUsage', 'warning', 'fp-011', interval '24 hours 5 minutes', 'gpt-3.5-turbo', 0.84, 'scale_deployment',
     '{"description": "CPU usage exceeded 80% for 5 minutes"}',
     'completed', 'prod-us-east-1', 'production', 0.993, 0, 0, 21),
    ('test-uid-001', 'test-rr-012', interval '48 hours',   interval '48 hours',   interval '47 hours 55 minutes', 310000,
     'HighCPUUsage', 'warning', 'fp-012', interval '48 hours 5 minutes', 'gpt-3.5-turbo', 0.86, 'scale_deployment',
     '{"description": "CPU usage exceeded 80% for 5 minutes"}',
     'completed', 'prod-us-east-1', 'production', 0.988, 0, 0, 22),
    ('test-uid-001', 'test-rr-013', interval '72 hours',   interval '72 hours',   interval '71 hours 55 minutes', 320000,
     'HighMemoryUsage', 'critical', 'fp-013', interval '72 hours 5 minutes', 'gpt-4', 0.94, 'scale_deployment',
     '{"description": "Memory usage exceeded 90% threshold"}',
     'completed', 'prod-us-east-1', 'production', 0.996, 0, 0, 23),
    ('test-uid-011', 'test-rr-014', interval '5 minutes',  interval '5 minutes',  NULL,                          NULL,
     'NodeNotReady', 'critical', 'fp-014', interval '10 minutes', 'gpt-4', 0.91, 'cordon_drain_node',
     '{"description": "Node marked NotReady due to network issue"}',
     'executing', 'prod-us-east-1', 'production', 0, 0, 0.96, 24),
    ('test-uid-012', 'test-rr-015', interval '2 minutes',  NULL,                  NULL,                          NULL,
     'PersistentVolumeClaimPending', 'warning', 'fp-015', interval '5 minutes', 'gpt-3.5-turbo', 0.82, 'create_persistent_volume',
     '{"description": "PersistentVolumeClaim in pending state"}',
     'pending', 'prod-us-east-1', 'production', 0, 0, 0.95, 25)
  ) AS v (resource_uid, action_id, ts_ago, start_ago, end_ago, duration_ms,
          alert_name, severity, fingerprint, firing_ago, model, confidence, action_type,
          parameters, status, cluster, environment, r, p, q, k)
  JOIN resource_references AS rr ON rr.resource_uid = v.resource_uid
  JOIN action_histories AS ah ON ah.resource_id = rr.id
 ORDER BY v.action_id;

-- 5. Check: exact counts, id order, the embedding layout; then a per-namespace summary.
DO $$
DECLARE
    n_resources  bigint;
    n_histories  bigint;
    n_traces     bigint;
    n_embedded   bigint;
    n_misordered bigint;
    n_near       bigint;
    n_far        bigint;
    summary      record;
BEGIN
    SELECT count(*) INTO n_resources FROM resource_references WHERE resource_uid LIKE 'test-uid-%';
    SELECT count(*) INTO n_histories
      FROM action_histories ah JOIN resource_references rr ON rr.id = ah.resource_id
     WHERE rr.resource_uid LIKE 'test-uid-%';
    SELECT count(*), count(embedding) INTO n_traces, n_embedded
      FROM resource_action_traces WHERE action_id LIKE 'test-rr-%';
    IF n_resources <> 12 OR n_histories <> 12 OR n_traces <> 15 OR n_embedded <> 15 THEN
        RAISE EXCEPTION 'seed_upstream: want 12 resources, 12 histories, 15 traces, 15 embeddings; got %, %, %, %',
            n_resources, n_histories, n_traces, n_embedded;
    END IF;

    SELECT count(*) INTO n_misordered FROM (
        SELECT action_id, row_number() OVER (ORDER BY id) AS by_id, row_number() OVER (ORDER BY action_id) AS by_action
          FROM resource_action_traces WHERE action_id LIKE 'test-rr-%') o
     WHERE by_id <> by_action;
    IF n_misordered <> 0 THEN
        RAISE EXCEPTION 'seed_upstream: trace ids do not ascend in action_id order (% out of place)', n_misordered;
    END IF;

    -- Cosine similarity to R = e_1: ≥ 0.98 for the five near traces, < 0.5 for the rest.
    WITH ref AS (
        SELECT (SELECT array_agg(cos(2 * pi() * (i - 1) / 384) ORDER BY i) FROM generate_series(1, 384) i)::vector(384) AS r
    ), sim AS (
        SELECT rat.action_id, 1 - (rat.embedding <=> ref.r) AS s
          FROM resource_action_traces rat, ref WHERE rat.action_id LIKE 'test-rr-%'
    )
    SELECT count(*) FILTER (WHERE action_id IN ('test-rr-001', 'test-rr-006', 'test-rr-011', 'test-rr-012', 'test-rr-013') AND s >= 0.98),
           count(*) FILTER (WHERE action_id NOT IN ('test-rr-001', 'test-rr-006', 'test-rr-011', 'test-rr-012', 'test-rr-013') AND s < 0.5)
      INTO n_near, n_far FROM sim;
    IF n_near <> 5 OR n_far <> 10 THEN
        RAISE EXCEPTION 'seed_upstream: embedding layout broken: % of 5 near R, % of 10 far from R', n_near, n_far;
    END IF;

    FOR summary IN
        SELECT rr.namespace,
               count(*) AS incidents,
               count(*) FILTER (WHERE rat.execution_status = 'completed') AS completed,
               count(*) FILTER (WHERE rat.execution_status = 'failed') AS failed,
               count(*) FILTER (WHERE rat.execution_status = 'executing') AS executing,
               count(*) FILTER (WHERE rat.execution_status = 'pending') AS pending
          FROM resource_action_traces rat
          JOIN action_histories ah ON ah.id = rat.action_history_id
          JOIN resource_references rr ON rr.id = ah.resource_id
         WHERE rat.action_id LIKE 'test-rr-%'
         GROUP BY rr.namespace
         ORDER BY count(*) DESC, rr.namespace
    LOOP
        RAISE NOTICE 'seed_upstream: % — % incidents (% completed, % failed, % executing, % pending)',
            summary.namespace, summary.incidents, summary.completed, summary.failed, summary.executing, summary.pending;
    END LOOP;
END
$$;
