package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/promreg"
)

// Defaults of EmbedderOptions. A model's embedding of a text never changes, so the TTL
// only bounds how long a replaced model's answers outlive it.
const (
	DefaultEmbedderMaxBytes = 8 << 20
	DefaultEmbedderTTL      = time.Hour
)

// EmbedderOptions configure an Embedder cache.
type EmbedderOptions struct {
	// Model names the model behind next: part of every key.
	Model string
	// MaxBytes bounds the memory held (default DefaultEmbedderMaxBytes: ~5000 queries).
	MaxBytes int64
	// TTL is how long an embedding is kept (default DefaultEmbedderTTL).
	TTL time.Duration
	// Registerer receives contextapi_embedder_cache_requests_total (nil: none).
	Registerer prometheus.Registerer
}

// Embedder keeps the embeddings of query texts, bounded by memory, so a text asked
// again (an assistant repeating a question, a dashboard refreshing) costs no model call.
type Embedder struct {
	next         ports.Embedder
	model        string
	ttl          time.Duration
	store        *ristretto.Cache[string, []float32]
	hits, misses prometheus.Counter
}

var _ ports.Embedder = (*Embedder)(nil)

// NewEmbedder wraps next in a cache; Close releases it.
func NewEmbedder(next ports.Embedder, opts EmbedderOptions) (*Embedder, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultEmbedderMaxBytes
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultEmbedderTTL
	}
	store, err := ristretto.NewCache(&ristretto.Config[string, []float32]{
		NumCounters:        max(10*opts.MaxBytes/embeddingCost(domain.EmbeddingDimensions), 10_000),
		MaxCost:            opts.MaxBytes,
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cache: embeddings: %w", err)
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contextapi_embedder_cache_requests_total",
		Help: "Texts whose embedding was looked up in the query-embedding cache, by result: hit, miss (asked of the model).",
	}, []string{"result"})
	if opts.Registerer != nil {
		requests = promreg.Once(opts.Registerer, requests)
	}
	return &Embedder{
		next: next, model: opts.Model, ttl: opts.TTL, store: store,
		hits: requests.WithLabelValues("hit"), misses: requests.WithLabelValues("miss"),
	}, nil
}

// Close stops the cache's goroutines and drops its entries.
func (e *Embedder) Close() { e.store.Close() }

// Wait blocks until pending writes are applied; for tests.
func (e *Embedder) Wait() { e.store.Wait() }

// Embed answers the texts it holds from memory and asks next, in one call, for the
// others. Errors are never cached.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []string
	var at []int
	for i, text := range texts {
		if v, ok := e.store.Get(embeddingKey(e.model, text)); ok {
			e.hits.Inc()
			out[i] = append([]float32(nil), v...)
			continue
		}
		e.misses.Inc()
		missing = append(missing, text)
		at = append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := e.next.Embed(ctx, missing)
	if err != nil {
		return nil, err // the layer below wrapped it; this one adds nothing
	}
	if len(got) != len(missing) {
		return nil, fmt.Errorf("cache: embeddings: %d embeddings for %d texts", len(got), len(missing))
	}
	for j, v := range got {
		out[at[j]] = v
		e.store.SetWithTTL(embeddingKey(e.model, missing[j]), append([]float32(nil), v...), embeddingCost(len(v)), e.ttl)
	}
	return out, nil
}

// embeddingCost approximates an entry's bytes: the key (a hash, whatever the text's
// length), the vector of dims numbers and bookkeeping.
func embeddingCost(dims int) int64 {
	return int64(len("embedding:"+keyVersion+":")+64) + 4*int64(dims) + 64
}
