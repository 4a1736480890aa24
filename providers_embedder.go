package contextapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/openai"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// TextSearch is how the service answers text queries: the embedder (nil without one),
// whether the store's embeddings are synthetic (the demo data: no text can match them),
// and a phrase for the first log line.
type TextSearch struct {
	Embedder    ports.Embedder
	Synthetic   bool
	Description string
}

// Options turns t into the service's options.
func (t TextSearch) Options() []app.Option {
	var opts []app.Option
	if t.Embedder != nil {
		opts = append(opts, app.WithEmbedder(t.Embedder))
	}
	if t.Synthetic {
		opts = append(opts, app.WithSyntheticEmbeddings())
	}
	return opts
}

// Start-up check of the embedder: how long start waits for its answer, and how often it
// is asked again in the background when it did not answer.
const (
	embedderStartBudget = 10 * time.Second
	embedderRecheck     = 30 * time.Second
)

// provideTextSearch connects the configured embedder and checks it at start with one
// embedding: a model of another dimension than the column's, or a request refused for
// good (wrong URL, key or model), refuses to start; an embedder that does not answer yet
// only delays text queries, which answer 503 until it does, and is checked again in the
// background until it answers. On the demo data no embedder is used.
func provideTextSearch(cfg Config, b Backend, reg *prometheus.Registry, logger *slog.Logger) (TextSearch, func(), error) {
	if b.Store == StoreDemo {
		if cfg.Embedder.Enabled() {
			logger.Warn("embedder_url ignored: the demo data's embeddings are synthetic, no text can match them; text queries answer 400")
		}
		return TextSearch{Synthetic: true, Description: "none (demo data)"}, func() {}, nil
	}
	if !cfg.Embedder.Enabled() {
		return TextSearch{Description: "none (no embedder_url)"}, func() {}, nil
	}
	opts := cfg.Embedder.ClientOptions()
	opts.Registerer = reg
	client, err := openai.New(opts)
	if err != nil {
		return TextSearch{}, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), embedderStartBudget)
	err = client.Check(ctx)
	cancel()
	if err != nil && !errors.Is(err, domain.ErrUnavailable) {
		return TextSearch{}, nil, fmt.Errorf("embedder at %s: %w", client.Endpoint(), err)
	}
	var e ports.Embedder = client
	closeCache := func() {}
	if cfg.Embedder.CacheMaxBytes > 0 {
		cached, err := cache.NewEmbedder(client, cache.EmbedderOptions{Model: cfg.Embedder.Model, MaxBytes: cfg.Embedder.CacheMaxBytes, Registerer: reg})
		if err != nil {
			return TextSearch{}, nil, err
		}
		e, closeCache = cached, cached.Close
	}
	desc := fmt.Sprintf("%s (model %s)", client.Endpoint(), cfg.Embedder.Model)
	if err == nil {
		return TextSearch{Embedder: e, Description: desc}, closeCache, nil
	}
	logger.Error("the embedder does not answer: text queries answer 503 until it does; checking again every "+embedderRecheck.String(),
		"endpoint", client.Endpoint(), "error", err.Error())
	stop := recheckEmbedder(client, embedderRecheck, logger)
	return TextSearch{Embedder: e, Description: desc + ", not answering yet"}, func() { stop(); closeCache() }, nil
}

// recheckEmbedder checks the embedder every interval until it answers, and logs the
// outcome: a model of the wrong dimension is an error every text query will meet too.
// The returned func stops it and waits for it.
func recheckEmbedder(client *openai.Embedder, interval time.Duration, logger *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			cctx, ccancel := context.WithTimeout(ctx, embedderStartBudget)
			err := client.Check(cctx)
			ccancel()
			switch {
			case err == nil:
				logger.Info("the embedder answers: text queries are served", "endpoint", client.Endpoint())
				return
			case ctx.Err() != nil:
				return
			case !errors.Is(err, domain.ErrUnavailable):
				logger.Error("the embedder answers, wrongly: text queries fail until it is fixed", "endpoint", client.Endpoint(), "error", err.Error())
				return
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}
