package dataset

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// actionDef describes how one action type behaves when executed: how long it runs,
// whether a failed attempt is rolled back, and what the executor writes when it fails.
type actionDef struct {
	minMs, maxMs int64
	rollsBack    bool // a failure is usually undone (status rolled-back) rather than left failed
	failures     []string
}

var actionDefs = map[string]actionDef{
	"restart_pod": {15_000, 120_000, false, []string{
		"pods of {obj} restarted but crashed again within 3m (exit code 137)",
		`readiness probe failed after restart: Get "http://10.42.3.17:8080/healthz": context deadline exceeded`,
		"pods recreated but the alert was still firing after the 10m verification window",
		"eviction blocked by PodDisruptionBudget {obj}-pdb (minAvailable: 2)",
	}},
	"scale_deployment": {30_000, 240_000, true, []string{
		"exceeded quota: compute-resources, requested: requests.memory=2Gi, used: 30Gi, limited: 32Gi",
		"0/9 nodes are available: 9 Insufficient cpu; new replicas of {obj} stayed Pending for 5m",
		"HorizontalPodAutoscaler {obj} owns the replica count; manual scale was reverted",
	}},
	"increase_memory_limit": {60_000, 300_000, true, []string{
		`admission webhook "limitranger" denied the request: maximum memory usage per Container is 2Gi`,
		"rollout of {obj} did not complete within 600s: 1 of 4 updated replicas available",
	}},
	"increase_cpu_limit": {60_000, 300_000, true, []string{
		"forbidden: maximum cpu usage per Container is 2, but limit is 4",
		"rollout of {obj} timed out after 600s",
	}},
	"rollback_deployment": {45_000, 360_000, false, []string{
		"no previous revision of {obj} found (revisionHistoryLimit: 0)",
		"previous revision of {obj} fails its readiness probe as well",
	}},
	"cleanup_disk": {20_000, 420_000, false, []string{
		"reclaimed only 1.4GiB; /var/lib/containerd still at 91% (images in use by running pods)",
		"crictl rmi --prune on {obj} failed: context deadline exceeded",
	}},
	"rotate_logs": {10_000, 60_000, false, []string{
		"logrotate exited with status 1: permission denied on /var/log/pods",
	}},
	"cordon_drain_node": {120_000, 900_000, false, []string{
		"drain of {obj} timed out after 900s: cannot evict pod as it would violate the pod's disruption budget",
		"{obj} cordoned but 3 pods with local storage could not be evicted",
	}},
	"restart_kubelet": {20_000, 90_000, false, []string{
		"kubelet restarted but {obj} still NotReady: PLEG is not healthy",
		"SSM command timed out: {obj} unreachable",
	}},
	"reboot_node": {180_000, 600_000, false, []string{
		"{obj} did not report Ready within 10m after reboot",
	}},
	"update_image_pull_secret": {5_000, 40_000, false, []string{
		"registry still answers 401 Unauthorized with the refreshed token",
		`manifest for registry.example.com/shop/{obj}:2.31.0 not found: manifest unknown`,
	}},
	"renew_certificate": {30_000, 240_000, false, []string{
		"ACME HTTP-01 challenge failed: wrong status code '404', expected '200'",
		"ACME rate limit exceeded: too many certificates already issued for this exact set of domains",
	}},
	"expand_pvc": {60_000, 600_000, true, []string{
		`storage class "gp2" does not allow volume expansion`,
		"volume modification rate limit reached: one modification per volume every 6 hours",
	}},
	"create_persistent_volume": {20_000, 180_000, false, []string{
		"no persistent volumes available for this claim and no storage class is set",
		"provisioner ebs.csi.aws.com: UnauthorizedOperation: not authorized to perform ec2:CreateVolume",
	}},
	"update_storage_class": {30_000, 240_000, true, []string{
		"spec is immutable after creation except resources.requests for bound claims",
	}},
	"increase_connection_pool": {20_000, 120_000, true, []string{
		"postgres max_connections (300) would be exceeded; change refused",
	}},
	"resync_replica": {300_000, 1_800_000, false, []string{
		"pg_basebackup failed: could not connect to the primary: FATAL: too many connections",
	}},
}

// rollbackNotes are what the executor writes when it undid a change that made things worse.
var rollbackNotes = []string{
	"health checks of {obj} failed after the change; rolled back automatically",
	"error rate of {obj} rose from 0.4% to 6.1% after the change; rolled back",
	"p99 latency regression (+850ms) detected during verification; change reverted",
}

// fill puts the object's name into a message template.
func fill(template, name string) string { return strings.ReplaceAll(template, "{obj}", name) }

// actionParams returns the action_parameters the planner would store for action on o.
func actionParams(r *rand.Rand, action string, o object) map[string]any {
	p := map[string]any{}
	switch action {
	case "restart_pod":
		p["pods_restarted"] = 1 + r.IntN(4)
		p["grace_period_seconds"] = 30
	case "scale_deployment":
		from := 2 + r.IntN(5)
		p["previous_replicas"] = from
		p["replicas"] = from + 1 + r.IntN(4)
	case "increase_memory_limit":
		from := []int{256, 512, 768, 1024}[r.IntN(4)]
		p["container"] = containerOf(o)
		p["previous_memory_limit"] = mebibytes(from)
		p["memory_limit"] = mebibytes(from * 2)
	case "increase_cpu_limit":
		from := []int{250, 500, 1000}[r.IntN(3)]
		p["container"] = containerOf(o)
		p["previous_cpu_limit"] = fmt.Sprintf("%dm", from)
		p["cpu_limit"] = fmt.Sprintf("%dm", from*2)
	case "rollback_deployment":
		rev := 20 + r.IntN(60)
		p["from_revision"] = rev
		p["to_revision"] = rev - 1
	case "cleanup_disk":
		p["paths"] = []string{"/var/lib/containerd", "/var/log/pods"}
		p["target_usage_percent"] = 70
	case "rotate_logs":
		p["max_size"] = "100Mi"
	case "cordon_drain_node", "reboot_node":
		p["grace_period_seconds"] = 120
		p["ignore_daemonsets"] = true
	case "restart_kubelet":
		p["unit"] = "kubelet.service"
	case "update_image_pull_secret":
		p["secret"] = "registry-credentials"
	case "renew_certificate":
		p["issuer"] = "letsencrypt-prod"
		p["days_remaining"] = 3 + r.IntN(11)
	case "expand_pvc":
		from := []int{20, 50, 100, 200}[r.IntN(4)]
		p["previous_size"] = fmt.Sprintf("%dGi", from)
		p["size"] = fmt.Sprintf("%dGi", from*2)
	case "create_persistent_volume":
		p["storage_class"] = "gp3"
		p["size"] = "50Gi"
	case "update_storage_class":
		p["storage_class"] = "gp3-encrypted"
	case "increase_connection_pool":
		from := []int{50, 100, 200}[r.IntN(3)]
		p["previous_pool_size"] = from
		p["pool_size"] = from * 2
	case "resync_replica":
		p["replica"] = o.name + "-1"
	}
	return p
}

// containerOf is the main container's name of a workload: for a pod, its owner's name.
func containerOf(o object) string {
	if o.kind != "Pod" {
		return o.name
	}
	name := trimSegment(o.name) // the ordinal or the pod hash
	if last := name[strings.LastIndex(name, "-")+1:]; len(last) >= 8 && strings.ContainsAny(last, "0123456789") {
		name = trimSegment(name) // a ReplicaSet's pod-template hash
	}
	return name
}

func trimSegment(name string) string {
	if i := strings.LastIndex(name, "-"); i > 0 {
		return name[:i]
	}
	return name
}

// mebibytes writes a memory quantity the way people write it in manifests.
func mebibytes(mi int) string {
	if mi%1024 == 0 {
		return fmt.Sprintf("%dGi", mi/1024)
	}
	return fmt.Sprintf("%dMi", mi)
}
