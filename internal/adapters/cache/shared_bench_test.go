package cache

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// BenchmarkSharedHit is the process-side cost of a value another process loaded: the
// tier's bytes decoded and kept here (the tier itself is an in-memory fake).
func BenchmarkSharedHit(b *testing.B) {
	f := newFleet(b, 2, Options{TTL: time.Hour})
	a, c := f.procs[0], f.procs[1]
	ctx := context.Background()
	const keys = 4096
	for i := range keys {
		_, _, err := a.List(ctx, domain.ListQuery{Limit: 20, Offset: i})
		require.NoError(b, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%keys == 0 {
			b.StopTimer()
			c.store.Clear()
			b.StartTimer()
		}
		_, read, err := c.List(ctx, domain.ListQuery{Limit: 20, Offset: i % keys})
		if err != nil || read.Source != domain.ReadHit {
			b.Fatal(err, read.Source)
		}
	}
}
