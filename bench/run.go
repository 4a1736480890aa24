package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sizeResult is everything measured at one size.
type sizeResult struct {
	Label         string
	Rows          int
	AsOf          time.Time
	Disagreements []string
	Notes         []string
	Values        map[string]float64 // target inputs, keyed like "p1.list"
	Measurements  []measurement

	dbURL string    // for the cross-size phase (P9)
	wl    workloads // idem
}

// measurement is one contender's figures in one workload.
type measurement struct {
	Workload  string    `json:"workload"`
	Contender string    `json:"contender"`
	Mode      string    `json:"mode"` // saturation, fixed rate, one connection
	RPS       float64   `json:"rps,omitempty"`
	Rate      float64   `json:"rate,omitempty"`
	P50       float64   `json:"p50_ms"`
	P95       float64   `json:"p95_ms"`
	P99       float64   `json:"p99_ms"`
	Requests  int       `json:"requests"`
	Errors    int       `json:"errors"`
	Rounds    []float64 `json:"rounds_rps,omitempty"`
}

// env is one size's running contenders and data.
type env struct {
	cfg        config
	sz         size
	svcC, svcU string // base URLs of the cached and uncached service
	base       map[string]string
	pool       *pgxpool.Pool // the bench's own: discovery and raw-SQL timings
	data       *dataset
	wl         workloads
	res        *sizeResult
}

func (e *env) note(format string, args ...any) {
	e.res.Notes = append(e.res.Notes, fmt.Sprintf(format, args...))
}

func (e *env) disagree(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	logf("%s: DISAGREEMENT: %s", e.sz.Label, msg)
	e.res.Disagreements = append(e.res.Disagreements, msg)
}

// runSize provisions one size, starts its contenders, checks and measures them.
func runSize(ctx context.Context, cfg config, bin, work string, sz size) (*sizeResult, error) {
	dbURL, asOf, err := ensureDatabase(ctx, cfg, bin, sz)
	if err != nil {
		return nil, err
	}
	if time.Since(asOf) > 24*time.Hour {
		logf("%s: note: the data was generated %s ago; time windows see less of it", sz.Label, time.Since(asOf).Round(time.Hour))
	}
	dbURL = withSocket(dbURL, cfg.Socket)
	e := &env{cfg: cfg, sz: sz, res: &sizeResult{Label: sz.Label, Rows: sz.Rows, AsOf: asOf, Values: map[string]float64{}, dbURL: dbURL}}
	e.note("load average at start: %s", loadAvg())
	defer func() { e.note("load average at end: %s", loadAvg()) }()
	e.pool, err = newPool(ctx, dbURL, "contextapi-bench", 4, 5*time.Minute, map[string]string{
		"hnsw.ef_search": fmt.Sprint(efSearchOf(cfg, sz)), "hnsw.iterative_scan": cfg.IterativeScan,
	})
	if err != nil {
		return nil, err
	}
	defer e.pool.Close()
	logf("%s: reading the data's shape", sz.Label)
	if e.data, err = discover(ctx, e.pool, vectorCount(cfg, sz), time.Now().Add(-30*24*time.Hour)); err != nil {
		return nil, err
	}
	e.wl = buildWorkloads(e.data)

	cached, svcC, err := startService(ctx, bin, work, "service-"+sz.Label, dbURL, true)
	if err != nil {
		return nil, err
	}
	defer cached.stop()
	uncached, svcU, err := startService(ctx, bin, work, "service-uncached-"+sz.Label, dbURL, false)
	if err != nil {
		return nil, err
	}
	defer uncached.stop()
	e.svcC, e.svcU = svcC, svcU

	bodies, err := e.capture(ctx)
	if err != nil {
		return nil, err
	}
	bodiesPath := work + "/b0-" + sz.Label + ".json"
	if err := writeJSONFile(bodiesPath, bodies); err != nil {
		return nil, err
	}
	bl, addrs, err := startBaselines(ctx, cfg, efSearchOf(cfg, sz), work, dbURL, bodiesPath)
	if err != nil {
		return nil, err
	}
	defer bl.stop()
	e.base = map[string]string{}
	for name, addr := range addrs {
		e.base[name] = "http://" + addr
	}

	logf("%s: checking that every contender gives the same answers", sz.Label)
	if err := e.check(ctx); err != nil {
		return nil, err
	}
	if len(e.res.Disagreements) > 0 {
		logf("%s: contenders disagree: not timing them", sz.Label)
		return e.res, nil
	}
	if err := e.measure(ctx); err != nil {
		return nil, err
	}
	e.res.wl = e.wl
	return e.res, ctx.Err()
}

// vectorCount is how many query vectors a size gets: every size gets -recall-queries
// (a recall near 0.95 needs hundreds of answers to be told apart from it), except above
// 1M, where each exact scan takes a second or more.
func vectorCount(cfg config, sz size) int {
	if sz.Rows > 1_000_000 {
		return min(cfg.RecallQueries, 20)
	}
	return cfg.RecallQueries
}

// capture fetches every cached workload's answers from the cached service until they
// come from its cache; those bytes are what B0 serves.
func (e *env) capture(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	var reqs []request
	reqs = append(reqs, e.wl.ListCached...)
	reqs = append(reqs, e.wl.GetCached...)
	reqs = append(reqs, e.wl.AggCached...)
	misses := 0
	for _, r := range reqs {
		var body []byte
		hit := false
		for try := 0; try < 20 && !hit; try++ {
			b, h, _, err := sendPatiently(ctx, e.svcC, r)
			if err != nil {
				return nil, fmt.Errorf("capture %s: %w", r.URI, err)
			}
			body = b
			hit = strings.Contains(h.Get("Cache-Status"), "hit")
			if !hit {
				time.Sleep(20 * time.Millisecond) // ristretto's Set is asynchronous
			}
		}
		if !hit {
			misses++
		}
		out[r.URI] = string(body)
	}
	if misses > 0 {
		e.note("%d of %d cached requests never answered Cache-Status: hit during capture", misses, len(reqs))
	}
	return out, nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// loadAvg is the machine's 1, 5 and 15 minute load averages: other work on a shared
// machine shows there.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// efSearchOf is the hnsw.ef_search B1 and the raw statements use at this size: the
// flag's, or the service's own choice by table size.
func efSearchOf(cfg config, sz size) int {
	if cfg.EfSearch > 0 {
		return cfg.EfSearch
	}
	return efSearchFor(int64(sz.Rows))
}

// efSearchFor is the service's choice by table size (postgres.EfSearchFor; a test keeps
// the two equal).
func efSearchFor(rows int64) int {
	if rows > 500_000 {
		return 200
	}
	return 100
}
