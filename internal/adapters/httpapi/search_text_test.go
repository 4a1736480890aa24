package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// mapEmbedder embeds the texts it knows as the given vectors, or fails with err.
type mapEmbedder struct {
	vectors map[string][]float32
	err     error
}

func (m *mapEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if m.err != nil {
		return nil, m.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v, ok := m.vectors[t]
		if !ok {
			return nil, fmt.Errorf("mapEmbedder: unknown text %q", t)
		}
		out[i] = v
	}
	return out, nil
}

// newTextEnv serves the contract fixture with a service built with opts.
func newTextEnv(t *testing.T, opts ...app.Option) *testEnv {
	t.Helper()
	now := porttest.FixtureNow
	svc := app.NewService(fixtureRepo(), func() time.Time { return now }, app.NewCursorCodec([]byte("test")), opts...)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	cfg := Config{Health: app.NewHealth(svc, func() time.Time { return now }, app.HealthOptions{Store: "demo"})}
	return &testEnv{srv: NewServer(svc, reg, logger, cfg), reg: reg, logs: logs}
}

func TestTextQueryFindsWhatItsVectorFinds(t *testing.T) {
	memory := porttest.FamilyVector(porttest.FamilyMemory)
	env := newTextEnv(t, app.WithEmbedder(&mapEmbedder{vectors: map[string][]float32{"pods running out of memory": memory}}))
	byText := decode[similarBody](t, env.postJSON(t, semanticPath, `{"query":"pods running out of memory","limit":3}`))
	byVector := decode[similarBody](t, env.postJSON(t, semanticPath, `{"embedding":`+vectorJSON(t, memory)+`,"limit":3}`))
	assert.Equal(t, []int64{1, 13, 21}, idsOf(byText.Incidents))
	assert.Equal(t, byVector, byText)
}

func TestTextQueryProblems(t *testing.T) {
	vec := vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU))
	known := &mapEmbedder{vectors: map[string][]float32{"x": porttest.FamilyVector(porttest.FamilyCPU)}}
	tests := []struct {
		name   string
		opts   []app.Option
		body   string
		field  string
		reason string
	}{
		{"no embedder configured", nil, `{"query":"x"}`, "query", "text queries need an embedder: set embedder_url"},
		{"demo data", []app.Option{app.WithEmbedder(known), app.WithSyntheticEmbeddings()}, `{"query":"x"}`, "query", "synthetic"},
		{"query and embedding", []app.Option{app.WithEmbedder(known)}, `{"query":"x","embedding":` + vec + `}`, "query", "not both"},
		{"query and query_embedding", []app.Option{app.WithEmbedder(known)}, `{"query":"x","query_embedding":` + vec + `}`, "query", "not both"},
		{"query not a string", []app.Option{app.WithEmbedder(known)}, `{"query":["x"]}`, "query", "must be a string"},
		{"query null", []app.Option{app.WithEmbedder(known)}, `{"query":null}`, "query", "must be a string"},
		{"query empty", []app.Option{app.WithEmbedder(known)}, `{"query":""}`, "query", "must not be empty"},
		{"query blank", []app.Option{app.WithEmbedder(known)}, `{"query":"  "}`, "query", "blank"},
		{"query too long", []app.Option{app.WithEmbedder(known)}, `{"query":"` + strings.Repeat("x", 2001) + `"}`, "query", "at most 2000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, newTextEnv(t, tt.opts...).postJSON(t, semanticPath, tt.body), http.StatusBadRequest, typeInvalidArgument)
			require.Len(t, p.Errors, 1, "%+v", p.Errors)
			assert.Equal(t, tt.field, p.Errors[0].Field)
			assert.Contains(t, p.Errors[0].Reason, tt.reason)
		})
	}
}

func TestTextQueryEmbedderDownIs503WithRetryAfter(t *testing.T) {
	down := &mapEmbedder{err: fmt.Errorf("openai: embeddings: %w after 3 attempts: dial tcp 10.0.0.9:8080: connection refused", domain.ErrUnavailable)}
	env := newTextEnv(t, app.WithEmbedder(down))
	rec := env.postJSON(t, semanticPath, `{"query":"x"}`)
	p := requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.NotContains(t, p.Detail, "10.0.0.9", "the embedder's address stays in the log")
	assert.Contains(t, env.logs.String(), "connection refused", "the cause is logged")
}
