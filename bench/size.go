package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/database"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/measure"
	"github.com/contextapi/contextapi/bench/internal/progress"
	"github.com/contextapi/contextapi/bench/internal/statements"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// sizeRun is what every size of a run shares.
type sizeRun struct {
	cfg       config.Config
	bin       contenders.Binary
	work      string // the run's temporary directory: logs, B0's bodies, wrk's scripts
	goldenDir string
	sql       *statements.Set
	sat       load.Saturator
}

// run provisions one size, starts its contenders, checks and measures them.
func (r sizeRun) run(ctx context.Context, sz config.Size) (*measure.SizeResult, error) {
	cfg := r.cfg
	dbURL, asOf, err := database.Ensure(ctx, cfg, r.bin, sz)
	if err != nil {
		return nil, err
	}
	if time.Since(asOf) > 24*time.Hour {
		progress.Logf("%s: note: the data was generated %s ago; time windows see less of it", sz.Label, time.Since(asOf).Round(time.Hour))
	}
	dbURL = database.WithSocket(dbURL, cfg.Socket)
	e := &measure.Env{Cfg: cfg, Size: sz, SQL: r.sql, Saturator: r.sat,
		Res: &measure.SizeResult{Label: sz.Label, Rows: sz.Rows, AsOf: asOf, Values: map[string]float64{}, DBURL: dbURL}}
	e.Note("load average at start: %s", loadAvg())
	defer func() { e.Note("load average at end: %s", loadAvg()) }()
	e.Pool, err = database.NewPool(ctx, dbURL, "contextapi-bench", 4, 5*time.Minute, map[string]string{
		"hnsw.ef_search": fmt.Sprint(cfg.EfSearchOf(sz)), "hnsw.iterative_scan": cfg.IterativeScan,
	})
	if err != nil {
		return nil, err
	}
	defer e.Pool.Close()
	progress.Logf("%s: reading the data's shape", sz.Label)
	if e.Data, err = workload.Discover(ctx, e.Pool, r.sql, cfg.VectorCount(sz), time.Now().Add(-30*24*time.Hour)); err != nil {
		return nil, err
	}
	e.Workloads = workload.Build(e.Data)

	cached, svc, err := r.bin.Serve(ctx, r.work, "service-"+sz.Label, dbURL, true)
	if err != nil {
		return nil, err
	}
	defer cached.Stop()
	uncached, svcU, err := r.bin.Serve(ctx, r.work, "service-uncached-"+sz.Label, dbURL, false)
	if err != nil {
		return nil, err
	}
	defer uncached.Stop()
	e.Service, e.ServiceUncached = svc, svcU

	bodies, err := e.Capture(ctx)
	if err != nil {
		return nil, err
	}
	bodiesPath := r.work + "/b0-" + sz.Label + ".json"
	if err := writeJSONFile(bodiesPath, bodies); err != nil {
		return nil, err
	}
	bl, bases, err := contenders.StartBaselines(ctx, r.work, dbURL, r.goldenDir, bodiesPath, cfg.EfSearchOf(sz), cfg.IterativeScan)
	if err != nil {
		return nil, err
	}
	defer bl.Stop()
	e.Baselines = bases

	progress.Logf("%s: checking that every contender gives the same answers", sz.Label)
	if err := e.Check(ctx); err != nil {
		return nil, err
	}
	if len(e.Res.Disagreements) > 0 {
		progress.Logf("%s: contenders disagree: not timing them", sz.Label)
		return e.Res, nil
	}
	if err := e.Measure(ctx); err != nil {
		return nil, err
	}
	if err := e.Replicas(ctx, r.bin, r.work); err != nil {
		return nil, err
	}
	e.Res.Workloads = e.Workloads
	return e.Res, ctx.Err()
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
