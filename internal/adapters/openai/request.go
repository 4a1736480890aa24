package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// maxResponseBytes bounds an answer: a full batch of 384 numbers written out in JSON
// takes a few hundred KiB.
const maxResponseBytes = 16 << 20

type embeddingsRequest struct {
	Model string   `json:"model,omitempty"`
	Input []string `json:"input"`
}

type embeddingsResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
}

// attemptError is why one attempt failed, and whether another may succeed.
type attemptError struct {
	outcome    string
	retryable  bool
	retryAfter time.Duration // asked by the server; 0: not asked
	err        error
}

func (a *attemptError) Error() string { return a.err.Error() }
func (a *attemptError) Unwrap() error { return a.err }

// embedBatch sends one batch, trying again what retrying may cure.
func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	body, err := json.Marshal(embeddingsRequest{Model: e.opts.Model, Input: texts})
	if err != nil {
		return nil, fmt.Errorf("openai: embeddings: encode request: %w", err)
	}
	for attempt := 0; ; attempt++ {
		vecs, aerr := e.attempt(ctx, body, len(texts))
		if aerr == nil {
			e.metrics.texts.Add(float64(len(texts)))
			return vecs, nil
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, fmt.Errorf("openai: embeddings: %w", ctx.Err())
		}
		if !aerr.retryable {
			return nil, fmt.Errorf("openai: embeddings: %w", aerr.err)
		}
		wait := e.backoff(attempt, aerr.retryAfter)
		if attempt == e.opts.Retries || !waitFits(ctx, wait) {
			return nil, fmt.Errorf("openai: embeddings: %w after %d attempts: %w", domain.ErrUnavailable, attempt+1, aerr.err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, fmt.Errorf("openai: embeddings: %w", ctx.Err())
			}
			return nil, fmt.Errorf("openai: embeddings: %w: %w", domain.ErrUnavailable, aerr.err)
		case <-t.C:
		}
	}
}

// backoff is the wait before attempt+1: what the server asked for, else 2^attempt
// times the base with ±50% jitter, so clients that failed together do not come back
// together. Never above maxWait.
func (e *Embedder) backoff(attempt int, asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, maxWait)
	}
	d := e.opts.Backoff << min(attempt, 16)
	d = time.Duration(float64(d) * (0.5 + rand.Float64())) // #nosec G404 -- jitter spreads retries; nothing guesses it
	return min(d, maxWait)
}

// waitFits reports whether waiting d leaves ctx time for another attempt: a request due
// to end sooner gives up now, with the error it has, rather than time out later.
func waitFits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// attempt sends one request, bounded by the per-attempt timeout.
func (e *Embedder) attempt(ctx context.Context, body []byte, n int) ([][]float32, *attemptError) {
	actx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	start := time.Now()
	vecs, aerr := e.send(actx, body, n)
	e.metrics.latency.Observe(time.Since(start).Seconds())
	outcome := outcomeOK
	if aerr != nil {
		outcome = aerr.outcome
	}
	e.metrics.requests.WithLabelValues(outcome).Inc()
	return vecs, aerr
}

func (e *Embedder) send(ctx context.Context, body []byte, n int) ([][]float32, *attemptError) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, &attemptError{outcome: outcomeRejected, err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if e.key != "" {
		req.Header.Set("Authorization", "Bearer "+e.key)
	}
	res, err := e.opts.Client.Do(req)
	if err != nil {
		// Connection refused, reset, DNS, or the attempt's timeout: all may pass.
		return nil, &attemptError{outcome: outcomeUnreachable, retryable: true, err: fmt.Errorf("%s: %w", e.endpoint, unwrapURLError(err))}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &attemptError{outcome: outcomeUnreachable, retryable: true, err: fmt.Errorf("read answer: %w", err)}
	}
	if res.StatusCode != http.StatusOK {
		return nil, statusError(res, raw)
	}
	if len(raw) > maxResponseBytes {
		return nil, &attemptError{outcome: outcomeInvalid, err: fmt.Errorf("answer larger than %d bytes", maxResponseBytes)}
	}
	vecs, err := decode(raw, n, e.opts.Dimensions)
	if err != nil {
		return nil, &attemptError{outcome: outcomeInvalid, err: err}
	}
	return vecs, nil
}

// unwrapURLError drops net/http's "Post \"url\": " prefix: the endpoint is named once.
func unwrapURLError(err error) error {
	if inner := errors.Unwrap(err); inner != nil && strings.HasPrefix(err.Error(), "Post ") {
		return inner
	}
	return err
}

// statusError classifies a non-200 answer. 429 and 5xx may pass; 400, 413 and 422 are
// the server refusing the texts themselves (too long, empty); other statuses are a
// configuration mistake (wrong URL, key or model) that retrying cannot cure.
func statusError(res *http.Response, raw []byte) *attemptError {
	err := fmt.Errorf("status %d: %s", res.StatusCode, serverMessage(raw))
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		return &attemptError{outcome: outcomeThrottled, retryable: true, retryAfter: retryAfter(res.Header.Get("Retry-After")), err: err}
	case res.StatusCode >= 500:
		return &attemptError{outcome: outcomeServerError, retryable: true, retryAfter: retryAfter(res.Header.Get("Retry-After")), err: err}
	case res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusRequestEntityTooLarge ||
		res.StatusCode == http.StatusUnprocessableEntity:
		return &attemptError{outcome: outcomeRejected, err: fmt.Errorf("%w: the model refused the input: %w", domain.ErrInvalidArgument, err)}
	}
	return &attemptError{outcome: outcomeRejected, err: fmt.Errorf("%w (check embedder_url, embedder_model and embedder_api_key_file)", err)}
}

// serverMessage extracts the error message of an answer ({"error":{"message":...}} as
// OpenAI, Ollama and vLLM write it, {"error":"..."} as text-embeddings-inference does),
// else its start, bounded: it goes into errors and logs.
func serverMessage(raw []byte) string {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &body) == nil && len(body.Error) > 0 {
		var s string
		var obj struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(body.Error, &s) == nil:
			msg = s
		case json.Unmarshal(body.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		}
	}
	const maxLen = 300
	if len(msg) > maxLen {
		msg = msg[:maxLen] + "…"
	}
	if msg == "" {
		return "no message"
	}
	return strconv.Quote(msg)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date. 0 when absent or
// unreadable.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// decode checks an answer holds one finite embedding of dims numbers per input, each
// index once, and returns them in input order.
func decode(raw []byte, n, dims int) ([][]float32, error) {
	var res embeddingsResponse
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("answer is not an embeddings list: %w", err)
	}
	if len(res.Data) != n {
		return nil, fmt.Errorf("answer holds %d embeddings for %d texts", len(res.Data), n)
	}
	out := make([][]float32, n)
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, fmt.Errorf("answer has a missing, repeated or out-of-range index %d", d.Index)
		}
		if len(d.Embedding) != dims {
			return nil, &DimensionError{Got: len(d.Embedding), Want: dims}
		}
		v := make([]float32, dims)
		for i, x := range d.Embedding {
			f := float32(x)
			if math.IsNaN(x) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("embedding %d holds a non-finite number", d.Index)
			}
			v[i] = f
		}
		out[d.Index] = v
	}
	return out, nil
}
