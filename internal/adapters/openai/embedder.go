package openai

import (
	"context"
	"errors"
	"fmt"

	"github.com/contextapi/contextapi/internal/ports"
)

// Embedder asks an OpenAI-compatible embeddings endpoint for embeddings.
type Embedder struct {
	opts     Options
	endpoint string
	key      string
	metrics  *metrics
}

var _ ports.Embedder = (*Embedder)(nil)

// DimensionError says the model answers with embeddings of another length than the
// column's: a different model than the one that made (or will make) the stored ones.
type DimensionError struct {
	Got, Want int
}

// Error names both lengths and what to do.
func (e *DimensionError) Error() string {
	return fmt.Sprintf("the model returns embeddings of %d numbers, the embedding column holds %d: "+
		"serve a model of %d dimensions (all-MiniLM-L6-v2)", e.Got, e.Want, e.Want)
}

// New returns an Embedder for opts. It reads the key file now, so a missing key is a
// start-up error, not a failure of the first query.
func New(opts Options) (*Embedder, error) {
	opts = opts.withDefaults()
	endpoint, err := Endpoint(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("openai: embedder_url %w", err)
	}
	e := &Embedder{opts: opts, endpoint: endpoint, metrics: newMetrics(opts.Registerer)}
	if opts.APIKeyFile != "" {
		if e.key, err = ReadAPIKey(opts.APIKeyFile); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Model is the model name sent with every request.
func (e *Embedder) Model() string { return e.opts.Model }

// Endpoint is where requests go.
func (e *Embedder) Endpoint() string { return e.endpoint }

// Embed returns one embedding per text, in order, sending at most MaxBatch texts per
// request. Errors wrap domain.ErrUnavailable when the server cannot answer now, and
// domain.ErrInvalidArgument when it refuses a text (too long for the model, say).
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.opts.MaxBatch {
		batch := texts[start:min(start+e.opts.MaxBatch, len(texts))]
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// Check embeds one text and reports whether the answer has the column's dimension: a
// *DimensionError when it has not, the request's error when there is no answer.
func (e *Embedder) Check(ctx context.Context) error {
	_, err := e.Embed(ctx, []string{"contextapi start-up check: pod OOMKilled, restarted"})
	var de *DimensionError
	if errors.As(err, &de) {
		return de
	}
	return err
}
