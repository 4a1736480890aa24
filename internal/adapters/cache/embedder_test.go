package cache

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// countingEmbedder embeds with testkit.BagOfWords and records what it was asked.
type countingEmbedder struct {
	asked [][]string
	err   error
}

func (c *countingEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	c.asked = append(c.asked, append([]string(nil), texts...))
	if c.err != nil {
		return nil, c.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = testkit.BagOfWords(t, domain.EmbeddingDimensions)
	}
	return out, nil
}

func TestEmbedderCachesQueryEmbeddings(t *testing.T) {
	next := &countingEmbedder{}
	reg := prometheus.NewRegistry()
	e, err := NewEmbedder(next, EmbedderOptions{Model: "m", Registerer: reg})
	require.NoError(t, err)
	defer e.Close()
	ctx := context.Background()

	first, err := e.Embed(ctx, []string{"pod OOMKilled"})
	require.NoError(t, err)
	e.Wait()
	first[0][0] = 42 // the caller's copy; the cached one must not change

	got, err := e.Embed(ctx, []string{"disk full", "pod OOMKilled"})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"pod OOMKilled"}, {"disk full"}}, next.asked, "only the text not held is asked")
	assert.Equal(t, testkit.BagOfWords("pod OOMKilled", 384), got[1], "a hit is the embedding, unchanged by the caller")
	assert.Equal(t, testkit.BagOfWords("disk full", 384), got[0])
	assert.InDelta(t, 1, testutil.ToFloat64(e.hits), 0)
	assert.InDelta(t, 2, testutil.ToFloat64(e.misses), 0)
}

func TestEmbedderKeysByModel(t *testing.T) {
	assert.NotEqual(t, embeddingKey("a", "bc"), embeddingKey("ab", "c"))
	assert.Equal(t, embeddingKey("m", "x"), embeddingKey("m", "x"))
	assert.Regexp(t, `^embedding:v2:[0-9a-f]{64}$`, embeddingKey("m", "x"))
}

func TestEmbedderNeverCachesErrors(t *testing.T) {
	next := &countingEmbedder{err: errors.New("down")}
	e, err := NewEmbedder(next, EmbedderOptions{Model: "m"})
	require.NoError(t, err)
	defer e.Close()
	_, err = e.Embed(context.Background(), []string{"x"})
	require.Error(t, err)
	e.Wait()
	next.err = nil
	_, err = e.Embed(context.Background(), []string{"x"})
	require.NoError(t, err)
	assert.Len(t, next.asked, 2)
}
