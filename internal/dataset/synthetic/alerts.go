package synthetic

// families group alerts whose incidents read alike (their embeddings share a direction).
var families = []string{
	"memory", "cpu", "crash", "service", "rollout", "node-disk", "node-health",
	"database", "storage", "certificate", "streaming", "batch",
}

// on is one kind an alert fires on, with its share of the alert's incidents.
type on struct {
	kind   int
	weight float64
}

// choice is one action an alert is remediated with: how often the planner picks it
// and how often it works.
type choice struct {
	action  string
	weight  float64
	success float64
}

// alertDef is one alert rule. Its severity is severity[0] three times in four, else
// severity[1] (rules come in warning and critical variants); about is the metadata
// description, {obj} being the object's name.
type alertDef struct {
	name     string
	family   string
	weight   float64
	severity [2]string
	targets  []on
	choices  []choice
	about    string
}

const (
	critical = "critical"
	warning  = "warning"
	info     = "info"
)

// alerts: weights are hand-set so that a handful of alerts (memory, crash loops, CPU)
// dominate, as in any cluster's alert history, and a long tail fires rarely.
var alerts = []alertDef{
	{"HighMemoryUsage", "memory", 14, [2]string{critical, warning}, []on{{kindDeployment, 3}, {kindStatefulSet, 1}},
		[]choice{{"increase_memory_limit", 4, 0.92}, {"restart_pod", 3, 0.6}, {"scale_deployment", 2, 0.78}},
		"Memory usage of {obj} above 90% of its limit for 10 minutes"},
	{"OOMKilled", "memory", 9, [2]string{critical, warning}, []on{{kindDeployment, 2}, {kindStatefulSet, 1}, {kindPod, 1}},
		[]choice{{"increase_memory_limit", 5, 0.9}, {"restart_pod", 2, 0.45}},
		"A container of {obj} was OOMKilled (exit code 137)"},
	{"ContainerMemoryNearLimit", "memory", 4, [2]string{warning, info}, []on{{kindDeployment, 2}, {kindDaemonSet, 1}},
		[]choice{{"increase_memory_limit", 3, 0.93}, {"restart_pod", 1, 0.7}},
		"Working set of {obj} within 5% of its memory limit"},
	{"JVMHeapUsageHigh", "memory", 2, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"increase_memory_limit", 2, 0.85}, {"restart_pod", 2, 0.65}},
		"JVM heap of {obj} above 95% after full GC"},
	{"HighCPUUsage", "cpu", 12, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"scale_deployment", 5, 0.88}, {"increase_cpu_limit", 2, 0.8}, {"rollback_deployment", 1, 0.85}},
		"CPU usage of {obj} above 80% for 5 minutes"},
	{"CPUThrottlingHigh", "cpu", 6, [2]string{warning, info}, []on{{kindDeployment, 2}, {kindDaemonSet, 1}},
		[]choice{{"increase_cpu_limit", 4, 0.9}, {"scale_deployment", 1, 0.72}},
		"{obj} is throttled in more than 25% of CFS periods"},
	{"KubeHpaMaxedOut", "cpu", 3, [2]string{warning, critical}, []on{{kindHPA, 1}},
		[]choice{{"update_hpa_max_replicas", 4, 0.9}},
		"HPA {obj} has run at max replicas for 15 minutes"},
	{"NodeCPUSaturated", "cpu", 2, [2]string{warning, ""}, []on{{kindNode, 1}},
		[]choice{{"evict_pods", 2, 0.75}, {"cordon_drain_node", 1, 0.9}},
		"Node {obj} CPU above 95% for 10 minutes"},
	{"KubePodCrashLooping", "crash", 13, [2]string{critical, warning}, []on{{kindPod, 5}, {kindDeployment, 4}, {kindDaemonSet, 1}},
		[]choice{{"restart_pod", 4, 0.6}, {"rollback_deployment", 3, 0.9}, {"increase_memory_limit", 1, 0.55}},
		"{obj} is in CrashLoopBackOff"},
	{"KubeDeploymentReplicasMismatch", "crash", 5, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"rollback_deployment", 3, 0.88}, {"restart_rollout", 2, 0.75}, {"scale_deployment", 1, 0.7}},
		"Deployment {obj} has not matched its desired replicas for 15 minutes"},
	{"KubeStatefulSetReplicasMismatch", "crash", 3, [2]string{warning, critical}, []on{{kindStatefulSet, 1}},
		[]choice{{"restart_pod", 3, 0.7}, {"rollback_workload", 2, 0.85}},
		"StatefulSet {obj} has not matched its desired replicas for 15 minutes"},
	{"KubeDaemonSetRolloutStuck", "crash", 2, [2]string{warning, ""}, []on{{kindDaemonSet, 1}},
		[]choice{{"restart_rollout", 2, 0.75}, {"rollback_workload", 2, 0.88}},
		"DaemonSet {obj} rollout has made no progress for 15 minutes"},
	{"ContainerRestartingFrequently", "crash", 4, [2]string{warning, info}, []on{{kindPod, 3}, {kindDeployment, 2}},
		[]choice{{"restart_pod", 3, 0.6}, {"increase_memory_limit", 2, 0.8}},
		"A container of {obj} restarted more than 5 times in an hour"},
	{"HighErrorRate", "service", 8, [2]string{critical, warning}, []on{{kindDeployment, 1}},
		[]choice{{"rollback_deployment", 5, 0.9}, {"restart_pod", 2, 0.5}, {"scale_deployment", 2, 0.6}},
		"HTTP 5xx ratio of {obj} above 5% for 5 minutes"},
	{"HighLatencyP99", "service", 6, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"scale_deployment", 4, 0.85}, {"rollback_deployment", 2, 0.82}, {"increase_cpu_limit", 1, 0.7}},
		"p99 latency of {obj} above 2s for 10 minutes"},
	{"ReadinessProbeFailing", "service", 5, [2]string{warning, critical}, []on{{kindDeployment, 3}, {kindPod, 2}},
		[]choice{{"restart_pod", 3, 0.62}, {"increase_probe_timeout", 2, 0.8}, {"rollback_deployment", 1, 0.88}},
		"Readiness probe of {obj} failing for 5 minutes"},
	{"KubeServiceEndpointsDown", "service", 2, [2]string{critical, ""}, []on{{kindDeployment, 1}},
		[]choice{{"restart_rollout", 2, 0.8}, {"rollback_deployment", 1, 0.85}},
		"Service backed by {obj} has no ready endpoints"},
	{"ImagePullBackOff", "rollout", 6, [2]string{warning, info}, []on{{kindDeployment, 1}, {kindPod, 1}},
		[]choice{{"update_image_pull_secret", 4, 0.9}, {"rollback_deployment", 2, 0.86}},
		"Image pull for {obj} failed: back-off pulling image"},
	{"KubeDeploymentRolloutStuck", "rollout", 3, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"rollback_deployment", 4, 0.92}, {"restart_rollout", 2, 0.7}},
		"Rollout of {obj} exceeded its progress deadline"},
	{"CreateContainerConfigError", "rollout", 1.5, [2]string{warning, ""}, []on{{kindPod, 1}, {kindDeployment, 1}},
		[]choice{{"rollback_deployment", 2, 0.9}, {"restart_pod", 1, 0.3}},
		"{obj} cannot start: referenced ConfigMap or Secret key missing"},
	{"NodeDiskPressure", "node-disk", 6, [2]string{critical, warning}, []on{{kindNode, 1}},
		[]choice{{"cleanup_disk", 6, 0.85}, {"cordon_drain_node", 2, 0.9}},
		"Node {obj} reports DiskPressure (disk usage above 85%)"},
	{"NodeFilesystemAlmostFull", "node-disk", 4, [2]string{warning, critical}, []on{{kindNode, 1}},
		[]choice{{"cleanup_disk", 5, 0.8}, {"rotate_logs", 2, 0.86}},
		"Filesystem on node {obj} has less than 10% space left"},
	{"NodeFilesystemFilesFillingUp", "node-disk", 1.5, [2]string{warning, ""}, []on{{kindNode, 1}},
		[]choice{{"cleanup_disk", 3, 0.78}, {"rotate_logs", 1, 0.8}},
		"Filesystem on node {obj} will run out of inodes within 24 hours"},
	{"NodeNotReady", "node-health", 6, [2]string{critical, ""}, []on{{kindNode, 1}},
		[]choice{{"cordon_drain_node", 4, 0.92}, {"restart_kubelet", 3, 0.6}, {"reboot_node", 2, 0.75}},
		"Node {obj} has been NotReady for more than 5 minutes"},
	{"NodeMemoryPressure", "node-health", 3, [2]string{warning, critical}, []on{{kindNode, 1}},
		[]choice{{"evict_pods", 3, 0.82}, {"cordon_drain_node", 2, 0.9}},
		"Node {obj} reports MemoryPressure"},
	{"KubeletDown", "node-health", 2, [2]string{critical, ""}, []on{{kindNode, 1}},
		[]choice{{"restart_kubelet", 4, 0.7}, {"reboot_node", 2, 0.8}},
		"Kubelet on {obj} has disappeared from Prometheus target discovery"},
	{"NodeClockNotSynchronising", "node-health", 1.5, [2]string{warning, info}, []on{{kindNode, 1}},
		[]choice{{"restart_time_sync", 4, 0.93}},
		"Clock on {obj} is not synchronising"},
	{"DatabaseConnectionPoolExhaustion", "database", 5, [2]string{critical, warning}, []on{{kindDeployment, 1}},
		[]choice{{"increase_connection_pool", 4, 0.9}, {"scale_deployment", 3, 0.7}, {"restart_pod", 2, 0.5}},
		"Database connection pool of {obj} above 95% capacity"},
	{"PostgresReplicationLag", "database", 3, [2]string{warning, critical}, []on{{kindStatefulSet, 1}},
		[]choice{{"resync_replica", 3, 0.8}, {"restart_pod", 2, 0.6}},
		"Replication lag on {obj} above 300 seconds"},
	{"PostgresTooManyConnections", "database", 2.5, [2]string{critical, warning}, []on{{kindStatefulSet, 1}},
		[]choice{{"increase_max_connections", 3, 0.88}, {"kill_blocking_queries", 2, 0.75}, {"restart_pod", 1, 0.55}},
		"{obj} uses more than 90% of max_connections"},
	{"RedisMemoryHigh", "database", 2, [2]string{warning, critical}, []on{{kindStatefulSet, 1}},
		[]choice{{"evict_cache_keys", 3, 0.8}, {"increase_memory_limit", 2, 0.9}},
		"Redis {obj} memory above 90% of maxmemory"},
	{"PostgresDeadlocksDetected", "database", 1, [2]string{warning, info}, []on{{kindStatefulSet, 1}},
		[]choice{{"kill_blocking_queries", 3, 0.85}},
		"Deadlocks detected on {obj} in the last 10 minutes"},
	{"KubePersistentVolumeFillingUp", "storage", 5, [2]string{warning, critical}, []on{{kindPVC, 1}},
		[]choice{{"expand_pvc", 5, 0.92}, {"cleanup_disk", 1, 0.6}},
		"Volume {obj} is more than 90% full"},
	{"PersistentVolumeClaimPending", "storage", 2.5, [2]string{warning, critical}, []on{{kindPVC, 1}},
		[]choice{{"create_persistent_volume", 3, 0.7}, {"update_storage_class", 2, 0.85}},
		"PersistentVolumeClaim {obj} has been Pending for 10 minutes"},
	{"KubePersistentVolumeErrors", "storage", 1.5, [2]string{critical, warning}, []on{{kindPVC, 1}},
		[]choice{{"detach_volume", 3, 0.72}, {"create_persistent_volume", 1, 0.6}},
		"Volume of {obj} is in phase Failed"},
	{"CertificateExpiring", "certificate", 4, [2]string{info, warning}, []on{{kindCertificate, 1}},
		[]choice{{"renew_certificate", 6, 0.94}},
		"Certificate {obj} expires in less than 14 days"},
	{"CertificateNotReady", "certificate", 2, [2]string{warning, critical}, []on{{kindCertificate, 1}},
		[]choice{{"renew_certificate", 3, 0.8}, {"restart_cert_manager", 2, 0.85}},
		"Certificate {obj} has not been Ready for 10 minutes"},
	{"KafkaConsumerLagHigh", "streaming", 4, [2]string{warning, critical}, []on{{kindDeployment, 1}},
		[]choice{{"scale_deployment", 4, 0.85}, {"restart_pod", 2, 0.6}},
		"Consumer group of {obj} lags more than 50000 messages"},
	{"QueueBacklogGrowing", "streaming", 2, [2]string{warning, ""}, []on{{kindDeployment, 1}},
		[]choice{{"scale_deployment", 3, 0.88}, {"restart_pod", 1, 0.55}},
		"Work queue of {obj} has grown for 30 minutes"},
	{"KubeJobFailed", "batch", 4, [2]string{warning, info}, []on{{kindJob, 1}},
		[]choice{{"rerun_job", 4, 0.72}, {"increase_memory_limit", 1, 0.8}},
		"Job {obj} failed to complete"},
	{"KubeCronJobNotScheduled", "batch", 2, [2]string{info, warning}, []on{{kindCronJob, 1}},
		[]choice{{"trigger_cronjob", 4, 0.9}, {"rerun_job", 1, 0.8}},
		"CronJob {obj} missed its last schedule"},
}
