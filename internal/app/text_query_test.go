package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// fakeEmbedder embeds with testkit.BagOfWords, or fails with err.
type fakeEmbedder struct {
	asked []string
	err   error
}

func (f *fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	f.asked = append(f.asked, texts...)
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = testkit.BagOfWords(t, domain.EmbeddingDimensions)
	}
	return out, nil
}

func newTextService(repo *recordingRepo, opts ...Option) *Service {
	return NewService(repo, func() time.Time { return testNow }, NewCursorCodec([]byte("k")), opts...)
}

func TestTextQuerySearchesByTheEmbeddersVector(t *testing.T) {
	repo := &recordingRepo{}
	emb := &fakeEmbedder{}
	svc := newTextService(repo, WithEmbedder(emb))
	_, _, err := svc.SemanticSearch(context.Background(), SemanticRequest{Query: "pod OOMKilled in payments", Limit: ptr(5)})
	require.NoError(t, err)
	assert.Equal(t, []string{"pod OOMKilled in payments"}, emb.asked)
	require.Len(t, repo.searches, 1)
	assert.Equal(t, testkit.BagOfWords("pod OOMKilled in payments", 384), repo.searches[0].Embedding)
	assert.Equal(t, 5, repo.searches[0].Limit)

	// The same search by the vector itself reaches the repository as the same query,
	// hence the same cache key.
	vec := make([]float64, 384)
	for i, x := range testkit.BagOfWords("pod OOMKilled in payments", 384) {
		vec[i] = float64(x)
	}
	_, _, err = svc.SemanticSearch(context.Background(), SemanticRequest{Embedding: vec, Limit: ptr(5)})
	require.NoError(t, err)
	assert.Equal(t, repo.searches[0], repo.searches[1])
}

func TestTextQueryValidation(t *testing.T) {
	emb := &fakeEmbedder{}
	tests := []struct {
		name   string
		opts   []Option
		given  SemanticRequest
		field  string
		reason string
	}{
		{"both query and embedding", []Option{WithEmbedder(emb)}, SemanticRequest{Query: "x", Embedding: unitVector()}, "query", "not both"},
		{"neither", []Option{WithEmbedder(emb)}, SemanticRequest{}, "embedding", "or query"},
		{"blank", []Option{WithEmbedder(emb)}, SemanticRequest{Query: " \t\n"}, "query", "blank"},
		{"too long", []Option{WithEmbedder(emb)}, SemanticRequest{Query: strings.Repeat("é", MaxQueryChars+1)}, "query",
			fmt.Sprintf("at most %d characters, got %d", MaxQueryChars, MaxQueryChars+1)},
		{"not UTF-8", []Option{WithEmbedder(emb)}, SemanticRequest{Query: "\xff"}, "query", "UTF-8"},
		{"no embedder", nil, SemanticRequest{Query: "x"}, "query", "text queries need an embedder: set embedder_url"},
		{"demo store, embedder or not", []Option{WithEmbedder(emb), WithSyntheticEmbeddings()}, SemanticRequest{Query: "x"}, "query", "synthetic"},
		{"other fields too", []Option{WithEmbedder(emb)}, SemanticRequest{Query: "x", Limit: ptr(0)}, "limit", "between 1 and 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &recordingRepo{}
			_, _, err := newTextService(repo, tc.opts...).SemanticSearch(context.Background(), tc.given)
			requireFieldError(t, err, tc.field)
			assert.Contains(t, err.Error(), tc.reason)
			assert.Empty(t, repo.searches)
		})
	}
	assert.Empty(t, emb.asked, "invalid requests cost no model call")
	ok := strings.Repeat("é", MaxQueryChars)
	_, _, err := newTextService(&recordingRepo{}, WithEmbedder(emb)).SemanticSearch(context.Background(), SemanticRequest{Query: ok})
	assert.NoError(t, err, "the bound counts characters, not bytes")
}

func TestTextQueryEmbedderFailures(t *testing.T) {
	t.Run("unavailable stays unavailable", func(t *testing.T) {
		emb := &fakeEmbedder{err: fmt.Errorf("openai: embeddings: %w after 3 attempts: status 503", domain.ErrUnavailable)}
		repo := &recordingRepo{}
		_, _, err := newTextService(repo, WithEmbedder(emb)).SemanticSearch(context.Background(), SemanticRequest{Query: "x"})
		assert.ErrorIs(t, err, domain.ErrUnavailable)
		assert.Empty(t, repo.searches)
	})
	t.Run("a text the model refuses is the caller's", func(t *testing.T) {
		emb := &fakeEmbedder{err: fmt.Errorf("openai: embeddings: %w: the model refused the input: status 413", domain.ErrInvalidArgument)}
		_, _, err := newTextService(&recordingRepo{}, WithEmbedder(emb)).SemanticSearch(context.Background(), SemanticRequest{Query: "x"})
		requireFieldError(t, err, "query")
		assert.NotContains(t, err.Error(), "413", "the embedder's internals stay out of the answer")
	})
	t.Run("other failures are internal", func(t *testing.T) {
		emb := &fakeEmbedder{err: fmt.Errorf("openai: embeddings: status 401")}
		_, _, err := newTextService(&recordingRepo{}, WithEmbedder(emb)).SemanticSearch(context.Background(), SemanticRequest{Query: "x"})
		require.Error(t, err)
		assert.NotErrorIs(t, err, domain.ErrInvalidArgument)
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
	})
}
