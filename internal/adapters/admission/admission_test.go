package admission

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds how long a test waits for something that must happen soon; never a
// sleep, only the limit of a wait that ends as soon as the condition holds.
const waitFor = 5 * time.Second

type env struct {
	repo *blockingRepo
	adm  *Repository
	reg  *prometheus.Registry
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{repo: newBlockingRepo(), reg: prometheus.NewRegistry()}
	opts.Registerer = e.reg
	adm, err := New(e.repo, opts)
	require.NoError(t, err)
	e.adm = adm
	return e
}

// read runs the i-th read, cycling through the four kinds so each is bounded.
func (e *env) read(ctx context.Context, i int) error {
	var err error
	switch i % 4 {
	case 0:
		_, _, err = e.adm.Get(ctx, domain.GetQuery{ID: int64(i)})
	case 1:
		_, _, err = e.adm.List(ctx, domain.ListQuery{Limit: 1})
	case 2:
		_, _, err = e.adm.Search(ctx, domain.SemanticQuery{Limit: 1})
	default:
		_, _, err = e.adm.Aggregate(ctx, domain.AggregateQuery{})
	}
	return err
}

// start runs the i-th read in the background; its error arrives on the channel.
func (e *env) start(ctx context.Context, i int) <-chan error {
	done := make(chan error, 1)
	go func() { done <- e.read(ctx, i) }()
	return done
}

// awaitStarted waits for n reads to reach the repository and returns their names.
func (e *env) awaitStarted(t *testing.T, n int) []string {
	t.Helper()
	var names []string
	for range n {
		select {
		case name := <-e.repo.started:
			names = append(names, name)
		case <-time.After(waitFor):
			require.FailNow(t, "a read never reached the repository", "after %v", names)
		}
	}
	return names
}

// awaitWaiting waits until exactly n reads wait for a slot. The gauge changes under the
// gate's lock, so it is exact: n waiters are in line, in the order they arrived.
func (e *env) awaitWaiting(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return e.waiting() == float64(n) }, waitFor, time.Millisecond)
}

func (e *env) inFlight() float64 { return testutil.ToFloat64(e.adm.gate.metrics.inFlight) }
func (e *env) waiting() float64  { return testutil.ToFloat64(e.adm.gate.metrics.waiting) }
func (e *env) shed() float64     { return testutil.ToFloat64(e.adm.gate.metrics.refused) }

// finish lets every blocked read return and checks that all succeeded.
func (e *env) finish(t *testing.T, reads ...<-chan error) {
	t.Helper()
	close(e.repo.release)
	for _, done := range reads {
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(waitFor):
			require.FailNow(t, "a read never returned")
		}
	}
	assert.Zero(t, e.inFlight())
	assert.Zero(t, e.waiting())
}

// noneStarted asserts that no further read has reached the repository.
func (e *env) noneStarted(t *testing.T) {
	t.Helper()
	select {
	case name := <-e.repo.started:
		assert.Fail(t, "a read ran without a free slot", name)
	default:
	}
}

func TestNewRejectsNoConcurrency(t *testing.T) {
	for _, n := range []int{0, -1} {
		_, err := New(newBlockingRepo(), Options{MaxConcurrent: n})
		assert.Error(t, err, "MaxConcurrent %d", n)
	}
}

func TestAtMostMaxConcurrentReadsRunAndTheNextStartsWhenOneFinishes(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 3, QueueTimeout: time.Minute})
	ctx := t.Context()
	var reads []<-chan error
	for i := range 3 {
		reads = append(reads, e.start(ctx, i))
	}
	e.awaitStarted(t, 3)
	assert.InDelta(t, 3, e.inFlight(), 0)

	reads = append(reads, e.start(ctx, 3))
	e.awaitWaiting(t, 1)
	e.noneStarted(t)
	assert.EqualValues(t, 3, e.repo.running.Load())

	e.repo.release <- struct{}{} // one read finishes; its slot passes to the waiter
	assert.Equal(t, []string{"aggregate"}, e.awaitStarted(t, 1))
	assert.InDelta(t, 0, e.waiting(), 0)
	assert.InDelta(t, 3, e.inFlight(), 0)

	e.finish(t, reads...)
	assert.EqualValues(t, 3, e.repo.peak.Load())
	assert.Zero(t, e.shed())
}

func TestWaitersAreAdmittedInArrivalOrder(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 1, QueueTimeout: time.Minute})
	ctx := t.Context()
	reads := []<-chan error{e.start(ctx, 0)}
	e.awaitStarted(t, 1)
	for i := 1; i <= 4; i++ {
		reads = append(reads, e.start(ctx, 4*i)) // all Gets, named by id
		e.awaitWaiting(t, i)
	}
	var order []string
	for range 4 {
		e.repo.release <- struct{}{}
		order = append(order, e.awaitStarted(t, 1)...)
	}
	assert.Equal(t, []string{"get 4", "get 8", "get 12", "get 16"}, order)
	e.finish(t, reads...)
}

func TestAWaiterPastQueueTimeoutIsOverloaded(t *testing.T) {
	const timeout = 100 * time.Millisecond
	e := newEnv(t, Options{MaxConcurrent: 1, QueueTimeout: timeout})
	ctx := t.Context()
	busy := e.start(ctx, 0)
	e.awaitStarted(t, 1)

	began := time.Now()
	err := e.read(ctx, 1)
	waited := time.Since(began)

	require.ErrorIs(t, err, domain.ErrOverloaded)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	assert.EqualError(t, err, "admission: 1 queries under way, waited 100ms: overloaded: unavailable")
	assert.GreaterOrEqual(t, waited, timeout)
	assert.Less(t, waited, timeout+time.Second, "the refusal comes once the queue timeout is up")
	assert.InDelta(t, 1, e.shed(), 0)
	assert.InDelta(t, 0, e.waiting(), 0)
	e.noneStarted(t)
	e.finish(t, busy)
}

func TestAFullQueueRefusesAtOnce(t *testing.T) {
	const timeout = 10 * time.Second
	e := newEnv(t, Options{MaxConcurrent: 1, MaxWaiting: 2, QueueTimeout: timeout})
	ctx := t.Context()
	reads := []<-chan error{e.start(ctx, 0)}
	e.awaitStarted(t, 1)
	reads = append(reads, e.start(ctx, 1), e.start(ctx, 2))
	e.awaitWaiting(t, 2)

	began := time.Now()
	err := e.read(ctx, 3)
	waited := time.Since(began)

	require.ErrorIs(t, err, domain.ErrOverloaded)
	assert.EqualError(t, err, "admission: 1 queries under way, 2 waiting: overloaded: unavailable")
	assert.Less(t, waited, timeout/2, "a full queue refuses without waiting")
	assert.InDelta(t, 1, e.shed(), 0)
	assert.InDelta(t, 2, e.waiting(), 0, "the refused read never joined the queue")

	e.finish(t, reads...) // the two queued reads still run
	assert.InDelta(t, 1, e.shed(), 0)
}

func TestMaxWaitingDefaultsToFourTimesMaxConcurrent(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 2, QueueTimeout: time.Minute})
	ctx := t.Context()
	var reads []<-chan error
	for i := range 2 + 8 {
		reads = append(reads, e.start(ctx, i))
	}
	e.awaitStarted(t, 2)
	e.awaitWaiting(t, 8)
	began := time.Now()
	require.ErrorIs(t, e.read(ctx, 10), domain.ErrOverloaded)
	assert.Less(t, time.Since(began), 30*time.Second, "refused at once, not after the queue timeout")
	assert.InDelta(t, 1, e.shed(), 0)
	e.finish(t, reads...)
}

func TestNegativeMaxWaitingRefusesRatherThanQueue(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 1, MaxWaiting: -1, QueueTimeout: time.Minute})
	ctx := t.Context()
	busy := e.start(ctx, 0)
	e.awaitStarted(t, 1)
	err := e.read(ctx, 1)
	require.ErrorIs(t, err, domain.ErrOverloaded)
	assert.EqualError(t, err, "admission: 1 queries under way, 0 waiting: overloaded: unavailable")
	e.finish(t, busy)
}

func TestAWaiterWhoseContextEndsGetsTheContextsError(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 1, QueueTimeout: time.Minute})
	busy := e.start(t.Context(), 0)
	e.awaitStarted(t, 1)

	ctx, cancel := context.WithCancel(t.Context())
	waiter := e.start(ctx, 1)
	e.awaitWaiting(t, 1)
	cancel()
	select {
	case err := <-waiter:
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
	case <-time.After(waitFor):
		require.FailNow(t, "a cancelled waiter kept waiting")
	}
	assert.InDelta(t, 0, e.waiting(), 0)

	// A deadline before the queue timeout ends the wait at the deadline.
	short, cancelShort := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancelShort()
	began := time.Now()
	err := e.read(short, 2)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, domain.ErrOverloaded)
	assert.Less(t, time.Since(began), 30*time.Second, "the wait ends with the context, not the queue timeout")

	assert.Zero(t, e.shed(), "a caller who left was not refused")
	e.noneStarted(t)
	e.finish(t, busy)
}

func TestAnEndedContextIsNotAdmitted(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, e.read(ctx, 0), context.Canceled)
	e.noneStarted(t)
	assert.Zero(t, e.inFlight())
}

func TestPingIsNeverBounded(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 1, MaxWaiting: 1, QueueTimeout: time.Minute})
	ctx := t.Context()
	reads := []<-chan error{e.start(ctx, 0)}
	e.awaitStarted(t, 1)
	reads = append(reads, e.start(ctx, 1))
	e.awaitWaiting(t, 1)

	pinged := make(chan error, 1)
	go func() { pinged <- e.adm.Ping(ctx) }()
	select {
	case err := <-pinged:
		assert.NoError(t, err)
	case <-time.After(waitFor):
		require.FailNow(t, "Ping waited behind the reads")
	}
	assert.Zero(t, e.shed())
	e.finish(t, reads...)
}

// panicRepo's reads panic.
type panicRepo struct{ ports.Repository }

func (panicRepo) Get(context.Context, domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	panic("boom")
}

func TestASlotIsReturnedWhenAReadPanics(t *testing.T) {
	adm, err := New(panicRepo{}, Options{MaxConcurrent: 1, MaxWaiting: -1})
	require.NoError(t, err)
	for range 2 { // with the slot lost, the second would be refused instead
		assert.PanicsWithValue(t, "boom", func() { _, _, _ = adm.Get(t.Context(), domain.GetQuery{ID: 1}) })
	}
	assert.Zero(t, testutil.ToFloat64(adm.gate.metrics.inFlight))
}

func TestManyConcurrentReadsNeverExceedTheBound(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 3, MaxWaiting: 1000, QueueTimeout: time.Minute})
	close(e.repo.release) // reads return as soon as they start
	ctx := t.Context()
	var reads []<-chan error
	for i := range 200 {
		reads = append(reads, e.start(ctx, i))
	}
	for _, done := range reads {
		assert.NoError(t, <-done)
	}
	assert.LessOrEqual(t, e.repo.peak.Load(), int64(3))
	assert.Zero(t, e.inFlight())
	assert.Zero(t, e.waiting())
	assert.Zero(t, e.shed())
}

func TestAdmissionOverMemoryKeepsThePortContract(t *testing.T) {
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		adm, err := New(memory.NewRepository(events), Options{MaxConcurrent: 2})
		require.NoError(t, err)
		return adm
	})
}
