package main

import (
	"context"
	"fmt"
)

// growthResult is P9's measurement: costs at the largest size over the smallest.
type growthResult struct {
	Label        string             // e.g. 10k->1M
	Values       map[string]float64 // get, cursor, search
	Measurements []measurement
	Notes        []string
}

// measureGrowth times the smallest and the largest size side by side (P9): an
// uncached service on each database, their get-by-id, deepest cursor page and search
// interleaved in the same rounds, so the machine's drift between sizes, which run
// minutes apart, does not enter the ratio. A cost ratio is the smaller size's
// throughput over the larger's.
func measureGrowth(ctx context.Context, cfg config, bin, work string, lo, hi *sizeResult) (*growthResult, error) {
	label := lo.Label + "->" + hi.Label
	logf("%s: measuring cost growth", label)
	pLo, baseLo, err := startService(ctx, bin, work, "service-uncached-"+lo.Label+"-growth", lo.dbURL, false)
	if err != nil {
		return nil, err
	}
	defer pLo.stop()
	pHi, baseHi, err := startService(ctx, bin, work, "service-uncached-"+hi.Label+"-growth", hi.dbURL, false)
	if err != nil {
		return nil, err
	}
	defer pHi.stop()
	kinds := []string{"get", "cursor", "search"}
	targets := func(size, base string, wl workloads) []target {
		if len(wl.Cursors) == 0 {
			return nil
		}
		reqs := map[string][]request{"get": wl.GetUncached, "cursor": {wl.Cursors[0].Deep}, "search": wl.Search}
		var out []target
		for _, k := range kinds {
			out = append(out, target{Name: k + " @" + size, Base: base, Reqs: reqs[k]})
		}
		return out
	}
	ts := append(targets(lo.Label, baseLo, lo.wl), targets(hi.Label, baseHi, hi.wl)...)
	if len(ts) != 2*len(kinds) {
		return nil, fmt.Errorf("%s: a size has no verified cursor", label)
	}
	warm := func(t target) { closedLoop(ctx, t, cfg.Conns, cfg.Warmup) }
	s := rounds(ctx, cfg, ts, warm, func(t target) phase { return closedLoop(ctx, t, cfg.Conns, cfg.Duration) })
	g := &growthResult{Label: label, Values: map[string]float64{}}
	for _, k := range kinds {
		g.Values[k] = ratio(s[k+" @"+lo.Label], s[k+" @"+hi.Label])
	}
	g.Measurements, g.Notes = summarise("cost growth (uncached)", "saturation", 0, s)
	return g, ctx.Err()
}
