package postgres

import (
	"context"
	"reflect"
	"sort"

	"github.com/contextapi/contextapi/internal/domain"
)

// Search returns the incidents nearest to q.Embedding by cosine distance (<=>, the
// operator of the HNSW vector_cosine_ops index). Filters sit in the same WHERE as the
// distance bound. A filter the planner expects to match few incidents is searched
// exactly, every matching row compared. Otherwise the index serves: with
// hnsw.iterative_scan on (set with every statement) its scan goes on until the limit is met,
// and when it still comes back short an exact scan decides, so a search returns
// min(limit, matches) rows.
func (r *Repository) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	ok, err := r.hasEmbedding(ctx)
	if err != nil {
		return nil, domain.Read{}, err
	}
	if !ok {
		return []domain.ScoredIncident{}, domain.Read{}, nil // an older schema: nothing is searchable
	}
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return nil, domain.Read{}, err
	}
	if r.efSearchRule != nil {
		// Refreshes the table's size, which ef_search follows, at most once a minute.
		if _, _, err := r.tableRows(ctx); err != nil {
			return nil, domain.Read{}, err
		}
	}
	exactFirst, err := r.selective(ctx, q.Filter)
	if err != nil {
		return nil, domain.Read{}, err
	}
	var records []incidentRecord
	if !exactFirst {
		records, err = r.fetch(ctx, "search", searchQuery(r.session(ctx), q, cols, false), q.IncludeEmbedding, true)
		if err != nil {
			return nil, domain.Read{}, translate(ctx, "semantic search", err)
		}
	}
	if exactFirst || len(records) < q.Limit {
		// The index scan gives up after hnsw.max_scan_tuples candidates, so a selective
		// filter or a high threshold can leave it short. Only an exact scan can tell
		// whether more matches exist; it runs over the filtered rows alone.
		records, err = r.fetch(ctx, "search_exact", searchQuery(r.session(ctx), q, cols, true), q.IncludeEmbedding, true)
		if err != nil {
			return nil, domain.Read{}, translate(ctx, "semantic search", err)
		}
	}
	// Relaxed iterative scans may return rows slightly out of order; equal distances
	// are ordered by id descending, as docs/api.md §3.3 says.
	sort.SliceStable(records, func(i, j int) bool {
		if records[i].Distance != records[j].Distance {
			return records[i].Distance < records[j].Distance
		}
		return records[i].ID > records[j].ID
	})
	out := make([]domain.ScoredIncident, len(records))
	for i, rec := range records {
		out[i] = domain.ScoredIncident{Incident: rec.toDomain(), Similarity: 1 - rec.Distance}
	}
	return out, domain.Read{}, nil
}

// defaultExactSearchRows is where a filter is selective enough that comparing every
// row it matches beats walking the HNSW graphs: the exact answer costs about what the
// index scan does, and an iterative index scan that must skip most of what it finds
// misses neighbours (recall 0.94 at 1%, docs/targets.md).
const defaultExactSearchRows = 20_000

// selective says whether f matches few enough incidents for an exact search, from the
// planner's (remembered) estimate. Without a filter the index always serves.
func (r *Repository) selective(ctx context.Context, f domain.Filter) (bool, error) {
	if r.exactSearchRows < 0 || reflect.ValueOf(f).IsZero() {
		return false, nil
	}
	rows, analysed, err := r.tableRows(ctx)
	if err != nil {
		return false, err
	}
	if rows <= int64(r.exactSearchRows) {
		return true, nil
	}
	estimate, err := r.estimate(ctx, f, rows, analysed)
	if err != nil {
		return false, err
	}
	return estimate <= int64(r.exactSearchRows), nil
}

// EfSearchFor is the hnsw.ef_search for a traces table of this many rows, chosen by
// measurement with this schema's graphs (m=16, ef_construction=128, one per monthly
// partition; docs/performance.md): at 100k traces 100 gives recall@10 0.986 within the
// latency bound, at 1M it gives 0.940 where 200 gives 0.954. Larger tables are
// unmeasured.
func EfSearchFor(rows int64) int {
	if rows > 500_000 {
		return 200
	}
	return 100
}
