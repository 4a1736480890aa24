// Package apptest holds scenarios of the context use cases with answers worked out by
// hand, run through the app over every repository (memory in package app's tests,
// PostgreSQL in package postgres's), so both must give the same answers.
package apptest

import (
	"math"
	"strconv"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Now is the clock of the scenarios.
var Now = time.Date(2026, time.June, 15, 12, 0, 0, 0, time.UTC)

// The remediation request ids of the scenarios.
const (
	RRRestart   = "rr-restart"   // 1 and 2: restart_pod failed twice on shop/api (HighMemoryUsage)
	RRScale     = "rr-scale"     // 3: scale_deployment rolled-back on shop/api
	RRGateway   = "rr-gateway"   // 10: an alert tried once, fixed
	RRIdxCPU    = "rr-idx-cpu"   // 31: HighCPUUsage without fingerprint on search/idx
	RRWorker7   = "rr-w7-clean"  // 40: NodeDiskPressure without fingerprint on cluster-scoped worker-7
	RRNoSuchOne = "rr-not-there" // no trace
)

// Events returns the scenario data set. Embeddings are built so similarities can be
// read off the table: incident 2's embedding is the unit vector e0, and each other
// embedded incident is s·e0 + √(1−s²)·e_id, so its similarity to incident 2 is s and
// two of them are s_i·s_j similar.
//
//	id  object (namespace/kind/name)   alert              fp            action                 status      start  s
//	 1  shop/Deployment/api            HighMemoryUsage    fp-api-mem    restart_pod            failed      −3h    0.98
//	 2  shop/Deployment/api            HighMemoryUsage    fp-api-mem    restart_pod            failed      −2h50m 1
//	 3  shop/Deployment/api            HighMemoryUsage    fp-api-mem    scale_deployment       rolled-back −2h    –
//	 5  shop/Deployment/api            HighCPUUsage       fp-api-cpu    scale_deployment       completed   −10d   0.10
//	 6  shop/Deployment/api            HighCPUUsage       fp-api-cpu    scale_deployment       completed   −12d   0.10
//	 7  shop/Deployment/api (staging)  CPUThrottlingHigh  fp-api-thr    increase_cpu_limit     pending     −5d    –
//	 8  shop/Deployment/api            PodCrashLoop       fp-api-crash  restart_pod            completed   −40d   –
//	 9  shop-canary/Deployment/api     HighMemoryUsage    fp-9          increase_memory_limit  completed   −5d    0.97
//	10  pay/Deployment/gateway         HighMemoryUsage    fp-10         increase_memory_limit  completed   −6d    0.95
//	11  search/StatefulSet/es          HighMemoryUsage    fp-11         increase_memory_limit  completed   −7d    0.90
//	12  search/Deployment/indexer      OOMKilled          fp-12         increase_memory_limit  failed      −8d    0.85
//	13  pay/Deployment/fraud           OOMKilled          fp-13         increase_memory_limit  completed   −9d    0.80
//	14  auth/Deployment/auth           HighMemoryUsage    fp-14         restart_pod            completed   −10d   0.92
//	15  auth/Deployment/session        HighMemoryUsage    fp-15         scale_deployment       completed   −11d   0.75
//	16  cart/Deployment/cart           HighMemoryUsage    fp-16         rollback_deployment    completed   −12d   0.88
//	17  cart/Deployment/cart-worker    HighMemoryUsage    fp-17         rollback_deployment    completed   −13d   0.72
//	18  (none)/Node/worker-3           NodeMemoryPressure fp-18         cordon_drain_node      executing   −1h    0.86
//	19  data/Deployment/etl            HighCPUUsage       fp-19         scale_deployment       completed   −14d   0.30
//	20  data/Deployment/etl2           HighMemoryUsage    fp-20         increase_memory_limit  completed   −15d   –
//	21  cart/Deployment/checkout       HighMemoryUsage    fp-21         increase_cpu_limit     completed   −16d   0.78
//	22  cart/Deployment/web            HighMemoryUsage    fp-22         adjust_hpa             completed   −17d   0.71
//	23  shop/StatefulSet/api           HighMemoryUsage    fp-23         increase_memory_limit  completed   −18d   0.96
//	30  search/Deployment/idx          HighCPUUsage       –             scale_deployment       failed      −24h   –
//	31  search/Deployment/idx          HighCPUUsage       –             increase_cpu_limit     rolled-back −23h   –
//	32  search/Deployment/idx2         HighCPUUsage       –             rollback_deployment    completed   −22h   –
//	33  search/StatefulSet/idx         HighCPUUsage       –             rollback_deployment    completed   −22h   –
//	34  search2/Deployment/idx         HighCPUUsage       –             rollback_deployment    completed   −22h   –
//	35  search/Deployment/idx          HighMemoryUsage    –             rollback_deployment    completed   −22h   –
//	36  search/Deployment/idx          HighCPUUsage       fp-36         scale_deployment       completed   −30d   –
//	37  search/deployment/idx          HighCPUUsage       –             rollback_deployment    completed   −20h   –
//	40  (none)/Node/worker-7           NodeDiskPressure   –             cleanup_disk           failed      −48h   –
//	41  (none)/Node/worker-7           NodeDiskPressure   –             cordon_drain_node      completed   −47h   –
//	42  ""/Node/worker-7               NodeDiskPressure   –             cleanup_disk           completed   −46h   –
//	43  default/Node/worker-7          NodeDiskPressure   –             cleanup_disk           completed   −45h   –
//	50  shop/Deployment/legacy         HighMemoryUsage    fp-50         restart_pod            completed   −40d   –
//
// Every incident is in cluster prod-1 (production) except 7 (staging-1, staging). Durations
// (ms): 1 90 000, 2 60 000, 3 200 000, 5 80 000, 6 100 000, 40 180 000, 41 500 000,
// 7 and 18 none (in flight), every other 100 000. Remediation request ids: 1 and 2
// RRRestart, 3 RRScale, 10 RRGateway, 31 RRIdxCPU, 40 RRWorker7, the others rr-<id>.
func Events() []domain.IncidentEvent {
	const h, d = time.Hour, 24 * time.Hour
	// Room for every row, so the pointers add returns stay valid.
	out := make([]domain.IncidentEvent, 0, 64)
	add := func(id int64, ns, kind, name, alert, fp, action, status string, ago time.Duration, s float64) *domain.IncidentEvent {
		e := domain.IncidentEvent{
			ID: id, Name: alert, RemediationRequestID: "rr-" + strconv.FormatInt(id, 10), Namespace: nullable(ns),
			ClusterName: ptr("prod-1"), Environment: ptr("production"), TargetResource: kind, TargetName: name,
			Status: ptr(status), Severity: "critical", ActionType: action, StartTime: Now.Add(-ago),
			AlertFingerprint: nullable(fp), DurationMs: ptr(int64(100_000)), Embedding: embedding(id, s),
		}
		out = append(out, e)
		return &out[len(out)-1]
	}
	const none = -1 // no embedding
	add(1, "shop", "Deployment", "api", "HighMemoryUsage", "fp-api-mem", "restart_pod", "failed", 3*h, 0.98).RemediationRequestID = RRRestart
	add(2, "shop", "Deployment", "api", "HighMemoryUsage", "fp-api-mem", "restart_pod", "failed", 2*h+50*time.Minute, 1).RemediationRequestID = RRRestart
	add(3, "shop", "Deployment", "api", "HighMemoryUsage", "fp-api-mem", "scale_deployment", "rolled-back", 2*h, none).RemediationRequestID = RRScale
	add(5, "shop", "Deployment", "api", "HighCPUUsage", "fp-api-cpu", "scale_deployment", "completed", 10*d, 0.10)
	add(6, "shop", "Deployment", "api", "HighCPUUsage", "fp-api-cpu", "scale_deployment", "completed", 12*d, 0.10)
	e7 := add(7, "shop", "Deployment", "api", "CPUThrottlingHigh", "fp-api-thr", "increase_cpu_limit", "pending", 5*d, none)
	e7.ClusterName, e7.Environment, e7.DurationMs = ptr("staging-1"), ptr("staging"), nil
	add(8, "shop", "Deployment", "api", "PodCrashLoop", "fp-api-crash", "restart_pod", "completed", 40*d, none)
	add(9, "shop-canary", "Deployment", "api", "HighMemoryUsage", "fp-9", "increase_memory_limit", "completed", 5*d, 0.97)
	add(10, "pay", "Deployment", "gateway", "HighMemoryUsage", "fp-10", "increase_memory_limit", "completed", 6*d, 0.95).RemediationRequestID = RRGateway
	add(11, "search", "StatefulSet", "es", "HighMemoryUsage", "fp-11", "increase_memory_limit", "completed", 7*d, 0.90)
	add(12, "search", "Deployment", "indexer", "OOMKilled", "fp-12", "increase_memory_limit", "failed", 8*d, 0.85)
	add(13, "pay", "Deployment", "fraud", "OOMKilled", "fp-13", "increase_memory_limit", "completed", 9*d, 0.80)
	add(14, "auth", "Deployment", "auth", "HighMemoryUsage", "fp-14", "restart_pod", "completed", 10*d, 0.92)
	add(15, "auth", "Deployment", "session", "HighMemoryUsage", "fp-15", "scale_deployment", "completed", 11*d, 0.75)
	add(16, "cart", "Deployment", "cart", "HighMemoryUsage", "fp-16", "rollback_deployment", "completed", 12*d, 0.88)
	add(17, "cart", "Deployment", "cart-worker", "HighMemoryUsage", "fp-17", "rollback_deployment", "completed", 13*d, 0.72)
	add(18, "", "Node", "worker-3", "NodeMemoryPressure", "fp-18", "cordon_drain_node", "executing", 1*h, 0.86).DurationMs = nil
	add(19, "data", "Deployment", "etl", "HighCPUUsage", "fp-19", "scale_deployment", "completed", 14*d, 0.30)
	add(20, "data", "Deployment", "etl2", "HighMemoryUsage", "fp-20", "increase_memory_limit", "completed", 15*d, none)
	add(21, "cart", "Deployment", "checkout", "HighMemoryUsage", "fp-21", "increase_cpu_limit", "completed", 16*d, 0.78)
	add(22, "cart", "Deployment", "web", "HighMemoryUsage", "fp-22", "adjust_hpa", "completed", 17*d, 0.71)
	add(23, "shop", "StatefulSet", "api", "HighMemoryUsage", "fp-23", "increase_memory_limit", "completed", 18*d, 0.96)
	add(30, "search", "Deployment", "idx", "HighCPUUsage", "", "scale_deployment", "failed", 24*h, none)
	add(31, "search", "Deployment", "idx", "HighCPUUsage", "", "increase_cpu_limit", "rolled-back", 23*h, none).RemediationRequestID = RRIdxCPU
	add(32, "search", "Deployment", "idx2", "HighCPUUsage", "", "rollback_deployment", "completed", 22*h, none)
	add(33, "search", "StatefulSet", "idx", "HighCPUUsage", "", "rollback_deployment", "completed", 22*h, none)
	add(34, "search2", "Deployment", "idx", "HighCPUUsage", "", "rollback_deployment", "completed", 22*h, none)
	add(35, "search", "Deployment", "idx", "HighMemoryUsage", "", "rollback_deployment", "completed", 22*h, none)
	add(36, "search", "Deployment", "idx", "HighCPUUsage", "fp-36", "scale_deployment", "completed", 30*d, none)
	add(37, "search", "deployment", "idx", "HighCPUUsage", "", "rollback_deployment", "completed", 20*h, none)
	add(40, "", "Node", "worker-7", "NodeDiskPressure", "", "cleanup_disk", "failed", 48*h, none).RemediationRequestID = RRWorker7
	add(41, "", "Node", "worker-7", "NodeDiskPressure", "", "cordon_drain_node", "completed", 47*h, none)
	add(42, "", "Node", "worker-7", "NodeDiskPressure", "", "cleanup_disk", "completed", 46*h, none).Namespace = ptr("")
	add(43, "default", "Node", "worker-7", "NodeDiskPressure", "", "cleanup_disk", "completed", 45*h, none)
	add(50, "shop", "Deployment", "legacy", "HighMemoryUsage", "fp-50", "restart_pod", "completed", 40*d, none)

	durations := map[int64]int64{1: 90_000, 2: 60_000, 3: 200_000, 5: 80_000, 6: 100_000, 40: 180_000, 41: 500_000}
	for i := range out {
		if ms, ok := durations[out[i].ID]; ok {
			out[i].DurationMs = ptr(ms)
		}
	}
	return out
}

// embedding is s·e0 + √(1−s²)·e_id, or nil for s < 0.
func embedding(id int64, s float64) []float32 {
	if s < 0 {
		return nil
	}
	v := make([]float32, domain.EmbeddingDimensions)
	v[0] = float32(s)
	if s < 1 {
		v[id] = float32(math.Sqrt(1 - s*s))
	}
	return v
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }
