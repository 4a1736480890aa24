package dataset

import (
	"math"
	"time"
)

// Remediation request ids (action_id) of the demo stories' attempts; see the package
// documentation for the story each belongs to.
const (
	// Story 1: HighMemoryUsage on Deployment checkout-api (checkout, prod-us-east-1).
	StoryCheckoutRestart = "fcd503bc-3367-498c-8af8-26ac6d657b18" // restart_pod, failed twice (a retry under one id)
	StoryCheckoutScale   = "f1b98c8a-f979-4026-93a9-31955e1e0806" // scale_deployment, rolled-back
	StoryCheckoutMemory  = "a6240195-8b25-4e64-8c16-2bd7eff64040" // increase_memory_limit, completed

	// Story 2: PodCrashLoop on Deployment payments-api (payments, prod-eu-west-1).
	StoryPaymentsRestart  = "ca897a04-f8ff-4c87-ace1-d9fd3050edf4" // restart_pod, failed
	StoryPaymentsMemory   = "26d4281d-29e0-4f31-acc1-caae4e9a8969" // increase_memory_limit, rolled-back
	StoryPaymentsRollback = "8192adad-0313-49c5-bfb0-bd1f8179831c" // rollback_deployment, completed

	// Story 3: HighCPUUsage on Deployment search-api (search, prod-us-east-1), no fingerprint.
	StorySearchScale    = "ca418411-70ed-4f29-9e38-26a97e264634" // scale_deployment, failed
	StorySearchCPU      = "13947934-a9de-4ec5-91d2-b087e9c930fb" // increase_cpu_limit, rolled-back
	StorySearchRollback = "a19bd901-6b9c-4f13-9748-5bcd9905737f" // rollback_deployment, completed

	// Story 4: PersistentVolumeClaimPending on data-kafka-2 (data), written before
	// migration 008: no fingerprint, cluster or environment.
	StoryKafkaVolume       = "e3e435d2-f4fb-464d-b62d-2b079e27a722" // create_persistent_volume, failed
	StoryKafkaVolumeAgain  = "85375e74-1f89-481c-bbb3-6bc13210eaca" // create_persistent_volume, failed
	StoryKafkaStorageClass = "40170d12-4f00-4a46-af29-6acb9da6a87e" // update_storage_class, completed

	// Story 5: NodeDiskPressure on Node worker-07 (prod-us-east-1).
	StoryWorker07Cleanup = "f84e0668-149d-4157-9691-e10ac77b69e6" // cleanup_disk, failed twice (a retry under one id)
	StoryWorker07Drain   = "68fd5710-7b69-448d-ab63-d540c804fc4d" // cordon_drain_node, completed

	// Story 6: NodeNotReady on Node worker-03 (prod-us-east-1), still being remediated.
	StoryWorker03Kubelet = "7b186326-7be5-49f3-8aaf-9209b7909e1d" // restart_kubelet, failed
	StoryWorker03Reboot  = "2e21059a-1bef-4ed9-a75d-16c2361e833e" // reboot_node, failed
	StoryWorker03Drain   = "343bf86d-4a3d-442f-a5d7-cce7b52d9afa" // cordon_drain_node, executing

	// Story 7: DatabaseConnectionPoolExhaustion on Deployment pgbouncer (data,
	// prod-eu-west-1), next attempt queued.
	StoryPgbouncerRestart = "dfc21f7d-bf12-4bf4-97cf-1fadaca99698" // restart_pod, failed
	StoryPgbouncerScale   = "db5eba6b-15fa-424e-8697-972a1a54a17b" // scale_deployment, rolled-back
	StoryPgbouncerPool    = "ddca5de0-be5e-4514-8d5a-6c1bf46fe5d3" // increase_connection_pool, pending
)

// step is one trace of a story: when it started (before now), which remediation request
// it belongs to, what was done and how it ended. runMs < 0 means still in flight.
type step struct {
	ago    time.Duration
	rrid   string
	action string
	status string
	runMs  int64
	err    string
	params map[string]any // merged over the generated action parameters
}

// story is a run of traces for one alert on one object. cluster "" means the rows were
// written before migration 008 (no cluster, environment or fingerprint).
type story struct {
	alert         string
	severity      string
	cluster       string
	obj           object
	noFingerprint bool
	steps         []step
}

// ago is days, hours, minutes and (fractional, to the microsecond) seconds before now.
func ago(days, hours, minutes int, seconds float64) time.Duration {
	return time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour +
		time.Duration(minutes)*time.Minute + time.Duration(math.Round(seconds*1e6))*time.Microsecond
}

const inFlight = -1

var (
	checkoutAPI    = object{"checkout", "Deployment", "checkout-api", 0}
	checkoutLegacy = object{"checkout", "Deployment", "checkout-legacy", 0}
)

// ownedObjects are objects whose whole history the stories write (background incidents
// never touch them), so their documented history is exact.
var ownedObjects = []object{checkoutAPI, checkoutLegacy}

// one is a story of a single completed trace.
func one(alert, severity, cluster string, o object, at time.Duration, rrid, action string, runMs int64) story {
	return story{alert: alert, severity: severity, cluster: cluster, obj: o,
		steps: []step{{ago: at, rrid: rrid, action: action, status: "completed", runMs: runMs}}}
}

var stories = []story{
	// 1 (a, c, e): restart, then scale, then a bigger memory limit fixed checkout-api.
	{alert: "HighMemoryUsage", severity: "critical", cluster: "prod-us-east-1", obj: checkoutAPI, steps: []step{
		{ago(6, 3, 12, 8.412733), StoryCheckoutRestart, "restart_pod", "failed", 94_000,
			"pods of checkout-api restarted but memory was back at 97% of the 512Mi limit within 4m", nil},
		{ago(6, 2, 58, 41.090214), StoryCheckoutRestart, "restart_pod", "failed", 71_500,
			"retry 2/2: checkout-api-7f9d8c6b5-q8z2x OOMKilled 3m after restart", nil},
		{ago(6, 0, 41, 5.551908), StoryCheckoutScale, "scale_deployment", "rolled-back", 212_300,
			"new replicas stayed Pending (0/9 nodes are available: 9 Insufficient memory); rolled back to 4 replicas",
			map[string]any{"previous_replicas": 4, "replicas": 8}},
		{ago(5, 22, 4, 37.208466), StoryCheckoutMemory, "increase_memory_limit", "completed", 168_900, "",
			map[string]any{"previous_memory_limit": "512Mi", "memory_limit": "1Gi"}},
	}},
	// 2 (a, c): a bad release of payments-api; restarting and more memory did not help.
	{alert: "PodCrashLoop", severity: "critical", cluster: "prod-eu-west-1",
		obj: object{"payments", "Deployment", "payments-api", 0}, steps: []step{
			{ago(2, 7, 3, 12.500861), StoryPaymentsRestart, "restart_pod", "failed", 48_200,
				"CrashLoopBackOff persists after restart: exit code 1 (panic: missing env STRIPE_WEBHOOK_SECRET)", nil},
			{ago(2, 6, 21, 30.027145), StoryPaymentsMemory, "increase_memory_limit", "rolled-back", 241_000,
				"pods still crashing with exit code 1 (not an OOM); limit change reverted", nil},
			{ago(2, 5, 36, 2.746390), StoryPaymentsRollback, "rollback_deployment", "completed", 96_400, "",
				map[string]any{"from_revision": 57, "to_revision": 56}},
		}},
	// 3 (b, c): no Alertmanager fingerprint (a Datadog monitor); a regression, not load.
	{alert: "HighCPUUsage", severity: "warning", cluster: "prod-us-east-1", noFingerprint: true,
		obj: object{"search", "Deployment", "search-api", 0}, steps: []step{
			{ago(9, 4, 17, 51.300412), StorySearchScale, "scale_deployment", "failed", 38_700,
				"exceeded quota: search-quota, requested: requests.cpu=2, used: 15500m, limited: 16", nil},
			{ago(9, 3, 26, 9.914077), StorySearchCPU, "increase_cpu_limit", "rolled-back", 287_000,
				"p99 latency unchanged at 1.8s and CPU still saturated; limit change reverted", nil},
			{ago(9, 1, 10, 44.062583), StorySearchRollback, "rollback_deployment", "completed", 131_250, "",
				map[string]any{"from_revision": 143, "to_revision": 142}},
		}},
	// 4 (b): written before migration 008.
	{alert: "PersistentVolumeClaimPending", severity: "warning",
		obj: object{"data", "PersistentVolumeClaim", "data-kafka-2", 0}, steps: []step{
			{ago(84, 5, 2, 19.775301), StoryKafkaVolume, "create_persistent_volume", "failed", 21_400,
				"no persistent volumes available for this claim and no storage class is set", nil},
			{ago(84, 4, 19, 3.118842), StoryKafkaVolumeAgain, "create_persistent_volume", "failed", 64_900,
				"provisioner ebs.csi.aws.com: UnauthorizedOperation: not authorized to perform ec2:CreateVolume", nil},
			{ago(84, 2, 0, 57.640019), StoryKafkaStorageClass, "update_storage_class", "completed", 143_800, "", nil},
		}},
	// 5 (a): a retry under one id, then draining fixed the node.
	{alert: "NodeDiskPressure", severity: "warning", cluster: "prod-us-east-1",
		obj: object{"", "Node", "worker-07", 0}, steps: []step{
			{ago(15, 6, 2, 33.481206), StoryWorker07Cleanup, "cleanup_disk", "failed", 188_000,
				"reclaimed only 1.2GiB; /var/lib/containerd still at 93% (images in use by running pods)", nil},
			{ago(15, 5, 44, 10.923667), StoryWorker07Cleanup, "cleanup_disk", "failed", 95_300,
				"retry 2/2: crictl rmi --prune freed 0B", nil},
			{ago(15, 4, 51, 26.004518), StoryWorker07Drain, "cordon_drain_node", "completed", 512_000, "", nil},
		}},
	// 6 (d): the third attempt is running now.
	{alert: "NodeNotReady", severity: "critical", cluster: "prod-us-east-1",
		obj: object{"", "Node", "worker-03", 0}, steps: []step{
			{ago(0, 2, 51, 4.210998), StoryWorker03Kubelet, "restart_kubelet", "failed", 62_000,
				"kubelet restarted but worker-03 still NotReady: PLEG is not healthy: pleg was last seen active 4m12s ago", nil},
			{ago(0, 1, 36, 48.337105), StoryWorker03Reboot, "reboot_node", "failed", 600_000,
				"worker-03 did not report Ready within 10m after reboot", nil},
			{ago(0, 0, 21, 17.884250), StoryWorker03Drain, "cordon_drain_node", "executing", inFlight, "",
				map[string]any{"pods_to_evict": 23}},
		}},
	// 7 (d): the third attempt is queued.
	{alert: "DatabaseConnectionPoolExhaustion", severity: "warning", cluster: "prod-eu-west-1",
		obj: object{"data", "Deployment", "pgbouncer", 0}, steps: []step{
			{ago(0, 5, 12, 40.551372), StoryPgbouncerRestart, "restart_pod", "failed", 33_600,
				"pool exhausted again 2m after restart: 200/200 server connections in use", nil},
			{ago(0, 3, 4, 6.095521), StoryPgbouncerScale, "scale_deployment", "rolled-back", 176_400,
				"postgres-main max_connections (300) reached by the new pgbouncer replicas; reverted to 2 replicas",
				map[string]any{"previous_replicas": 2, "replicas": 4}},
			{ago(0, 0, 6, 29.710043), StoryPgbouncerPool, "increase_connection_pool", "pending", inFlight, "",
				map[string]any{"previous_pool_size": 200, "pool_size": 260}},
		}},

	// (c) for story 1: memory alerts on other objects, fixed by a bigger limit.
	one("HighMemoryUsage", "critical", "prod-us-east-1", object{"payments", "Deployment", "payment-gateway", 0},
		ago(12, 4, 33, 20.118374), "c0c23f60-79ad-4ffc-9acf-40eed863e054", "increase_memory_limit", 151_000),
	one("HighMemoryUsage", "warning", "prod-us-east-1", object{"search", "Deployment", "search-api", 0},
		ago(19, 11, 7, 2.604913), "5563417d-d6ae-4bcd-9212-380879a80113", "increase_memory_limit", 187_300),
	one("HighMemoryUsage", "critical", "prod-eu-west-1", object{"search", "StatefulSet", "elasticsearch-data", 0},
		ago(24, 2, 48, 55.390127), "3964b524-69cc-4141-9e57-03327d66a4e8", "increase_memory_limit", 276_500),
	one("HighMemoryUsage", "warning", "prod-us-east-1", object{"monitoring", "StatefulSet", "prometheus-k8s", 0},
		ago(26, 17, 20, 13.771092), "2fa175c2-ffa0-4165-9b91-99cbf89a7070", "increase_memory_limit", 203_900),
	one("HighMemoryUsage", "warning", "staging-us-east-1", object{"checkout", "Deployment", "cart-service", 0},
		ago(33, 9, 51, 37.029445), "c6995c5a-2dbc-4774-98ff-e4f390efc800", "increase_memory_limit", 122_800),
	one("OOMKilled", "critical", "prod-eu-west-1", object{"payments", "Deployment", "fraud-scorer", 0},
		ago(8, 13, 2, 6.663581), "ab53ef56-ff69-46b1-8120-e6265b188af8", "increase_memory_limit", 164_100),

	// (c) for story 2: crash loops elsewhere, fixed by rolling back.
	one("PodCrashLoop", "critical", "prod-us-east-1", object{"search", "Deployment", "indexer", 0},
		ago(4, 8, 14, 49.208336), "56696992-db91-4504-8a00-d178914fddeb", "rollback_deployment", 88_200),
	one("PodCrashLoop", "critical", "prod-eu-west-1", object{"checkout", "Deployment", "checkout-worker", 0},
		ago(10, 15, 39, 0.917004), "3e9fbb1a-6b49-4916-8319-07dd4a542e91", "rollback_deployment", 143_600),
	one("PodCrashLoop", "critical", "prod-us-east-1", object{"auth", "Deployment", "auth-service", 0},
		ago(17, 6, 25, 28.432719), "2639e72d-934c-4ab4-a91c-adc75e10d780", "rollback_deployment", 102_700),
	one("PodCrashLoop", "warning", "staging-us-east-1", object{"data", "Deployment", "etl-runner", 0},
		ago(29, 3, 58, 11.851490), "1a07cbc5-82a6-4c5e-8656-c8ad3e00e994", "rollback_deployment", 77_400),
	one("PodCrashLoop", "warning", "prod-us-east-1", object{"monitoring", "Deployment", "grafana", 0},
		ago(13, 20, 11, 45.097263), "a4b7ffd9-6c61-47f8-b916-b97d8a77e94a", "restart_pod", 41_300),

	// (c) for story 3: CPU regressions elsewhere, fixed by rolling back.
	one("HighCPUUsage", "warning", "prod-us-east-1", object{"payments", "Deployment", "fraud-scorer", 0},
		ago(20, 10, 30, 4.386125), "5fc774aa-f6d6-42db-870f-9574305e110a", "rollback_deployment", 119_900),
	one("HighCPUUsage", "warning", "prod-eu-west-1", object{"search", "Deployment", "indexer", 0},
		ago(31, 14, 5, 52.730018), "f99012c3-4312-4230-a2ea-c8635c5cd467", "rollback_deployment", 95_600),
	one("HighCPUUsage", "warning", "prod-us-east-1", object{"auth", "Deployment", "auth-service", 0},
		ago(6, 19, 52, 7.340865), "84e799ca-d210-44a8-8104-91bd779cf9b2", "rollback_deployment", 104_500),
	one("HighCPUUsage", "critical", "prod-us-east-1", object{"checkout", "Deployment", "cart-service", 0},
		ago(47, 1, 44, 18.005297), "840a95aa-b357-4db8-adfd-ea91f76d8c14", "rollback_deployment", 158_200),

	// (e): the rest of checkout-api's history, most of it in the last 30 days.
	one("HighCPUUsage", "warning", "prod-eu-west-1", checkoutAPI,
		ago(0, 9, 26, 3.561907), "078f5bff-8f40-4528-a2b0-38acf6464fb4", "scale_deployment", 84_300),
	one("HighCPUUsage", "warning", "prod-us-east-1", checkoutAPI,
		ago(1, 5, 47, 21.903115), "9d2d7b24-800b-4beb-88ec-5218734b23c4", "scale_deployment", 71_800),
	one("ImagePullBackOff", "warning", "prod-us-east-1", checkoutAPI,
		ago(3, 14, 8, 36.240781), "5c5787e9-1947-4885-93ed-050887942f95", "update_image_pull_secret", 12_400),
	one("HighCPUUsage", "warning", "prod-us-east-1", checkoutAPI,
		ago(11, 13, 2, 9.664410), "463a7ca6-34fc-4f3c-95c9-987f2cad5b14", "scale_deployment", 96_100),
	one("HighErrorRate", "critical", "prod-us-east-1", checkoutAPI,
		ago(16, 18, 31, 57.118206), "e1f07f8c-49a4-4de4-973f-c778546acc43", "rollback_deployment", 134_700),
	one("CPUThrottlingHigh", "info", "staging-us-east-1", checkoutAPI,
		ago(23, 7, 15, 40.002371), "e1e22387-0a7b-48ea-90a5-a52676dea4da", "increase_cpu_limit", 148_000),
	{alert: "HighErrorRate", severity: "critical", cluster: "prod-us-east-1", obj: checkoutAPI, steps: []step{
		{ago(27, 2, 40, 14.390556), "e9970267-a883-4bc5-8346-c07b00376b3e", "restart_pod", "failed", 58_900,
			"pods recreated but the 5xx ratio stayed at 7.2% after the 10m verification window", nil},
		{ago(27, 1, 58, 2.811039), "1ee8e859-3650-4850-8893-3c7a089ce224", "rollback_deployment", "completed", 121_300, "", nil},
	}},
	one("HighCPUUsage", "warning", "prod-us-east-1", checkoutAPI,
		ago(44, 12, 9, 26.575082), "bf8d0bfc-864d-4c8c-8e86-3ff862721be3", "scale_deployment", 88_800),

	// (e): checkout-legacy, decommissioned: history only older than 30 days.
	one("HighMemoryUsage", "critical", "prod-us-east-1", checkoutLegacy,
		ago(38, 4, 22, 51.640229), "1c0e27fe-68b9-412f-9328-f186e0cb4cb9", "increase_memory_limit", 197_600),
	one("PodCrashLoop", "critical", "prod-us-east-1", checkoutLegacy,
		ago(52, 16, 3, 8.290437), "fc7ef882-fd5d-4cd9-9dae-5a4654ec3217", "restart_pod", 39_700),
	one("HighCPUUsage", "warning", "", checkoutLegacy,
		ago(83, 10, 49, 14.913285), "9a562975-3f74-44d8-8dc8-706d92ab8e22", "scale_deployment", 102_400),
}
