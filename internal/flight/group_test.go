package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConcurrentCallersShareOneRun(t *testing.T) {
	var shared, runs atomic.Int64
	g := New[string, int](time.Minute, func() { shared.Add(1) })
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make(chan int, 10)
	for range 10 {
		wg.Go(func() {
			v, err := g.Do(t.Context(), "k", func(context.Context) (int, error) {
				runs.Add(1)
				<-release
				return 42, nil
			})
			assert.NoError(t, err)
			results <- v
		})
	}
	require.Eventually(t, func() bool { return g.Waiters("k") == 10 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	close(results)
	for v := range results {
		assert.Equal(t, 42, v)
	}
	assert.EqualValues(t, 1, runs.Load())
	assert.EqualValues(t, 9, shared.Load())
	assert.Zero(t, g.Waiters("k"))
}

func TestACallerLeavingFailsNobodyElse(t *testing.T) {
	g := New[string, int](time.Minute, nil)
	release := make(chan struct{})
	started := make(chan struct{})
	work := func(ctx context.Context) (int, error) {
		close(started)
		select {
		case <-release:
			return 7, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	leaving, leave := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() { _, err := g.Do(leaving, "k", work); first <- err }()
	<-started
	second := make(chan int, 1)
	go func() { v, _ := g.Do(t.Context(), "k", work); second <- v }()
	require.Eventually(t, func() bool { return g.Waiters("k") == 2 }, 5*time.Second, time.Millisecond)
	leave()
	assert.ErrorIs(t, <-first, context.Canceled)
	close(release)
	assert.Equal(t, 7, <-second, "the work went on for the caller who stayed")
}

func TestTheLastCallerLeavingStopsTheWork(t *testing.T) {
	g := New[string, int](time.Minute, nil)
	stopped := make(chan error, 1)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		_, _ = g.Do(ctx, "k", func(ctx context.Context) (int, error) {
			<-ctx.Done()
			stopped <- ctx.Err()
			return 0, ctx.Err()
		})
	}()
	require.Eventually(t, func() bool { return g.Waiters("k") == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	select {
	case err := <-stopped:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("the work was not stopped")
	}
}

func TestWorkIsBoundedByTheTimeoutAndPanicsBecomeErrors(t *testing.T) {
	g := New[string, int](20*time.Millisecond, nil)
	_, err := g.Do(t.Context(), "slow", func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 20*time.Millisecond, g.Timeout())

	_, err = g.Do(t.Context(), "boom", func(context.Context) (int, error) { panic("boom") })
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrPanicked))
	assert.Contains(t, err.Error(), "boom")
}
