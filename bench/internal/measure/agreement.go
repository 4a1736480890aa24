package measure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
)

// Check asks every contender the workloads' questions before anything is timed and
// records each difference as a disagreement: same ids in the same order, same totals,
// same aggregation numbers; B0 the same bytes. Vector search is approximate: there it
// records recall@10 against EX (P5, P6) and whether the service returned
// min(limit, matches) rows. It returns an error only when it cannot ask.
func (e *Env) Check(ctx context.Context) error {
	cachedURIs := map[string]bool{}
	for _, r := range slices.Concat(e.Workloads.ListCached, e.Workloads.GetCached, e.Workloads.AggCached) {
		cachedURIs[r.URI] = true
	}
	mix, err := e.statementMix(ctx)
	if err != nil {
		return err
	}
	// Lists: the service (both), B1 (same JSON), B2 (same ids and total), B0 (bytes).
	seen := map[string]bool{}
	for _, r := range slices.Concat(e.Workloads.ListCached, e.Workloads.ListFiltered, e.Workloads.Large) {
		if seen[r.URI] {
			continue
		}
		seen[r.URI] = true
		answers, err := e.ask(ctx, r, contenders.Service, contenders.ServiceUncached, contenders.B1, contenders.B2)
		if err != nil {
			return err
		}
		e.compareLists(r.URI, answers)
		if cachedURIs[r.URI] {
			e.sameBytes(ctx, r, answers[contenders.Service])
		}
	}
	// Gets and aggregations: identical JSON from the service and B1.
	for _, r := range slices.Concat(e.Workloads.GetUncached[:24], e.Workloads.AggCached) {
		answers, err := e.ask(ctx, r, contenders.Service, contenders.ServiceUncached, contenders.B1)
		if err != nil {
			return err
		}
		for _, name := range []string{contenders.ServiceUncached, contenders.B1} {
			if d := diffJSON(answers[contenders.Service], answers[name]); d != "" {
				e.disagree("%s: %s and %s differ: %s", r.URI, contenders.Service, name, d)
			}
		}
		if cachedURIs[r.URI] {
			e.sameBytes(ctx, r, answers[contenders.Service])
		}
	}
	mix("lists, gets and aggregations")
	if err := e.prepareCursors(ctx); err != nil {
		return err
	}
	return e.checkSearch(ctx)
}

// ask sends r to the named contenders and returns their bodies.
func (e *Env) ask(ctx context.Context, r load.Request, names ...string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range names {
		body, err := e.askOne(ctx, name, r)
		if err != nil {
			return nil, fmt.Errorf("check: %s: %w", name, err)
		}
		out[name] = body
	}
	return out, nil
}

// askOne sends r to one contender for the check, noting any 503 it had to retry.
func (e *Env) askOne(ctx context.Context, name string, r load.Request) ([]byte, error) {
	body, _, retried, err := load.SendPatiently(ctx, e.baseOf(name), r)
	if retried > 0 {
		e.note("check: %s answered 503 %d time(s) to %s %s before answering", name, retried, r.Method, r.URI)
	}
	return body, err
}

// sameBytes checks that B0 serves exactly the cached service's bytes.
func (e *Env) sameBytes(ctx context.Context, r load.Request, want []byte) {
	got, _, err := load.Send(ctx, e.Baselines[contenders.B0], r, true)
	if err != nil || !bytes.Equal(got, want) {
		e.disagree("%s: B0 does not serve the service's bytes (%v)", r.URI, err)
	}
}

// listAnswer is the part of a list page every contender must agree on.
type listAnswer struct {
	Incidents []struct {
		ID int64 `json:"id"`
	} `json:"incidents"`
	Total           int64   `json:"total"`
	TotalIsEstimate bool    `json:"total_is_estimate"`
	NextCursor      *string `json:"next_cursor"`
}

func (a listAnswer) ids() []int64 {
	out := make([]int64, len(a.Incidents))
	for i, it := range a.Incidents {
		out[i] = it.ID
	}
	return out
}

func (e *Env) compareLists(uri string, answers map[string][]byte) {
	parsed := map[string]listAnswer{}
	for name, body := range answers {
		var a listAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			e.disagree("%s: %s answered no list page: %v", uri, name, err)
			return
		}
		parsed[name] = a
	}
	svc := parsed[contenders.Service]
	if d := diffJSON(answers[contenders.Service], answers[contenders.ServiceUncached]); d != "" {
		e.disagree("%s: cached and uncached service differ: %s", uri, d)
	}
	// B1 runs the same statements and encodes the same JSON; only its (unsigned) cursor
	// may differ.
	if d := diffJSON(withoutCursor(answers[contenders.Service]), withoutCursor(answers[contenders.B1])); d != "" {
		e.disagree("%s: service and B1 differ: %s", uri, d)
	}
	// B2 counts exactly in its one statement: where the service returns an estimate
	// (docs/api.md §3.2 allows it, flagged), its error is recorded, not a disagreement.
	b2 := parsed[contenders.B2]
	if !slices.Equal(svc.ids(), b2.ids()) {
		e.disagree("%s: service ids %v, B2 ids %v", uri, svc.ids(), b2.ids())
	}
	switch off := math.Abs(float64(svc.Total-b2.Total)) / float64(max(b2.Total, 1)); {
	case !svc.TotalIsEstimate && svc.Total != b2.Total:
		e.disagree("%s: service total %d, B2 (exact) total %d", uri, svc.Total, b2.Total)
	case svc.TotalIsEstimate:
		e.note("%s: estimated total %d, exact %d (%.1f%% off)", uri, svc.Total, b2.Total, 100*off)
		e.Res.Values["info.max_estimate_error"] = max(e.Res.Values["info.max_estimate_error"], off)
	}
}

// withoutCursor drops next_cursor's value (keeping whether it is null).
func withoutCursor(body []byte) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if m["next_cursor"] != nil {
		m["next_cursor"] = "…"
	}
	out, _ := json.Marshal(m)
	return out
}

// diffJSON describes the first difference between two JSON documents ("" if none);
// numbers compare equal within a relative 1e-9.
func diffJSON(a, b []byte) string {
	var va, vb any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if err := da.Decode(&va); err != nil {
		return "first is not JSON"
	}
	if err := db.Decode(&vb); err != nil {
		return "second is not JSON"
	}
	return diffValue("$", va, vb)
}

func diffValue(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return path + ": different objects"
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if d := diffValue(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path + ": different arrays"
		}
		for i := range x {
			if d := diffValue(path+"["+strconv.Itoa(i)+"]", x[i], y[i]); d != "" {
				return d
			}
		}
	case json.Number:
		y, ok := b.(json.Number)
		fx, e1 := x.Float64()
		fy, e2 := y.Float64()
		if !ok || e1 != nil || e2 != nil || math.Abs(fx-fy) > 1e-9*math.Max(1, math.Abs(fx)) {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
	default:
		if a != b {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
	}
	return ""
}
