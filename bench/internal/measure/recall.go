package measure

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
)

// searchIDs are the ids of a search answer, most similar first.
func searchIDs(body []byte) ([]int64, error) {
	var a listAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	return a.ids(), nil
}

// recallAt is |got ∩ want| / |want|: the share of the exact answer the approximate one
// found (1 when the exact answer is empty).
func recallAt(got, want []int64) float64 {
	if len(want) == 0 {
		return 1
	}
	hit := 0
	for _, id := range want {
		if slices.Contains(got, id) {
			hit++
		}
	}
	return float64(hit) / float64(len(want))
}

// checkSearch compares the service's searches with EX: recall@10 over the query
// vectors (P5), and, with a filter matching about 1% of incidents, whether every answer
// holds min(limit, matches) rows and its recall (P6). B1 runs the service's statements:
// its recall tells the database's share from the service's.
func (e *Env) checkSearch(ctx context.Context) error {
	ask := func(name string, r load.Request) ([]int64, error) {
		body, err := e.askOne(ctx, name, r)
		if err != nil {
			return nil, fmt.Errorf("check search: %s: %w", name, err)
		}
		return searchIDs(body)
	}
	mix, err := e.statementMix(ctx)
	if err != nil {
		return err
	}
	var recall, recallB1 []float64
	differ := 0
	for _, r := range e.Workloads.Search {
		ex, err := ask(contenders.EX, r)
		if err != nil {
			return err
		}
		svc, err := ask(contenders.ServiceUncached, r)
		if err != nil {
			return err
		}
		cached, err := ask(contenders.Service, r)
		if err != nil {
			return err
		}
		b1, err := ask(contenders.B1, r)
		if err != nil {
			return err
		}
		if !slices.Equal(svc, cached) {
			differ++
		}
		recall = append(recall, recallAt(svc, ex))
		recallB1 = append(recallB1, recallAt(b1, ex))
	}
	mix("searches")
	if differ > 0 {
		e.note("the cached and uncached service returned different searches for %d of %d vectors", differ, len(e.Workloads.Search))
	}
	e.Res.Values["p5.recall"] = mean(recall)
	e.Res.Values["info.recall_b1"] = mean(recallB1)

	var selRecall []float64
	ok, matches := 0, 0
	for _, r := range e.Workloads.SearchSelective {
		ex, err := ask(contenders.EX, r)
		if err != nil {
			return err
		}
		svc, err := ask(contenders.ServiceUncached, r)
		if err != nil {
			return err
		}
		matches += len(ex)
		if len(svc) == len(ex) { // EX returns min(limit, matches) by construction
			ok++
		} else {
			e.note("filtered search (namespace=%s): the service returned %d rows where %d match", e.Data.Selective, len(svc), len(ex))
		}
		selRecall = append(selRecall, recallAt(svc, ex))
	}
	n := float64(len(e.Workloads.SearchSelective))
	e.Res.Values["p6.rows_ok"] = float64(ok) / n
	e.Res.Values["p6.recall"] = mean(selRecall)
	e.Res.Values["info.p6_selectivity"] = float64(e.Data.SelectiveRows) / float64(e.Data.Rows)
	e.Res.Values["info.p6_mean_matches"] = float64(matches) / n
	return nil
}
