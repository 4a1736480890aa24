package kubernetes

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestConcurrentCallersOfOneColdTokenShareOneReview(t *testing.T) {
	e := newEnv(t, nil)
	// A slow TokenReview keeps the first review under way while the others arrive.
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(_ http.ResponseWriter, _ *http.Request, path string) bool {
			if path == tokenReviewPath {
				time.Sleep(100 * time.Millisecond)
			}
			return false
		}
	})

	const callers = 64
	var wg sync.WaitGroup
	start := make(chan struct{})
	names := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			<-start
			p, err := e.a.Authenticate(context.Background(), holmesToken)
			names[i], errs[i] = p.Name, err
		})
	}
	close(start)
	wg.Wait()

	for i := range callers {
		require.NoError(t, errs[i])
		assert.Equal(t, holmes.Username, names[i])
	}
	tr, sar := e.api.counts()
	assert.Equal(t, [2]int{1, 1}, [2]int{tr, sar}, "one TokenReview and one SubjectAccessReview for all")
	sentTR, sentSAR := e.sent()
	assert.Equal(t, [2]int{1, 1}, [2]int{sentTR, sentSAR})
}

// blockTokenReviews makes the fake API server hold every TokenReview until release is
// closed or the request is cancelled (or ten seconds pass); arrived hears of each,
// aborted of each cancelled.
func blockTokenReviews(t *testing.T, e *env) (arrived, aborted chan struct{}, release func()) {
	arrived, aborted = make(chan struct{}, 16), make(chan struct{}, 16)
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release) // before the server closes: it waits for its handlers
	e.api.set(func(f *fakeAPI) {
		f.intercept = func(_ http.ResponseWriter, r *http.Request, path string) bool {
			if path != tokenReviewPath {
				return false
			}
			arrived <- struct{}{}
			select {
			case <-gate:
				return false
			case <-time.After(10 * time.Second): // fail, not hang, when nothing cancels
				return false
			case <-r.Context().Done():
				aborted <- struct{}{}
				return true
			}
		}
	})
	return arrived, aborted, release
}

func TestACancelledCallerDoesNotFailTheOthers(t *testing.T) {
	e := newEnv(t, nil)
	arrived, _, release := blockTokenReviews(t, e)

	type result struct {
		p   domain.Principal
		err error
	}
	first, second := make(chan result, 1), make(chan result, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		p, err := e.a.Authenticate(ctx, holmesToken)
		first <- result{p, err}
	}()
	<-arrived
	go func() {
		p, err := e.a.Authenticate(context.Background(), holmesToken)
		second <- result{p, err}
	}()
	require.Eventually(t, func() bool { return e.waiters(holmesToken) == 2 }, 5*time.Second, time.Millisecond)

	cancel()
	r := <-first
	require.ErrorIs(t, r.err, context.Canceled)
	assert.NotErrorIs(t, r.err, domain.ErrUnavailable, "the caller left: no outage")
	assert.Zero(t, r.p)

	release()
	r = <-second
	require.NoError(t, r.err)
	assert.Equal(t, holmes.Username, r.p.Name)
	tr, sar := e.api.counts()
	assert.Equal(t, [2]int{1, 1}, [2]int{tr, sar}, "the review the first caller started served the second")
	sentTR, sentSAR := e.sent()
	assert.Equal(t, [2]int{1, 1}, [2]int{sentTR, sentSAR}, "the caller leaving sent nothing more")
}

func TestTheLastCallerLeavingCancelsTheReview(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Timeout = time.Minute }) // so only leaving can stop it
	arrived, aborted, _ := blockTokenReviews(t, e)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.a.Authenticate(ctx, holmesToken)
		done <- err
	}()
	<-arrived
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Fatal("the API server's request was not cancelled")
	}
	assert.Zero(t, e.waiters(holmesToken))
	assert.Zero(t, e.cached(), "no decision kept")
}

func TestACallerDeadlineIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	blockTokenReviews(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.a.Authenticate(ctx, holmesToken)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The review the caller started is counted once it is sent; with no user, no access review.
	assert.Eventually(t, func() bool { tr, sar := e.sent(); return tr == 1 && sar == 0 }, 5*time.Second, time.Millisecond)
}
