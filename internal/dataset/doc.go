// Package dataset holds the built-in demo data set: the remediation history of a made-up
// shop's four clusters (prod-us-east-1, prod-eu-west-1, staging-us-east-1, dev-local) over
// the 90 days before now, 355 incidents with 384-dimensional embeddings. `contextapi serve`
// shows it when no database is configured, docs/tour.md walks through it, and
// `contextapi seed --dataset demo` loads it into PostgreSQL.
//
// Most incidents are generated from the vocabulary (alerts, the actions each is fixed with
// and how often they work, objects, clusters); around them sit hand-written stories. Their
// ids below do not depend on now (TestDemoStoriesAreWhereTheDocumentationSays keeps them
// true); their remediation request ids are the Story* constants.
//
//  1. Repeated attempts (HighMemoryUsage on Deployment checkout-api, namespace checkout,
//     prod-us-east-1, six days ago, fingerprint 7ddf6f50493d07c5): 281 and 282 restart_pod
//     failed, the second a retry under the same remediation request (StoryCheckoutRestart);
//     285 scale_deployment rolled-back (StoryCheckoutScale); 288 increase_memory_limit
//     completed (StoryCheckoutMemory). Other objects' HighMemoryUsage fixed by
//     increase_memory_limit: 240 payment-gateway, 197 search-api, 172 elasticsearch-data,
//     163 prometheus-k8s, 133 cart-service (staging); OOMKilled on fraud-scorer, 269. The
//     recovery context of StoryCheckoutRestart suggests increase_memory_limit.
//  2. Repeated attempts (PodCrashLoop on Deployment payments-api, payments, prod-eu-west-1,
//     two days ago): 319 restart_pod failed, 321 increase_memory_limit rolled-back, 322
//     rollback_deployment completed. Crash loops elsewhere fixed by a rollback: 299 indexer,
//     252 checkout-worker, 211 auth-service, 150 etl-runner (and 235, grafana, by a
//     restart). The recovery context of StoryPaymentsRestart suggests rollback_deployment.
//  3. Repeated attempts without a fingerprint, matched by alert, namespace and object
//     (HighCPUUsage on Deployment search-api, search, nine days ago): 261 scale_deployment
//     failed, 262 increase_cpu_limit rolled-back, 265 rollback_deployment completed. CPU
//     regressions elsewhere fixed by a rollback: 279 auth-service, 192 fraud-scorer, 143
//     indexer, 99 cart-service. The recovery context of StorySearchScale suggests
//     rollback_deployment.
//  4. Repeated attempts written before migration 008, so without fingerprint, cluster or
//     environment (PersistentVolumeClaimPending on data-kafka-2, data, 84 days ago): 17 and
//     18 create_persistent_volume failed, 19 update_storage_class completed.
//  5. Repeated attempts on a node, no namespace (NodeDiskPressure on Node worker-07,
//     prod-us-east-1, 15 days ago): 223 and 224 cleanup_disk failed, a retry under one
//     remediation request (StoryWorker07Cleanup); 225 cordon_drain_node completed.
//  6. In flight after failures (NodeNotReady on Node worker-03, prod-us-east-1, the last
//     three hours): 346 restart_kubelet failed, 347 reboot_node failed, 349
//     cordon_drain_node executing (StoryWorker03Drain).
//  7. Queued after failures (DatabaseConnectionPoolExhaustion on Deployment pgbouncer, data,
//     prod-eu-west-1, the last five hours): 343 restart_pod failed, 345 scale_deployment
//     rolled-back, 351 increase_connection_pool pending (StoryPgbouncerPool).
//  8. One object's history (Deployment checkout-api in checkout, for the historical
//     context): besides story 1, HighCPUUsage fixed by scale_deployment (339 in
//     prod-eu-west-1, 333, 245, and 109 which is 44 days old), ImagePullBackOff (306),
//     HighErrorRate (160 restart_pod failed, 161 and 215 rollback_deployment),
//     CPUThrottlingHigh in staging (179): 13 incidents, 12 of them in the last 30 days.
//     Deployment checkout-legacy in checkout has history older than 30 days only: 123
//     (38 days), 87 (52 days) and 21 (83 days, before migration 008).
//
// NULLs appear wherever the schema allows them: rows older than about 80 days mostly lack
// cluster, environment and fingerprint; nodes have no namespace; some alerts came without
// a fingerprint; in-flight rows have no end time or duration; only failed and rolled-back
// rows carry an error, and not all of them; two legacy rows have no status (phase
// pending); a few rows lack metadata, created_at, updated_at or an embedding.
//
// Times are offsets from now, so the weekly rhythm (five busy days, two quiet ones) is
// counted back from now, not aligned with calendar weekdays.
package dataset
