package measure

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
)

// statementMix starts counting the statements the uncached service and B1 send; the
// function it returns compares them (by the service's op names) since then, and notes
// any difference: B1 must send what the service sends for P2 to compare like with like.
func (e *Env) statementMix(ctx context.Context) (func(what string), error) {
	read := func() (map[string]float64, map[string]float64, error) {
		svc, err := scrapeDB(ctx, e.ServiceUncached+"/metrics")
		if err != nil {
			return nil, nil, err
		}
		body, _, err := load.Send(ctx, e.Baselines[contenders.B1], load.Get("/debug/statements"), true)
		if err != nil {
			return nil, nil, err
		}
		b1 := map[string]float64{}
		if err := json.Unmarshal(body, &b1); err != nil {
			return nil, nil, err
		}
		out := map[string]float64{}
		for op, d := range svc {
			out[op] = d.Queries
		}
		return out, b1, nil
	}
	svc0, b10, err := read()
	if err != nil {
		return nil, fmt.Errorf("check: statement counts: %w", err)
	}
	return func(what string) {
		svc1, b11, err := read()
		if err != nil {
			e.note("statement mix (%s): unreadable: %v", what, err)
			return
		}
		ops := map[string]bool{}
		for op := range svc1 {
			ops[op] = true
		}
		for op := range b11 {
			ops[op] = true
		}
		for _, op := range slices.Sorted(maps.Keys(ops)) {
			s, b := svc1[op]-svc0[op], b11[op]-b10[op]
			if op != "ping" && math.Abs(s-b) > 1 { // the service's periodic statistics read is one
				e.note("statement mix (%s): the service sent %g %q statements, B1 %g: bench/internal/statements no longer mirrors the service", what, s, op, b)
				e.Res.Values["info.statement_mix_differs"] = 1
			}
		}
		svc0, b10 = svc1, b11
	}, nil
}
