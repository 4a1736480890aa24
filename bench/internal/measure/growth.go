package measure

import (
	"context"
	"fmt"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/progress"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// GrowthResult is P9's measurement: costs at the largest size over the smallest.
type GrowthResult struct {
	Label        string             // e.g. 10k->1M
	Values       map[string]float64 // get, cursor, search
	Measurements []Measurement
	Notes        []string
}

// Growth times the smallest and the largest size side by side (P9): an uncached service
// on each database, their get-by-id, deepest cursor page and search interleaved in the
// same rounds, so the machine's drift between sizes, which run minutes apart, does not
// enter the ratio. A cost ratio is the smaller size's throughput over the larger's.
func Growth(ctx context.Context, cfg config.Config, bin contenders.Binary, sat load.Saturator, work string, lo, hi *SizeResult) (*GrowthResult, error) {
	label := lo.Label + "->" + hi.Label
	progress.Logf("%s: measuring cost growth", label)
	pLo, baseLo, err := bin.Serve(ctx, work, "service-uncached-"+lo.Label+"-growth", lo.DBURL, false)
	if err != nil {
		return nil, err
	}
	defer pLo.Stop()
	pHi, baseHi, err := bin.Serve(ctx, work, "service-uncached-"+hi.Label+"-growth", hi.DBURL, false)
	if err != nil {
		return nil, err
	}
	defer pHi.Stop()
	kinds := []string{"get", "cursor", "search"}
	targets := func(size, base string, wl workload.Workloads) []target {
		if len(wl.Cursors) == 0 {
			return nil
		}
		reqs := map[string][]load.Request{"get": wl.GetUncached, "cursor": {wl.Cursors[0].Deep}, "search": wl.Search}
		var out []target
		for _, k := range kinds {
			out = append(out, target{Name: k + " @" + size, Base: base, Reqs: reqs[k]})
		}
		return out
	}
	ts := append(targets(lo.Label, baseLo, lo.Workloads), targets(hi.Label, baseHi, hi.Workloads)...)
	if len(ts) != 2*len(kinds) {
		return nil, fmt.Errorf("%s: a size has no verified cursor", label)
	}
	e := &Env{Cfg: cfg, Saturator: sat}
	warm, run := e.saturate(ctx)
	s, err := rounds(ctx, cfg.Rounds, ts, warm, run)
	if err != nil {
		return nil, err
	}
	g := &GrowthResult{Label: label, Values: map[string]float64{}}
	for _, k := range kinds {
		g.Values[k] = ratio(s[k+" @"+lo.Label], s[k+" @"+hi.Label])
	}
	g.Measurements, g.Notes = summarise("cost growth (uncached)", Saturation, 0, s)
	return g, ctx.Err()
}
