package synthetic

import (
	"strconv"

	"github.com/contextapi/contextapi/internal/domain"
)

// namespace is one Kubernetes namespace; stem starts the names of the objects in it.
type namespace struct {
	name string
	stem string
}

// namespaces, busiest first: the generator weights them 1/(rank+1), so the top few
// (checkout, payments, monitoring, kube-system) carry a large share and the tail is quiet.
var namespaces = []namespace{
	{"checkout", "checkout"}, {"payments", "payments"}, {"monitoring", "prometheus"},
	{"kube-system", "kube"}, {"search", "search"}, {"orders", "orders"}, {"data", "data"},
	{"logging", "logging"}, {"ingress-nginx", "ingress"}, {"auth", "auth"},
	{"catalog", "catalog"}, {"inventory", "inventory"}, {"shipping", "shipping"},
	{"users", "users"}, {"notifications", "notify"}, {"billing", "billing"},
	{"recommendations", "recs"}, {"analytics", "analytics"}, {"ml-serving", "ml"},
	{"kafka", "kafka"}, {"cert-manager", "cert-manager"}, {"argocd", "argocd"},
	{"istio-system", "istio"}, {"api-gateway", "gateway"}, {"frontend", "web"},
	{"fraud", "fraud"}, {"reporting", "reporting"}, {"media", "media"},
	{"pricing", "pricing"}, {"loyalty", "loyalty"}, {"reviews", "reviews"}, {"chat", "chat"},
	{"ledger", "ledger"}, {"identity", "identity"}, {"batch-jobs", "batch"},
	{"airflow", "airflow"}, {"vault", "vault"}, {"keda", "keda"}, {"velero", "velero"},
	{"external-dns", "external-dns"}, {"gatekeeper-system", "gatekeeper"},
	{"tekton-pipelines", "tekton"}, {"harbor", "harbor"}, {"minio", "minio"},
	{"elastic-system", "elastic"}, {"redis", "redis"}, {"postgres-operator", "postgres"},
	{"feature-flags", "flags"}, {"experiments", "experiments"}, {"sandbox", "sandbox"},
}

// clusterDef is one cluster: its one environment (environment is consistent per
// cluster, as migration 008 meant it), its cloud region (in node names) and its share.
type clusterDef struct {
	name   string
	env    domain.Environment
	region string
	weight float64
}

// clusters: production dominates (64%), then staging (18%), development (10%), test (8%).
var clusters = []clusterDef{
	{"prod-us-east-1", domain.EnvironmentProduction, "us-east-1", 0.26},
	{"prod-eu-west-1", domain.EnvironmentProduction, "eu-west-1", 0.18},
	{"prod-ap-southeast-1", domain.EnvironmentProduction, "ap-southeast-1", 0.10},
	{"prod-us-west-2", domain.EnvironmentProduction, "us-west-2", 0.10},
	{"staging-us-east-1", domain.EnvironmentStaging, "us-east-1", 0.12},
	{"staging-eu-west-1", domain.EnvironmentStaging, "eu-west-1", 0.06},
	{"dev-eu-central-1", domain.EnvironmentDevelopment, "eu-central-1", 0.10},
	{"ci-ephemeral", domain.EnvironmentTest, "eu-central-1", 0.08},
}

// Name parts. No part ends in "-<digits>", so appending "-<n>" keeps names unique.
var (
	roles   = []string{"api", "worker", "web", "gateway", "consumer", "scheduler", "controller", "service", "frontend", "backend", "sync", "exporter", "proxy", "cache", "indexer", "processor"}
	stores  = []string{"postgres", "redis", "kafka", "elasticsearch", "zookeeper", "rabbitmq", "mongodb", "etcd", "cassandra", "clickhouse"}
	daemons = []string{"fluent-bit", "node-exporter", "calico-node", "kube-proxy", "datadog-agent", "cilium", "ebs-csi-node", "nvidia-device-plugin", "promtail", "falco"}
	certs   = []string{"tls", "mtls", "ingress-tls", "webhook-tls", "grpc-tls"}
	tasks   = []string{"backup", "report", "cleanup", "sync", "export", "migrate", "reindex", "billing-run"}
)

// object is one Kubernetes object, identified by its kind and its rank among the objects
// of that kind (rank 0 is the noisiest). Everything else about it is a pure function of
// (seed, kind, rank), so objects need no table however many there are.
type object struct {
	kind    int
	rank    int
	ns      int // index into namespaces; -1 for cluster-scoped objects (nodes)
	cluster int // home cluster
	name    string
	id      uint64 // hash of the identity; seeds the object's embedding direction
}

// objectOf derives the object of a kind and rank.
func (w *world) objectOf(kind, rank int) object {
	h := mix(w.seed ^ uint64(kind)<<56 ^ uint64(rank)) // #nosec G115 -- hash input: kind and rank are small and non-negative
	o := object{kind: kind, rank: rank, id: h, ns: -1}
	o.cluster = pick(w.clusterCum, unit(mix(h^0xc1)))
	if kind != kindNode {
		o.ns = pick(w.nsCum, unit(mix(h^0x5a)))
	}
	o.name = w.nameOf(o, h)
	return o
}

// nameOf builds a realistic name, unique among the objects of one kind in one namespace:
// every name below is an injective function of the rank.
func (w *world) nameOf(o object, h uint64) string {
	r := o.rank
	switch o.kind {
	case kindNode:
		// EC2-style private DNS names; the second octet encodes the cluster, so a node
		// belongs to exactly one cluster.
		v := ((r&0xffff)*40503 + 0x1234) & 0xffff
		name := "ip-10-" + strconv.Itoa(o.cluster*16+r>>16&15) + "-" + strconv.Itoa(v>>8) + "-" + strconv.Itoa(v&0xff)
		if r>>20 > 0 {
			name += "-" + strconv.Itoa(r>>20)
		}
		if region := clusters[o.cluster].region; region != "us-east-1" {
			return name + "." + region + ".compute.internal"
		}
		return name + ".ec2.internal"
	case kindDaemonSet:
		return numbered(daemons[r%len(daemons)], r/len(daemons))
	}
	stem := namespaces[o.ns].stem
	switch o.kind {
	case kindStatefulSet:
		return numbered(stem+"-"+stores[r%len(stores)], r/len(stores))
	case kindPVC:
		// data-<statefulset>-<ordinal>, the claim name a volumeClaimTemplate produces.
		return "data-" + stem + "-" + stores[r%len(stores)] + "-" + strconv.Itoa(r/len(stores))
	case kindCertificate:
		return numbered(stem+"-"+certs[r%len(certs)], r/len(certs))
	case kindCronJob:
		return numbered(stem+"-"+tasks[r%len(tasks)], r/len(tasks))
	case kindJob:
		// <cronjob>-<scheduled minute>, as the CronJob controller names its jobs.
		return stem + "-" + tasks[r%len(tasks)] + "-" + strconv.Itoa(29_000_000+r/len(tasks))
	case kindPod:
		// <deployment>-<pod-template-hash>-<suffix>; the hash makes it unique in practice.
		return stem + "-" + roles[r%len(roles)] + "-" + safeString(mix(h^0x90d), 10) + "-" + safeString(mix(h^0x5f), 5)
	}
	return numbered(stem+"-"+roles[r%len(roles)], r/len(roles)) // Deployment, HPA
}

func numbered(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + "-" + strconv.Itoa(n+1)
}

// safeAlphabet is the alphabet Kubernetes uses for generated name suffixes.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

func safeString(h uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = safeAlphabet[h%uint64(len(safeAlphabet))]
		h /= uint64(len(safeAlphabet))
	}
	return string(b)
}

// mix is the splitmix64 finaliser: a cheap, well-spread hash of a 64-bit value.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// cumulative turns weights into a cumulative distribution ending at 1.
func cumulative(weights []float64) []float64 {
	cum := make([]float64, len(weights))
	var sum float64
	for _, w := range weights {
		sum += w
	}
	var acc float64
	for i, w := range weights {
		acc += w
		cum[i] = acc / sum
	}
	cum[len(cum)-1] = 1
	return cum
}

// pick returns the index whose cumulative interval holds u ∈ [0, 1).
func pick(cum []float64, u float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if u < cum[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
