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
//     working day and week (weekends about half as busy) and varies per day, with
//     storm days, so trend and time-window queries see real shape; no sort is needed.
//   - Skew: 41 alerts with hand-set Zipf-like weights in 12 families; 50 namespaces
//     with Zipf weights (s = 1); objects (about N/20, at least 400) drawn per kind with a
//     power law, so a few objects are noisy while every object has some history.
//     Nodes are cluster-scoped (NULL namespace) and belong to one cluster.
//   - Clusters: 8, each with one environment (production 64%, staging 18%, development
//     10%, test 8%); an object mostly alerts in its home cluster.
//   - Repeat attempts: a failed attempt is retried on the same object and fingerprint
//     10 minutes to 4 hours later (with an action not yet failed, when one is left; a
//     third of retries keep the remediation request id), a completed one re-fires 1–36
//     hours later one time in eight; up to four attempts per alert occurrence, so about
//     a fifth of fingerprints have 2–4 traces, earlier ones failed far more often.
//   - Status: completed about 85%, failed 12%, rolled-back 2.7% (success rates per alert
//     and action, lower in development and test); pending and executing only in the last
//     six hours (about 1.8 hours' worth of traces).
//   - NULLs where production has them: the oldest ~3% predate migration 008 (no cluster,
//     environment or fingerprint; a few also lack a status or created_at/updated_at), a
//     further ~2% of alerts come without a fingerprint, in-flight rows have no end or
//     duration, errors only on failures (95% of them), 10% without metadata, 2% without
//     an embedding, 0.3% without created_at/updated_at.
//   - Embeddings: clustered by alert, alerts of a family near each other, objects and
//     actions leaving a faint trace, with enough per-incident variation that clusters
//     overlap (see embeddings.go for the similarities this gives).
package synthetic
