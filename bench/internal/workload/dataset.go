// Package workload builds the requests each target is measured with, from the shape of
// a size's data (Discover): namespaces by size, existing ids, query vectors.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// Dataset is what the bench learns about a size's data before building its workloads.
type Dataset struct {
	Rows          int64
	Namespaces    []string // non-null namespaces, most incidents first
	Selective     string   // the namespace nearest 1% of incidents (P6)
	SelectiveRows int64
	GetIDs        []int64     // ids for get-by-id
	Vectors       [][]float64 // query vectors: stored embeddings, perturbed
	Since30       string      // now − 30 days, the P7 window
}

// Discover reads the data's shape: namespaces by size, ids, query vectors.
func Discover(ctx context.Context, pool *pgxpool.Pool, sql *statements.Set, vectors int, since30 time.Time) (*Dataset, error) {
	d := &Dataset{Since30: since30.UTC().Format(time.RFC3339)}
	rows, err := pool.Query(ctx, `SELECT rr.namespace, count(*) FROM `+sql.Joined+` GROUP BY 1 ORDER BY 2 DESC, 1`)
	if err != nil {
		return nil, err
	}
	type nsCount struct {
		name *string
		n    int64
	}
	var counts []nsCount
	for rows.Next() {
		var c nsCount
		if err := rows.Scan(&c.name, &c.n); err != nil {
			rows.Close()
			return nil, err
		}
		counts = append(counts, c)
		d.Rows += c.n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	best := math.Inf(1)
	for _, c := range counts {
		if c.name == nil {
			continue
		}
		d.Namespaces = append(d.Namespaces, *c.name)
		if off := math.Abs(float64(c.n)/float64(d.Rows) - 0.01); off < best {
			best, d.Selective, d.SelectiveRows = off, *c.name, c.n
		}
	}
	if len(d.Namespaces) < 8 || d.Rows < 1000 {
		return nil, fmt.Errorf("the data set is too small for the workloads (%d traces, %d namespaces)", d.Rows, len(d.Namespaces))
	}
	rng := rand.New(rand.NewPCG(42, uint64(d.Rows))) // #nosec G404 -- workloads must be reproducible from a seed, not secret
	if d.GetIDs, err = existingIDs(ctx, pool, sql, rng, d.Rows, 64); err != nil {
		return nil, err
	}
	if d.Vectors, err = queryVectors(ctx, pool, rng, d.Rows, vectors); err != nil {
		return nil, err
	}
	return d, nil
}

// existingIDs draws n distinct ids present in the data (synthetic ids are 1..N).
func existingIDs(ctx context.Context, pool *pgxpool.Pool, sql *statements.Set, rng *rand.Rand, rows int64, n int) ([]int64, error) {
	cand := make([]int64, 0, 4*n)
	for range 4 * n {
		cand = append(cand, 1+rng.Int64N(rows))
	}
	r, err := pool.Query(ctx, `SELECT DISTINCT rat.id FROM `+sql.Joined+` WHERE rat.id = ANY($1) ORDER BY 1`, cand)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var ids []int64
	for r.Next() {
		var id int64
		if err := r.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if len(ids) < n {
		return nil, errors.New("too few ids found")
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:n], r.Err()
}

// queryVectors takes stored embeddings of random incidents and moves each a little
// (Gaussian noise of norm 0.15, renormalised): a new incident like a past one, the
// question semantic search answers.
func queryVectors(ctx context.Context, pool *pgxpool.Pool, rng *rand.Rand, rows int64, n int) ([][]float64, error) {
	cand := make([]int64, 0, 2*n)
	for range 2 * n {
		cand = append(cand, 1+rng.Int64N(rows))
	}
	r, err := pool.Query(ctx, `SELECT embedding::text FROM resource_action_traces
		WHERE id = ANY($1) AND embedding IS NOT NULL ORDER BY id LIMIT $2`, cand, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out [][]float64
	for r.Next() {
		var text string
		if err := r.Scan(&text); err != nil {
			return nil, err
		}
		v, err := ParseVector(text)
		if err != nil {
			return nil, err
		}
		out = append(out, Perturb(rng, v, 0.15))
	}
	if len(out) == 0 {
		return nil, errors.New("no stored embedding found")
	}
	return out, r.Err()
}

// ParseVector reads pgvector's text form "[1,2,3]".
func ParseVector(s string) ([]float64, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	parts := strings.Split(s, ",")
	out := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("vector: %w", err)
		}
		out[i] = f
	}
	return out, nil
}

// Perturb moves v by Gaussian noise of the given norm and renormalises it.
func Perturb(rng *rand.Rand, v []float64, norm float64) []float64 {
	noise := make([]float64, len(v))
	var nn float64
	for i := range noise {
		noise[i] = rng.NormFloat64()
		nn += noise[i] * noise[i]
	}
	out := make([]float64, len(v))
	var on float64
	for i := range v {
		out[i] = v[i] + norm*noise[i]/math.Sqrt(nn)
		on += out[i] * out[i]
	}
	for i := range out {
		out[i] /= math.Sqrt(on)
	}
	return out
}
