// Package synthetic generates large, deterministic, realistic remediation histories for
// `contextapi seed --dataset synthetic --rows N --seed S`: the 10k, 100k and 1M trace sets
// the performance targets are measured on.
//
// A Set never holds its rows. All regenerates them on the fly from (rows, seed, now), so a
// million incidents with 384-dimensional embeddings (1.5 GB as float32) stream through in
// constant memory, and every pass yields the identical sequence (postgres.Load reads a
// source twice). Everything random comes from PCG generators seeded from the seed; neither
// the global generator nor the clock is consulted.
//
// What the data looks like, and why:
//   - Time: ids 1..N in ascending start time over the 90 days before now. Start times are
//     quantiles of an intensity that grows towards now (×0.55 → ×1.45), follows a UTC
//     working day and week (weekends about half as busy) and has per-day storms, so
//     trend and time-window queries see real shape without sorting anything.
//   - Skew: about 40 alerts with hand-set Zipf-like weights in 12 families; 50 namespaces
//     with Zipf weights (s = 1); objects (about N/20, at least 400) drawn per kind with a
//     power law, so a few objects are noisy and most have a handful of incidents.
//     Nodes are cluster-scoped (NULL namespace) and belong to one cluster.
//   - Clusters: 8, each with one environment (production 64%, staging 18%, development
//     10%, test 8%); an object mostly alerts in its home cluster.
//   - Repeat attempts: a failed attempt is retried on the same object and fingerprint
//     minutes to hours later (usually with another action), a completed one sometimes
//     re-fires hours later; up to four attempts per alert occurrence.
//   - Status: completed about 84%, failed 12%, rolled-back 3.5%; pending and executing
//     only in the last six hours.
//   - NULLs where production has them: the oldest ~3% predate migration 008 (no cluster,
//     environment or fingerprint), a further ~2% of alerts come without a fingerprint,
//     in-flight rows have no end or duration, errors only on failures, 10% without
//     metadata, 2% without embedding, a few without created_at/updated_at.
//   - Embeddings: clustered by alert, alerts of a family near each other, objects and
//     actions leaving a faint trace, with enough per-incident variation that clusters
//     overlap (see embeddings.go for the similarities this gives).
package synthetic
