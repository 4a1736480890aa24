package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/time/rate"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// errInterrupted ends a run stopped by a signal, after its last complete batch.
var errInterrupted = errors.New("interrupted")

// embedJob fills missing embeddings batch by batch: read traces without one (keyset by
// id), embed their texts, write them. A restart continues where a run stopped, since
// filled traces are no longer read.
type embedJob struct {
	store     *postgres.EmbedWriter
	embedder  ports.Embedder
	batchSize int
	limit     int           // most traces this run reads; 0: all
	limiter   *rate.Limiter // requests to the embedder
	stopping  func() bool   // true once asked to stop after the current batch
	progress  func(done int)
	log       io.Writer // one line per trace the model refuses
}

// embedStats is what a run did.
type embedStats struct {
	Read     int // traces read without an embedding
	Embedded int // embeddings written
	Refused  int // traces whose text the model refused: left NULL
	Taken    int // traces another writer filled meanwhile: left as they were
}

func (j *embedJob) run(ctx context.Context) (embedStats, error) {
	var st embedStats
	var after int64
	for j.limit == 0 || st.Read < j.limit {
		if j.stopping() {
			return st, errInterrupted
		}
		n := j.batchSize
		if j.limit > 0 {
			n = min(n, j.limit-st.Read)
		}
		traces, err := j.store.NextUnembedded(ctx, after, n)
		if err != nil {
			return st, err
		}
		if len(traces) == 0 {
			break
		}
		after = traces[len(traces)-1].ID
		st.Read += len(traces)
		filled, err := j.embed(ctx, traces, &st)
		if err != nil {
			return st, err
		}
		written, err := j.store.Write(ctx, filled)
		if err != nil {
			return st, err
		}
		st.Embedded += written
		st.Taken += len(filled) - written
		j.progress(st.Read)
	}
	return st, nil
}

// embed asks the model for the batch's embeddings. When it refuses the batch (a text
// too long for it, say), it asks again trace by trace and leaves the refused ones out,
// so one bad trace cannot stop every run at the same place.
func (j *embedJob) embed(ctx context.Context, traces []postgres.UnembeddedTrace, st *embedStats) ([]postgres.TraceEmbedding, error) {
	vecs, err := j.ask(ctx, traces)
	if err == nil {
		return withEmbeddings(traces, vecs), nil
	}
	if !errors.Is(err, domain.ErrInvalidArgument) || len(traces) == 1 {
		if errors.Is(err, domain.ErrInvalidArgument) {
			st.Refused++
			fmt.Fprintf(j.log, "trace %d left without an embedding: %v\n", traces[0].ID, err)
			return nil, nil
		}
		return nil, err
	}
	var out []postgres.TraceEmbedding
	for i := range traces {
		one, err := j.embed(ctx, traces[i:i+1], st)
		if err != nil {
			return nil, err
		}
		out = append(out, one...)
	}
	return out, nil
}

func (j *embedJob) ask(ctx context.Context, traces []postgres.UnembeddedTrace) ([][]float32, error) {
	if err := j.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	texts := make([]string, len(traces))
	for i, t := range traces {
		texts[i] = t.Text.Text()
	}
	return j.embedder.Embed(ctx, texts)
}

func withEmbeddings(traces []postgres.UnembeddedTrace, vecs [][]float32) []postgres.TraceEmbedding {
	out := make([]postgres.TraceEmbedding, len(traces))
	for i, t := range traces {
		out[i] = postgres.TraceEmbedding{ID: t.ID, ActionTimestamp: t.ActionTimestamp, Embedding: vecs[i]}
	}
	return out
}
