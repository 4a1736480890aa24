package dataset

import (
	"fmt"

	"github.com/contextapi/contextapi/internal/domain"
)

// DemoClusters lists the clusters of the demo set, busiest first.
var DemoClusters = []string{"prod-us-east-1", "prod-eu-west-1", "staging-us-east-1", "dev-local"}

// DemoNamespaces lists the namespaces of the demo set, busiest first. Incidents on nodes
// (cluster-scoped) have no namespace.
var DemoNamespaces = []string{
	"checkout", "payments", "search", "monitoring", "data", "logging", "kube-system", "auth", "ingress-nginx",
}

// DemoTargetKinds lists the Kubernetes kinds incidents of the demo set target.
var DemoTargetKinds = []string{
	"Deployment", "StatefulSet", "DaemonSet", "Pod", "Node", "PersistentVolumeClaim", "Certificate",
}

// DemoAlertNames lists the alert names of the demo set.
var DemoAlertNames = []string{
	"HighMemoryUsage", "OOMKilled", "HighCPUUsage", "CPUThrottlingHigh", "PodCrashLoop", "HighErrorRate",
	"ImagePullBackOff", "NodeDiskPressure", "NodeFilesystemAlmostFull", "NodeNotReady",
	"DatabaseConnectionPoolExhaustion", "PostgresReplicationLag", "CertificateExpiring",
	"PersistentVolumeClaimPending", "PersistentVolumeFillingUp", "KafkaConsumerLagHigh",
}

// DemoActionTypes lists the remediation action types of the demo set.
var DemoActionTypes = []string{
	"restart_pod", "scale_deployment", "increase_memory_limit", "increase_cpu_limit", "rollback_deployment",
	"cleanup_disk", "rotate_logs", "cordon_drain_node", "restart_kubelet", "reboot_node",
	"update_image_pull_secret", "renew_certificate", "expand_pvc", "create_persistent_volume",
	"update_storage_class", "increase_connection_pool", "resync_replica",
}

// clusterDef is one cluster: the environment it runs and its nodes (node names are
// cluster-specific because resource_references keys objects by namespace, kind and name
// only).
type clusterDef struct {
	name   string
	env    domain.Environment
	weight float64
	nodes  []string
}

var clusters = []clusterDef{
	{"prod-us-east-1", domain.EnvironmentProduction, 0.45, numbered("worker-", 1, 9)},
	{"prod-eu-west-1", domain.EnvironmentProduction, 0.25, numbered("euw1-worker-", 1, 6)},
	{"staging-us-east-1", domain.EnvironmentStaging, 0.19, numbered("stg-worker-", 1, 4)},
	// dev-local is a kind cluster that runs both the developers' namespaces and CI's tests.
	{"dev-local", domain.EnvironmentDevelopment, 0.11, []string{"kind-control-plane", "kind-worker", "kind-worker2"}},
}

func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s%02d", prefix, i))
	}
	return out
}

// object is one Kubernetes object; namespace "" means cluster-scoped (a NULL namespace).
type object struct {
	namespace string
	kind      string
	name      string
	weight    float64
}

func (o object) key() string { return o.namespace + "/" + o.kind + "/" + o.name }

// workloads are the namespaced objects incidents happen to; their weights skew the
// namespace distribution (checkout and payments are the noisy ones).
var workloads = []object{
	{"checkout", "Deployment", "checkout-api", 5},
	{"checkout", "Deployment", "cart-service", 4},
	{"checkout", "Deployment", "checkout-worker", 3},
	{"checkout", "Pod", "checkout-worker-5b7c9d8f4-qzt8m", 1},
	{"checkout", "Certificate", "checkout-tls", 1},
	{"payments", "Deployment", "payments-api", 4},
	{"payments", "Deployment", "payment-gateway", 3},
	{"payments", "Deployment", "fraud-scorer", 2.5},
	{"payments", "StatefulSet", "payments-redis", 1.5},
	{"payments", "PersistentVolumeClaim", "data-payments-redis-0", 1},
	{"payments", "Certificate", "payments-mtls", 0.8},
	{"search", "Deployment", "search-api", 3},
	{"search", "Deployment", "indexer", 2},
	{"search", "StatefulSet", "elasticsearch-data", 2},
	{"search", "PersistentVolumeClaim", "data-elasticsearch-data-1", 1.2},
	{"monitoring", "StatefulSet", "prometheus-k8s", 2.5},
	{"monitoring", "Pod", "prometheus-k8s-0", 1.5},
	{"monitoring", "Deployment", "grafana", 1.5},
	{"monitoring", "StatefulSet", "alertmanager-main", 1},
	{"monitoring", "PersistentVolumeClaim", "prometheus-k8s-db-prometheus-k8s-0", 1.2},
	{"data", "StatefulSet", "postgres-main", 2},
	{"data", "StatefulSet", "kafka", 1.5},
	{"data", "Deployment", "pgbouncer", 2},
	{"data", "Deployment", "etl-runner", 1.5},
	{"data", "PersistentVolumeClaim", "data-kafka-2", 1},
	{"data", "PersistentVolumeClaim", "pgdata-postgres-main-0", 1.2},
	{"logging", "DaemonSet", "fluent-bit", 2},
	{"logging", "StatefulSet", "loki", 1.5},
	{"logging", "Pod", "logstash-0", 1.5},
	{"logging", "PersistentVolumeClaim", "storage-loki-0", 1},
	{"kube-system", "Deployment", "coredns", 1.5},
	{"kube-system", "DaemonSet", "calico-node", 1},
	{"kube-system", "Deployment", "metrics-server", 1},
	{"auth", "Deployment", "auth-service", 2},
	{"auth", "Certificate", "auth-tls", 0.8},
	{"ingress-nginx", "Deployment", "ingress-nginx-controller", 1.5},
	{"ingress-nginx", "Certificate", "wildcard-shop-example-com", 1},
}

// choice is one action an alert may be remediated with: how often the planner picks it
// and how often it works.
type choice struct {
	action  string
	weight  float64
	success float64
}

// alertDef is one alert rule. Alerts of one family (memory, cpu, ...) get similar
// embeddings; kinds (or only, a list of object names) say what the alert fires on.
type alertDef struct {
	name     string
	family   string
	weight   float64
	severity [3]float64 // critical, warning, info
	kinds    []string
	only     []string
	actions  []choice
	about    string // metadata description; {obj} is the object's name
}

// families lists the embedding families in a fixed order (their base directions are
// orthogonalised in this order).
var families = []string{
	"memory", "cpu", "crash", "image", "node-disk", "node-health", "database", "certificate", "storage", "streaming",
}

var alerts = []alertDef{
	{"HighMemoryUsage", "memory", 14, [3]float64{5, 4, 0}, []string{"Deployment", "StatefulSet"}, nil,
		[]choice{{"increase_memory_limit", 4, 0.92}, {"restart_pod", 3, 0.55}, {"scale_deployment", 3, 0.75}},
		"Memory usage of {obj} exceeded 90% of its limit for 10 minutes"},
	{"OOMKilled", "memory", 7, [3]float64{6, 3, 0}, []string{"Deployment", "StatefulSet", "Pod"}, nil,
		[]choice{{"increase_memory_limit", 5, 0.9}, {"restart_pod", 2, 0.4}},
		"A container of {obj} was OOMKilled (exit code 137)"},
	{"HighCPUUsage", "cpu", 12, [3]float64{2, 6, 1}, []string{"Deployment"}, nil,
		[]choice{{"scale_deployment", 5, 0.88}, {"increase_cpu_limit", 2, 0.8}, {"rollback_deployment", 1, 0.85}},
		"CPU usage of {obj} exceeded 80% for 5 minutes"},
	{"CPUThrottlingHigh", "cpu", 5, [3]float64{0, 5, 3}, []string{"Deployment", "DaemonSet"}, nil,
		[]choice{{"increase_cpu_limit", 4, 0.9}, {"scale_deployment", 1, 0.7}},
		"{obj} is throttled in more than 25% of CFS periods"},
	{"PodCrashLoop", "crash", 12, [3]float64{6, 3, 0}, []string{"Pod", "Deployment", "DaemonSet"}, nil,
		[]choice{{"restart_pod", 4, 0.6}, {"rollback_deployment", 3, 0.9}, {"increase_memory_limit", 1, 0.55}},
		"{obj} is in CrashLoopBackOff"},
	{"HighErrorRate", "crash", 6, [3]float64{5, 3, 0}, nil, []string{
		"cart-service", "payments-api", "payment-gateway", "search-api", "auth-service", "ingress-nginx-controller", "grafana",
	},
		[]choice{{"rollback_deployment", 5, 0.9}, {"restart_pod", 2, 0.5}, {"scale_deployment", 2, 0.6}},
		"HTTP 5xx ratio of {obj} above 5% for 5 minutes"},
	{"ImagePullBackOff", "image", 6, [3]float64{1, 4, 3}, []string{"Deployment", "Pod"}, nil,
		[]choice{{"update_image_pull_secret", 4, 0.9}, {"rollback_deployment", 2, 0.85}},
		"Image pull for {obj} failed: back-off pulling image"},
	{"NodeDiskPressure", "node-disk", 6, [3]float64{3, 5, 0}, []string{"Node"}, nil,
		[]choice{{"cleanup_disk", 6, 0.85}, {"cordon_drain_node", 2, 0.9}},
		"Node {obj} reports DiskPressure (disk usage above 85%)"},
	{"NodeFilesystemAlmostFull", "node-disk", 3, [3]float64{1, 4, 2}, []string{"Node"}, nil,
		[]choice{{"cleanup_disk", 5, 0.8}, {"rotate_logs", 2, 0.85}},
		"Filesystem on node {obj} has less than 10% space left"},
	{"NodeNotReady", "node-health", 5, [3]float64{7, 2, 0}, []string{"Node"}, nil,
		[]choice{{"cordon_drain_node", 4, 0.92}, {"restart_kubelet", 3, 0.6}, {"reboot_node", 2, 0.75}},
		"Node {obj} has been NotReady for more than 5 minutes"},
	{"DatabaseConnectionPoolExhaustion", "database", 5, [3]float64{3, 5, 0}, nil,
		[]string{"pgbouncer", "payments-api", "auth-service", "payment-gateway", "etl-runner"},
		[]choice{{"increase_connection_pool", 4, 0.9}, {"scale_deployment", 3, 0.7}, {"restart_pod", 2, 0.5}},
		"Database connection pool of {obj} above 95% capacity"},
	{"PostgresReplicationLag", "database", 2, [3]float64{2, 4, 0}, nil, []string{"postgres-main"},
		[]choice{{"resync_replica", 3, 0.8}, {"restart_pod", 2, 0.6}},
		"Replication lag on {obj} above 300 seconds"},
	{"CertificateExpiring", "certificate", 4, [3]float64{1, 3, 4}, []string{"Certificate"}, nil,
		[]choice{{"renew_certificate", 6, 0.93}},
		"Certificate {obj} expires in less than 14 days"},
	{"PersistentVolumeClaimPending", "storage", 3, [3]float64{1, 5, 1}, []string{"PersistentVolumeClaim"}, nil,
		[]choice{{"create_persistent_volume", 3, 0.7}, {"update_storage_class", 2, 0.85}},
		"PersistentVolumeClaim {obj} has been Pending for 10 minutes"},
	{"PersistentVolumeFillingUp", "storage", 4, [3]float64{3, 5, 1}, []string{"PersistentVolumeClaim"}, nil,
		[]choice{{"expand_pvc", 5, 0.92}, {"cleanup_disk", 1, 0.6}},
		"Volume {obj} is more than 90% full"},
	{"KafkaConsumerLagHigh", "streaming", 4, [3]float64{1, 5, 2}, nil,
		[]string{"indexer", "checkout-worker", "fraud-scorer", "etl-runner"},
		[]choice{{"scale_deployment", 4, 0.85}, {"restart_pod", 2, 0.6}},
		"Consumer group of {obj} lags more than 50000 messages"},
}

// alertByName finds an alert rule; the demo set refers only to known names.
func alertByName(name string) *alertDef {
	for i := range alerts {
		if alerts[i].name == name {
			return &alerts[i]
		}
	}
	panic("dataset: unknown alert " + name) // a programming error in the tables
}

// allows reports whether action can act on an object of kind: only Deployments are
// scaled or rolled back by these action types.
func allows(action, kind string) bool {
	switch action {
	case "scale_deployment", "rollback_deployment":
		return kind == "Deployment"
	}
	return true
}
