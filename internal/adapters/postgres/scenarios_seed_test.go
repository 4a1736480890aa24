package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// seedResource is one row of docs/scenarios.md §1.2: test-uid-NNN.
type seedResource struct {
	apiVersion, kind, name, namespace string
}

// seedResources is docs/scenarios.md §1.2, indexed by uid number.
var seedResources = map[int]seedResource{
	1:  {"apps/v1", "Deployment", "webapp", "production"},
	2:  {"v1", "Pod", "webapp-7d9f6b", "production"},
	3:  {"v1", "Node", "worker-01", "production"},
	4:  {"apps/v1", "Deployment", "api-service", "production"},
	5:  {"v1", "Service", "frontend", "production"},
	6:  {"apps/v1", "Deployment", "database-proxy", "staging"},
	7:  {"v1", "ConfigMap", "rate-limits", "staging"},
	8:  {"v1", "Secret", "registry-creds", "development"},
	9:  {"v1", "Pod", "prometheus-0", "monitoring"},
	10: {"v1", "Pod", "logstash-0", "logging"},
	11: {"v1", "Node", "worker-03", "production"},
	12: {"v1", "PersistentVolumeClaim", "data-volume", "production"},
}

// seedTrace is one row of docs/scenarios.md §1.3: test-rr-NNN. Times are "seed NOW() minus";
// nil pointers are NULL columns.
type seedTrace struct {
	n, uid            int
	ago               time.Duration // action_timestamp
	start, end        *time.Duration
	durationMs        *int64
	alert, severity   string
	firing            time.Duration
	model, confidence string
	action            string
	metadata          string // action_parameters as jsonb renders it
	status            string
	cluster, env      string
}

func seedPtr[T any](v T) *T { return &v }

const (
	seedHour   = time.Hour
	seedMinute = time.Minute
)

// seedTraces is docs/scenarios.md §1.3 in table (and id) order.
var seedTraces = []seedTrace{
	{1, 1, 2 * seedHour, seedPtr(2 * seedHour), seedPtr(seedHour + 55*seedMinute), seedPtr[int64](300000), "HighMemoryUsage", "critical", 2*seedHour + 5*seedMinute, "gpt-4", "0.950", "scale_deployment",
		`{"replicas": 5, "description": "Pod memory usage exceeded 90% threshold"}`, "completed", "prod-us-east-1", "production"},
	{2, 2, seedHour, seedPtr(seedHour), seedPtr(55 * seedMinute), seedPtr[int64](180000), "PodCrashLoop", "critical", seedHour + 5*seedMinute, "gpt-4", "0.920", "restart_pod",
		`{"description": "Pod crash loop detected with exit code 137"}`, "completed", "prod-us-east-1", "production"},
	{3, 3, 30 * seedMinute, seedPtr(30 * seedMinute), seedPtr(25 * seedMinute), seedPtr[int64](120000), "NodeDiskPressure", "warning", 35 * seedMinute, "gpt-3.5-turbo", "0.880", "cleanup_disk",
		`{"description": "Node disk usage exceeded 85% threshold"}`, "completed", "prod-us-east-1", "production"},
	{4, 4, 45 * seedMinute, seedPtr(45 * seedMinute), seedPtr(40 * seedMinute), seedPtr[int64](60000), "DeploymentFailure", "critical", 50 * seedMinute, "gpt-4", "0.850", "rollback_deployment",
		`{"error": "revision not found", "description": "Deployment rollback failed due to missing previous revision"}`, "failed", "prod-us-west-2", "production"},
	{5, 5, 20 * seedMinute, seedPtr(20 * seedMinute), seedPtr(18 * seedMinute), seedPtr[int64](45000), "ServiceUnavailable", "critical", 25 * seedMinute, "gpt-4", "0.900", "restart_service",
		`{"description": "Service restart failed due to network connectivity"}`, "failed", "prod-us-west-2", "production"},
	{6, 6, 3 * seedHour, seedPtr(3 * seedHour), seedPtr(2*seedHour + 50*seedMinute), seedPtr[int64](240000), "DatabaseConnectionPoolExhaustion", "warning", 3*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.870", "scale_deployment",
		`{"description": "Database connection pool reached 95% capacity"}`, "completed", "staging-us-east-1", "staging"},
	{7, 7, 4 * seedHour, seedPtr(4 * seedHour), seedPtr(3*seedHour + 45*seedMinute), seedPtr[int64](180000), "APIRateLimitExceeded", "warning", 4*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.850", "adjust_rate_limit",
		`{"description": "API rate limit exceeded 1000 requests per minute"}`, "completed", "staging-us-east-1", "staging"},
	{8, 8, 6 * seedHour, seedPtr(6 * seedHour), seedPtr(5*seedHour + 50*seedMinute), seedPtr[int64](120000), "ImagePullBackOff", "info", 6*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.800", "update_image_pull_secret",
		`{"description": "Container image pull failed due to expired credentials"}`, "completed", "dev-local", "development"},
	{9, 9, 12 * seedHour, seedPtr(12 * seedHour), seedPtr(11*seedHour + 55*seedMinute), seedPtr[int64](150000), "PrometheusDown", "critical", 12*seedHour + 5*seedMinute, "gpt-4", "0.930", "restart_pod",
		`{"description": "Prometheus server unreachable"}`, "completed", "prod-us-east-1", "production"},
	{10, 10, 8 * seedHour, seedPtr(8 * seedHour), seedPtr(7*seedHour + 55*seedMinute), seedPtr[int64](200000), "LogstashDown", "warning", 8*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.860", "restart_pod",
		`{"description": "Logstash pipeline stopped processing"}`, "completed", "prod-us-east-1", "production"},
	{11, 1, 24 * seedHour, seedPtr(24 * seedHour), seedPtr(24*seedHour - 5*seedMinute), seedPtr[int64](300000), "HighCPUUsage", "warning", 24*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.840", "scale_deployment",
		`{"description": "CPU usage exceeded 80% for 5 minutes"}`, "completed", "prod-us-east-1", "production"},
	{12, 1, 48 * seedHour, seedPtr(48 * seedHour), seedPtr(48*seedHour - 5*seedMinute), seedPtr[int64](310000), "HighCPUUsage", "warning", 48*seedHour + 5*seedMinute, "gpt-3.5-turbo", "0.860", "scale_deployment",
		`{"description": "CPU usage exceeded 80% for 5 minutes"}`, "completed", "prod-us-east-1", "production"},
	{13, 1, 72 * seedHour, seedPtr(72 * seedHour), seedPtr(72*seedHour - 5*seedMinute), seedPtr[int64](320000), "HighMemoryUsage", "critical", 72*seedHour + 5*seedMinute, "gpt-4", "0.940", "scale_deployment",
		`{"description": "Memory usage exceeded 90% threshold"}`, "completed", "prod-us-east-1", "production"},
	{14, 11, 5 * seedMinute, seedPtr(5 * seedMinute), nil, nil, "NodeNotReady", "critical", 10 * seedMinute, "gpt-4", "0.910", "cordon_drain_node",
		`{"description": "Node marked NotReady due to network issue"}`, "executing", "prod-us-east-1", "production"},
	{15, 12, 2 * seedMinute, nil, nil, nil, "PersistentVolumeClaimPending", "warning", 5 * seedMinute, "gpt-3.5-turbo", "0.820", "create_persistent_volume",
		`{"description": "PersistentVolumeClaim in pending state"}`, "pending", "prod-us-east-1", "production"},
}

// seedBefore returns now − *ago, or nil for a NULL column.
func seedBefore(now time.Time, ago *time.Duration) *time.Time {
	if ago == nil {
		return nil
	}
	return seedPtr(now.Add(-*ago))
}

// incident is the IncidentEvent the repository must serve for the trace, given the seed's
// NOW() and the trace's id.
func (s seedTrace) incident(now time.Time, id int64) domain.IncidentEvent {
	res := seedResources[s.uid]
	return domain.IncidentEvent{
		ID:                   id,
		Name:                 s.alert,
		AlertFingerprint:     seedPtr(fmt.Sprintf("fp-%03d", s.n)),
		RemediationRequestID: rr(s.n)[0],
		Namespace:            seedPtr(res.namespace),
		ClusterName:          seedPtr(s.cluster),
		Environment:          seedPtr(s.env),
		TargetResource:       res.kind,
		TargetName:           res.name,
		Status:               seedPtr(s.status),
		Severity:             s.severity,
		ActionType:           s.action,
		StartTime:            now.Add(-s.ago),
		EndTime:              seedBefore(now, s.end),
		DurationMs:           s.durationMs,
		Metadata:             json.RawMessage(s.metadata),
		CreatedAt:            seedPtr(now),
		UpdatedAt:            seedPtr(now),
	}
}

// The seed holds exactly the rows of docs/scenarios.md §1.2–§1.3: every served field of every
// trace, in id order with ids 1..15 (a fresh database), and every column the API does not
// serve (start, firing time, model, confidence, the NULL columns, resources, histories).
func TestUpstreamSeedMatchesTheSpec(t *testing.T) {
	seed := openUpstreamSeed(t)
	page, _, err := seed.repo.List(t.Context(), domain.ListQuery{Limit: 100})
	require.NoError(t, err)
	require.Equal(t, int64(15), page.Total)
	byID := map[string]domain.IncidentEvent{}
	for _, e := range page.Incidents {
		byID[e.RemediationRequestID] = e
	}
	for i, tr := range seedTraces {
		want := tr.incident(seed.now, int64(i+1))
		assert.Equal(t, want, byID[want.RemediationRequestID], want.RemediationRequestID)
	}

	conn, err := pgx.Connect(t.Context(), seed.dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	t.Run("traces, unserved columns", func(t *testing.T) {
		rows, err := conn.Query(t.Context(), `
			SELECT action_id, execution_start_time, alert_firing_time, model_used, model_confidence::text,
			       num_nonnulls(correlation_id, alert_labels, alert_annotations, routing_tier, model_reasoning,
			           alternative_actions, resource_state_before, resource_state_after, execution_error,
			           kubernetes_operations, effectiveness_score, effectiveness_criteria, effectiveness_assessed_at,
			           effectiveness_assessment_method, effectiveness_notes, follow_up_actions,
			           effectiveness_assessment_due),
			       vector_dims(embedding)
			  FROM resource_action_traces ORDER BY id`)
		require.NoError(t, err)
		defer rows.Close()
		i := 0
		for ; rows.Next(); i++ {
			var (
				actionID, model, confidence string
				start                       *time.Time
				firing                      time.Time
				nonNulls, dims              int
			)
			require.NoError(t, rows.Scan(&actionID, &start, &firing, &model, &confidence, &nonNulls, &dims))
			require.Less(t, i, len(seedTraces))
			tr := seedTraces[i]
			assert.Equal(t, rr(tr.n)[0], actionID)
			assert.Equal(t, seedBefore(seed.now, tr.start), utc(start), actionID)
			assert.Equal(t, seed.now.Add(-tr.firing), firing.UTC(), actionID)
			assert.Equal(t, tr.model, model, actionID)
			assert.Equal(t, tr.confidence, confidence, actionID)
			assert.Zero(t, nonNulls, "%s: columns the seed does not set are NULL, execution_error included", actionID)
			assert.Equal(t, domain.EmbeddingDimensions, dims, actionID)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, len(seedTraces), i)
	})
	t.Run("resources and histories", func(t *testing.T) {
		rows, err := conn.Query(t.Context(), `
			SELECT rr.resource_uid, rr.api_version, rr.kind, rr.name, rr.namespace,
			       rr.created_at = $1 AND rr.last_seen = $1 AND rr.deleted_at IS NULL,
			       ah.max_actions, ah.max_age_days, ah.total_actions,
			       ah.last_action_at = $1 AND ah.created_at = $1 AND ah.updated_at = $1,
			       ah.compaction_strategy, ah.oscillation_window_minutes, ah.effectiveness_threshold::text,
			       ah.pattern_min_occurrences, ah.last_analysis_at IS NULL AND ah.next_analysis_at IS NULL
			  FROM resource_references rr JOIN action_histories ah ON ah.resource_id = rr.id
			 ORDER BY rr.resource_uid`, seed.now)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
			var (
				uid, apiVersion, kind, name, namespace, compaction, threshold string
				resourceTimes, historyTimes, analysisNull                     bool
				maxActions, maxAge, total, window, minOccurrences             int
			)
			require.NoError(t, rows.Scan(&uid, &apiVersion, &kind, &name, &namespace, &resourceTimes,
				&maxActions, &maxAge, &total, &historyTimes, &compaction, &window, &threshold, &minOccurrences, &analysisNull))
			assert.Equal(t, fmt.Sprintf("test-uid-%03d", n), uid)
			want := seedResources[n]
			assert.Equal(t, want, seedResource{apiVersion, kind, name, namespace}, uid)
			assert.True(t, resourceTimes, "%s: created_at = last_seen = NOW(), not deleted", uid)
			assert.Equal(t, []int{1000, 30, 1}, []int{maxActions, maxAge, total}, uid)
			assert.True(t, historyTimes, "%s: history last_action_at = created_at = updated_at = NOW()", uid)
			assert.Equal(t, []any{"pattern-aware", 120, "0.70", 3, true},
				[]any{compaction, window, threshold, minOccurrences, analysisNull}, "%s: other history columns default", uid)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, len(seedResources), n, "one history per resource")
	})
}

// The seed is re-runnable: a second run replaces the test rows (new ids, still ascending
// in action_id order) and leaves every other row alone.
func TestUpstreamSeedIsRerunnable(t *testing.T) {
	seed := openUpstreamSeed(t)
	execScript(t, seed.dsn, `
		INSERT INTO resource_references (resource_uid, api_version, kind, name, namespace) VALUES ('other-uid', 'v1', 'Pod', 'other', 'other');
		INSERT INTO action_histories (resource_id) SELECT id FROM resource_references WHERE resource_uid = 'other-uid';
		INSERT INTO resource_action_traces (action_history_id, action_id, action_timestamp, alert_name, alert_severity,
			model_used, model_confidence, action_type)
		SELECT ah.id, 'other-rr', now(), 'Other', 'info', 'gpt-4', 0.5, 'restart_pod'
		  FROM action_histories ah JOIN resource_references rr ON rr.id = ah.resource_id WHERE rr.resource_uid = 'other-uid'`)

	runUpstreamSeed(t, seed.dsn)

	page, _, err := seed.repo.List(t.Context(), domain.ListQuery{Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, int64(16), page.Total, "15 test traces and the other one")
	test := map[string]int64{}
	for _, e := range page.Incidents {
		test[e.RemediationRequestID] = e.ID
	}
	assert.Contains(t, test, "other-rr")
	for i, tr := range seedTraces {
		id := rr(tr.n)[0]
		require.Contains(t, test, id)
		assert.Equal(t, int64(16+i+1), test[id], "%s: the rerun's ids follow the first run's 15 and the other row", id)
	}
}
