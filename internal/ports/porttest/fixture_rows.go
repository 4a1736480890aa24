package porttest

import (
	"strings"
	"time"
)

// fixtureRows is the fixture table; see Fixture for its shape.
func fixtureRows(now time.Time) []row {
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	const (
		m = time.Minute
		h = time.Hour
		d = 24 * time.Hour
	)
	// seed is one of upstream's 15 traces: created_at = updated_at = NOW(), no error, and
	// action_parameters holding just a description unless written out as JSON (rows 1 and
	// 4, in upstream's key order; PostgreSQL's jsonb hands them back reordered).
	seed := func(r row) row {
		r.created, r.updated = now, now
		if !strings.HasPrefix(r.metadata, "{") {
			r.metadata = `{"description": "` + r.metadata + `"}`
		}
		return r
	}
	return []row{
		seed(row{id: 1, rrid: "test-rr-001", name: "HighMemoryUsage", fingerprint: "fp-001",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Deployment", target: "webapp",
			status: "completed", severity: "critical", actionType: "scale_deployment",
			metadata: `{"description": "Pod memory usage exceeded 90% threshold", "replicas": 5}`,
			start:    ago(2 * h), took: 5 * m, durationMs: ms(300000), embedding: family(FamilyMemory, 0.10, 1)}),
		seed(row{id: 2, rrid: "test-rr-002", name: "PodCrashLoop", fingerprint: "fp-002",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Pod", target: "webapp-7d9f6b",
			status: "completed", severity: "critical", actionType: "restart_pod", metadata: "Pod crash loop detected with exit code 137",
			start: ago(1 * h), took: 5 * m, durationMs: ms(180000), embedding: family(FamilyWorkload, 0.05, 2)}),
		seed(row{id: 3, rrid: "test-rr-003", name: "NodeDiskPressure", fingerprint: "fp-003",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Node", target: "worker-01",
			status: "completed", severity: "warning", actionType: "cleanup_disk", metadata: "Node disk usage exceeded 85% threshold",
			start: ago(30 * m), took: 5 * m, durationMs: ms(120000), embedding: family(FamilyNode, 0.10, 3)}),
		seed(row{id: 4, rrid: "test-rr-004", name: "DeploymentFailure", fingerprint: "fp-004",
			namespace: "production", cluster: "prod-us-west-2", env: "production", kind: "Deployment", target: "api-service",
			status: "failed", severity: "critical", actionType: "rollback_deployment",
			metadata: `{"description": "Deployment rollback failed due to missing previous revision", "error": "revision not found"}`,
			start:    ago(45 * m), took: 5 * m, durationMs: ms(60000), embedding: family(FamilyDeploy, 0.10, 4)}),
		seed(row{id: 5, rrid: "test-rr-005", name: "ServiceUnavailable", fingerprint: "fp-005",
			namespace: "production", cluster: "prod-us-west-2", env: "production", kind: "Service", target: "frontend",
			status: "failed", severity: "critical", actionType: "restart_service", metadata: "Service restart failed due to network connectivity",
			start: ago(20 * m), took: 2 * m, durationMs: ms(45000), embedding: family(FamilyWorkload, 0.30, 5)}),
		seed(row{id: 6, rrid: "test-rr-006", name: "DatabaseConnectionPoolExhaustion", fingerprint: "fp-006",
			namespace: "staging", cluster: "staging-us-east-1", env: "staging", kind: "Deployment", target: "database-proxy",
			status: "completed", severity: "warning", actionType: "scale_deployment", metadata: "Database connection pool reached 95% capacity",
			start: ago(3 * h), took: 10 * m, durationMs: ms(240000), embedding: family(FamilyCapacity, 0.10, 6)}),
		seed(row{id: 7, rrid: "test-rr-007", name: "APIRateLimitExceeded", fingerprint: "fp-007",
			namespace: "staging", cluster: "staging-us-east-1", env: "staging", kind: "ConfigMap", target: "rate-limits",
			status: "completed", severity: "warning", actionType: "adjust_rate_limit", metadata: "API rate limit exceeded 1000 requests per minute",
			start: ago(4 * h), took: 15 * m, durationMs: ms(180000), embedding: family(FamilyCapacity, 0.20, 7)}),
		seed(row{id: 8, rrid: "test-rr-008", name: "ImagePullBackOff", fingerprint: "fp-008",
			namespace: "development", cluster: "dev-local", env: "development", kind: "Secret", target: "registry-creds",
			status: "completed", severity: "info", actionType: "update_image_pull_secret", metadata: "Container image pull failed due to expired credentials",
			start: ago(6 * h), took: 10 * m, durationMs: ms(120000), embedding: family(FamilySecrets, 0.10, 8)}),
		seed(row{id: 9, rrid: "test-rr-009", name: "PrometheusDown", fingerprint: "fp-009",
			namespace: "monitoring", cluster: "prod-us-east-1", env: "production", kind: "Pod", target: "prometheus-0",
			status: "completed", severity: "critical", actionType: "restart_pod", metadata: "Prometheus server unreachable",
			start: ago(12 * h), took: 5 * m, durationMs: ms(150000), embedding: family(FamilyWorkload, 0.15, 9)}),
		seed(row{id: 10, rrid: "test-rr-010", name: "LogstashDown", fingerprint: "fp-010",
			namespace: "logging", cluster: "prod-us-east-1", env: "production", kind: "Pod", target: "logstash-0",
			status: "completed", severity: "warning", actionType: "restart_pod", metadata: "Logstash pipeline stopped processing",
			start: ago(8 * h), took: 5 * m, durationMs: ms(200000), embedding: family(FamilyWorkload, 0.25, 10)}),
		seed(row{id: 11, rrid: "test-rr-011", name: "HighCPUUsage", fingerprint: "fp-011",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Deployment", target: "webapp",
			status: "completed", severity: "warning", actionType: "scale_deployment", metadata: "CPU usage exceeded 80% for 5 minutes",
			start: ago(1 * d), took: 5 * m, durationMs: ms(300000), embedding: family(FamilyCPU, 0.15, 11)}),
		seed(row{id: 12, rrid: "test-rr-012", name: "HighCPUUsage", fingerprint: "fp-012",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Deployment", target: "webapp",
			status: "completed", severity: "warning", actionType: "scale_deployment", metadata: "CPU usage exceeded 80% for 5 minutes",
			start: ago(2 * d), took: 5 * m, durationMs: ms(310000), embedding: family(FamilyCPU, 0.15, 11)}),
		seed(row{id: 13, rrid: "test-rr-013", name: "HighMemoryUsage", fingerprint: "fp-013",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Deployment", target: "webapp",
			status: "completed", severity: "critical", actionType: "scale_deployment", metadata: "Memory usage exceeded 90% threshold",
			start: ago(3 * d), took: 5 * m, durationMs: ms(320000), embedding: family(FamilyMemory, 0.20, 13)}),
		seed(row{id: 14, rrid: "test-rr-014", name: "NodeNotReady", fingerprint: "fp-014",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Node", target: "worker-03",
			status: "executing", severity: "critical", actionType: "cordon_drain_node", metadata: "Node marked NotReady due to network issue",
			start: ago(5 * m), embedding: family(FamilyNode, 0.20, 14)}),
		seed(row{id: 15, rrid: "test-rr-015", name: "PersistentVolumeClaimPending", fingerprint: "fp-015",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "PersistentVolumeClaim", target: "data-volume",
			status: "pending", severity: "warning", actionType: "create_persistent_volume", metadata: "PersistentVolumeClaim in pending state",
			start: ago(2 * m), embedding: family(FamilyStorage, 0.10, 15)}),

		{id: 16, rrid: "test-rr-016", name: "KubeletDown", kind: "Node", target: "worker-05",
			severity: "critical", actionType: "cordon_drain_node", start: ago(8 * d)},
		{id: 17, rrid: "test-rr-017", name: "DeploymentFailure", fingerprint: "fp-004",
			namespace: "production", cluster: "prod-us-west-2", env: "production", kind: "Deployment", target: "api-service",
			status: "rolled-back", severity: "critical", actionType: "rollback_deployment",
			start: ago(10 * d), took: 4 * m, durationMs: ms(240000),
			errorMessage: "rollback timed out after 240s; reverted to revision 41",
			metadata:     `{"revision": 41, "description": "Rollback to revision 41 timed out"}`,
			created:      ago(10*d - 5*m), updated: ago(10*d - 10*m), embedding: family(FamilyDeploy, 0.20, 17)},
		{id: 18, rrid: "test-rr-018", name: "NodeDiskPressure", fingerprint: "fp-003",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Node", target: "worker-01",
			status: "cancelled", severity: "warning", actionType: "cleanup_disk",
			start: ago(9 * d), took: 1 * m, durationMs: ms(60000),
			metadata: `{"description": "Cancelled by operator before eviction"}`,
			created:  ago(9*d - 1*m), updated: ago(9*d - 1*m), embedding: family(FamilyNode, 0.30, 18)},
		{id: 19, rrid: "test-rr-019", name: "HighCPUUsage", fingerprint: "fp-019",
			namespace: "staging", cluster: "staging-us-east-1", env: "staging", kind: "Deployment", target: "database-proxy",
			status: "completed", severity: "warning", actionType: "scale_deployment",
			start: ago(12 * d), took: 3 * m, durationMs: ms(180000),
			metadata: `{"replicas": 3, "description": "CPU usage exceeded 80% for 5 minutes"}`,
			created:  ago(12*d - 3*m), updated: ago(12*d - 3*m), embedding: family(FamilyCPU, 0.25, 19)},
		{id: 20, rrid: "test-rr-020", name: "PodCrashLoop", fingerprint: "fp-020",
			namespace: "test", cluster: "test-cluster", env: "test", kind: "Pod", target: "e2e-runner-0",
			status: "failed", severity: "info", actionType: "restart_pod",
			start: ago(12 * d), took: 1 * m, durationMs: ms(30000),
			errorMessage: "back-off restarting failed container",
			metadata:     `{"description": "Pod crash loop in e2e runner", "restarts": 12}`,
			created:      ago(12*d - 1*m), updated: ago(12*d - 1*m), embedding: family(FamilyWorkload, 0.20, 20)},
		{id: 21, rrid: "test-rr-021", name: "HighMemoryUsage", fingerprint: "fp-021",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Deployment", target: "webapp",
			status: "completed", severity: "critical", actionType: "scale_deployment",
			start: leapDayEnd, took: 5 * m, durationMs: ms(300000),
			metadata: `{"description": "Memory usage exceeded 90% threshold", "replicas": 4}`,
			created:  leapDayEnd, updated: leapDayEnd, embedding: family(FamilyMemory, 0.25, 21)},
		{id: 22, rrid: "test-rr-022", name: "CertificateExpiry", fingerprint: "fp-022",
			namespace: "security", cluster: "prod-eu-west-1", env: "production", kind: "Secret", target: "tls-cert",
			status: "pending", severity: "warning", actionType: "renew_certificate",
			start:    now.Add(400 * d),
			metadata: `{"description": "Certificate renewal scheduled", "not_after": "2027-08-01T00:00:00Z"}`,
			created:  now, updated: now, embedding: family(FamilySecrets, 0.20, 22)},
		{id: 23, rrid: "test-rr-023", name: "HighMemory-🚀", fingerprint: "fp-023",
			namespace: "命名空间", cluster: "prod-ap-east-1", env: "development", kind: "Pod", target: "rocket-0",
			status: "completed", severity: "critical", actionType: "restart_pod",
			start: ago(14 * d), took: 2 * m, durationMs: ms(150000),
			metadata: `{"z": {"b": [1, 2.5, "x", null], "a": "ü"}, "description": "内存使用率超过 90% 🚀", "a": true}`,
			created:  ago(14*d - 2*m), updated: ago(14*d - 2*m), embedding: family(FamilyMemory, 0.30, 23)},
		{id: 24, rrid: "test-rr-024", name: "PodOOMKilled", fingerprint: "fp-024",
			namespace: "production", cluster: "prod-us-east-1", env: "production", kind: "Pod", target: "webapp-7d9f6b",
			status: "executing", severity: "critical", actionType: "increase_memory_limit",
			start:    ago(20 * d),
			metadata: `{"description": "Raise memory limit to 1Gi", "limit": "1Gi"}`,
			created:  ago(20 * d), updated: ago(20 * d), embedding: embeddingSpec{kind: embeddingZero}},
		{id: 25, rrid: "test-rr-017", name: "DeploymentFailure", fingerprint: "fp-004",
			namespace: "production", cluster: "prod-us-west-2", env: "production", kind: "Deployment", target: "api-service",
			status: "failed", severity: "critical", actionType: "rollback_deployment",
			start: ago(10*d + 30*m), took: 2 * m, durationMs: ms(120000),
			errorMessage: "revision 41 not found in rollout history",
			metadata:     `{"description": "First rollback attempt"}`,
			created:      ago(10*d + 28*m), updated: ago(10*d + 28*m), embedding: family(FamilyDeploy, 0.30, 25)},
	}
}

// leapDayEnd is the last microsecond of 29 February 2024: its UTC day must not round up.
var leapDayEnd = time.Date(2024, time.February, 29, 23, 59, 59, 999999000, time.UTC)
