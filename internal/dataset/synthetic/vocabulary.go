package synthetic

// Kubernetes kinds incidents target. The index is used in the tables below and in object
// identities, so the order is fixed.
const (
	kindDeployment = iota
	kindStatefulSet
	kindDaemonSet
	kindPod
	kindNode
	kindPVC
	kindCertificate
	kindJob
	kindCronJob
	kindHPA
	numKinds
)

// kindNames are the rr.kind values of the kinds above.
var kindNames = [numKinds]string{
	"Deployment", "StatefulSet", "DaemonSet", "Pod", "Node", "PersistentVolumeClaim",
	"Certificate", "Job", "CronJob", "HorizontalPodAutoscaler",
}

// kindSet is a bit set of kinds.
type kindSet uint16

func kinds(ks ...int) kindSet {
	var s kindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s kindSet) has(k int) bool { return s&(1<<k) != 0 }

var workloads = kinds(kindDeployment, kindStatefulSet, kindDaemonSet, kindPod)

// paramKind says which action_parameters an action records in the metadata.
type paramKind uint8

const (
	paramNone paramKind = iota
	paramReplicas
	paramMemory
	paramCPU
	paramRevision
	paramGrace
	paramDisk
	paramSize
	paramPool
	paramTimeout
)

// actionDef is a remediation action type: how long it usually runs (log-normal around
// medianSec), how many of its failures end rolled back, what it can act on, and how it
// fails. Errors contain {obj} for the object's name.
type actionDef struct {
	name       string
	medianSec  float64
	sigma      float64
	rolledBack float64
	on         kindSet
	param      paramKind
	errors     []string
}

var actions = []actionDef{
	{"restart_pod", 45, 0.6, 0.1, workloads, paramGrace, []string{
		"pod of {obj} did not become Ready within 300s after restart",
		"restart of {obj} hit CrashLoopBackOff again after 3 restarts",
	}},
	{"scale_deployment", 90, 0.5, 0.4, kinds(kindDeployment), paramReplicas, []string{
		"scaling {obj} blocked: insufficient cpu on 0/12 nodes (Unschedulable)",
		"new replicas of {obj} failed readiness; scaled back",
	}},
	{"increase_memory_limit", 120, 0.5, 0.45, workloads | kinds(kindJob, kindCronJob), paramMemory, []string{
		"memory limit change for {obj} rejected by LimitRange max 4Gi",
		"{obj} OOMKilled again with the raised limit",
	}},
	{"increase_cpu_limit", 120, 0.5, 0.45, workloads &^ kinds(kindPod), paramCPU, []string{
		"cpu limit change for {obj} exceeds ResourceQuota in namespace",
		"rollout of {obj} with new cpu limit timed out after 600s",
	}},
	{"rollback_deployment", 150, 0.5, 0.1, kinds(kindDeployment), paramRevision, []string{
		"no previous revision of {obj} to roll back to",
		"rollback of {obj} progressed but error rate stayed above threshold",
	}},
	{"rollback_workload", 200, 0.5, 0.1, kinds(kindStatefulSet, kindDaemonSet), paramRevision, []string{
		"controller revision history of {obj} is empty",
		"rollback of {obj} stuck: pod ordinal 0 not Ready",
	}},
	{"restart_rollout", 180, 0.5, 0.1, workloads &^ kinds(kindPod), paramNone, []string{
		"rollout restart of {obj} exceeded progressDeadlineSeconds",
	}},
	{"update_image_pull_secret", 30, 0.5, 0.2, workloads, paramNone, []string{
		"registry still returns 401 Unauthorized for {obj} with the rotated secret",
	}},
	{"cleanup_disk", 300, 0.6, 0.05, kinds(kindNode, kindPVC), paramDisk, []string{
		"cleanup on {obj} freed 0.4 GiB, usage still above 85%",
		"cleanup job for {obj} was evicted",
	}},
	{"rotate_logs", 60, 0.5, 0.05, kinds(kindNode), paramDisk, []string{
		"logrotate on {obj} exited with status 1",
	}},
	{"cordon_drain_node", 900, 0.6, 0.15, kinds(kindNode), paramTimeout, []string{
		"drain of {obj} timed out: PodDisruptionBudget prevents eviction",
		"cannot evict pods with local storage on {obj}",
	}},
	{"restart_kubelet", 60, 0.5, 0.05, kinds(kindNode), paramNone, []string{
		"kubelet on {obj} did not report Ready within 120s",
	}},
	{"reboot_node", 420, 0.4, 0.05, kinds(kindNode), paramTimeout, []string{
		"{obj} did not come back after reboot within 900s",
	}},
	{"evict_pods", 120, 0.5, 0.1, kinds(kindNode), paramNone, []string{
		"eviction on {obj} blocked by PodDisruptionBudget",
	}},
	{"restart_time_sync", 20, 0.4, 0.05, kinds(kindNode), paramNone, []string{
		"chronyd on {obj} still reports no reachable source",
	}},
	{"expand_pvc", 180, 0.5, 0.1, kinds(kindPVC), paramSize, []string{
		"storage class of {obj} does not allow volume expansion",
		"expansion of {obj} waiting for file system resize on node",
	}},
	{"create_persistent_volume", 90, 0.5, 0.1, kinds(kindPVC), paramSize, []string{
		"provisioning for {obj} failed: volume limit reached in zone",
	}},
	{"update_storage_class", 60, 0.5, 0.2, kinds(kindPVC), paramNone, []string{
		"storageClassName of bound claim {obj} is immutable",
	}},
	{"detach_volume", 120, 0.5, 0.1, kinds(kindPVC), paramNone, []string{
		"volume of {obj} still attached to a terminated instance",
	}},
	{"increase_connection_pool", 60, 0.5, 0.3, kinds(kindDeployment), paramPool, []string{
		"{obj} pool raised but database max_connections reached",
	}},
	{"increase_max_connections", 120, 0.5, 0.3, kinds(kindStatefulSet), paramPool, []string{
		"restart of {obj} for max_connections change failed over to replica",
	}},
	{"resync_replica", 1200, 0.6, 0.1, kinds(kindStatefulSet), paramNone, []string{
		"base backup for {obj} interrupted: WAL segment already removed",
	}},
	{"kill_blocking_queries", 15, 0.5, 0.05, kinds(kindStatefulSet), paramNone, []string{
		"blocking sessions on {obj} reappeared within 60s",
	}},
	{"evict_cache_keys", 30, 0.5, 0.1, kinds(kindStatefulSet), paramNone, []string{
		"{obj} memory usage still above maxmemory after eviction",
	}},
	{"renew_certificate", 90, 0.5, 0.05, kinds(kindCertificate), paramNone, []string{
		"ACME order for {obj} failed: DNS-01 challenge not propagated",
		"issuer of {obj} not Ready",
	}},
	{"restart_cert_manager", 60, 0.5, 0.05, kinds(kindCertificate), paramNone, []string{
		"cert-manager restarted but {obj} still not Ready",
	}},
	{"rerun_job", 600, 0.8, 0.05, kinds(kindJob, kindCronJob), paramNone, []string{
		"job {obj} failed again: BackoffLimitExceeded",
		"job {obj} exceeded activeDeadlineSeconds",
	}},
	{"trigger_cronjob", 300, 0.7, 0.05, kinds(kindCronJob), paramNone, []string{
		"manual run of {obj} failed: BackoffLimitExceeded",
	}},
	{"update_hpa_max_replicas", 30, 0.5, 0.3, kinds(kindHPA), paramReplicas, []string{
		"{obj} at new maxReplicas but pods Pending: insufficient cpu",
	}},
	{"increase_probe_timeout", 90, 0.5, 0.3, kinds(kindDeployment), paramTimeout, []string{
		"{obj} still failing readiness with timeoutSeconds 10",
	}},
}

// actionIndex finds an action type by name; the alert table names only known ones
// (TestVocabularyIsConsistent), so a miss is a programming error.
func actionIndex(name string) int {
	for i := range actions {
		if actions[i].name == name {
			return i
		}
	}
	panic("synthetic: unknown action type " + name)
}
