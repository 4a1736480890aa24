package test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R13 settings: the drain delay and shutdown budget the binary gets, and how many slow
// requests are held in flight across the closing of the listener.
const (
	r13Drain           = 2 * time.Second
	r13ShutdownTimeout = 10 * time.Second
	r13Slow            = 5
	// r13Ready bounds the time from SIGTERM to the first 503 of readiness: "at once",
	// with room for a loaded machine, and well inside the drain delay.
	r13Ready = time.Second
	// r13Margin is how close to the closing of the listener a request may be sent and
	// still be refused or reset: it may sit in the kernel's accept queue when the
	// listener closes.
	r13Margin = 100 * time.Millisecond
)

// R13, SIGTERM under load: the built binary over PostgreSQL serves R1's request mix
// (each request on a new connection) while a few uncached requests wait on a table
// lock; then SIGTERM. Readiness turns 503 at once; the listener stays open for the drain
// delay; the lock is released only after the listener has closed, so those requests are
// in flight through the close, and they, with every other request sent before it,
// complete with 200; requests sent after it are refused; the process exits 0 within
// drain delay + shutdown timeout.
func TestR13SIGTERMUnderLoadDrainsAndExits0(t *testing.T) {
	rec := reliability.Target(t, "R13", fmt.Sprintf("sends SIGTERM to the binary under a steady mixed load with %d requests "+
		"held in flight across the closing of the listener (drain delay %v, shutdown timeout %v)", r13Slow, r13Drain, r13ShutdownTimeout))
	warm := reliability.Pick(2*time.Second, 20*time.Second)
	rate := reliability.Pick(100, 300)
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(porttest.Fixture(porttest.FixtureNow)), postgres.LoadOptions{}))
	s := startService(t, []string{"CONTEXTAPI_DATABASE_URL=" + dsn}, "--drain-delay", r13Drain.String(),
		"--shutdown-timeout", r13ShutdownTimeout.String(), "--statement-timeout", "30s")

	// The steady load, each request on a connection of its own: a request either reaches
	// the server or is refused, never sent down a kept-alive connection the server has
	// just closed.
	attacker := vegeta.NewAttacker(vegeta.KeepAlive(false), vegeta.Timeout(30*time.Second), vegeta.MaxBody(0))
	var results []*vegeta.Result
	var answered atomic.Int64
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for res := range attacker.Attack(mixedLoad(t, s.base, 15, 13), vegeta.Rate{Freq: rate, Per: time.Second}, 0, "r13") {
			results = append(results, res)
			answered.Add(1)
		}
	}()
	defer func() { attacker.Stop(); <-collected }()
	require.Eventually(t, func() bool { return answered.Load() >= int64(rate)*int64(warm/time.Second) }, warm+10*time.Second,
		10*time.Millisecond, "the steady load runs for %v", warm)

	release := lockTraces(t, dsn)
	type slowAnswer struct {
		status    int
		err       error
		sent, end time.Time
	}
	slow := make(chan slowAnswer, r13Slow)
	for i := range r13Slow {
		go func() {
			sent := time.Now()
			status := 0
			res, err := (&http.Client{Timeout: 30 * time.Second}).Get(fmt.Sprintf("%s/api/v1/incidents?limit=%d", s.base, 31+i)) // uncached
			if err == nil {
				status = res.StatusCode
				_ = res.Body.Close()
			}
			slow <- slowAnswer{status, err, sent, time.Now()}
		}()
	}
	require.Eventually(t, func() bool { return sessionsWaitingOnLock(t, dsn) >= r13Slow }, 10*time.Second, 10*time.Millisecond,
		"the slow requests wait on the lock")

	signalled := time.Now()
	s.signal(t, syscall.SIGTERM)
	p := probeShutdown(s.base, r13Drain+5*time.Second)
	release()
	exitErr := s.wait(t, r13Drain+r13ShutdownTimeout+5*time.Second)
	exited := time.Since(signalled)
	attacker.Stop()
	<-collected

	require.False(t, p.readyAt.IsZero(), "readiness answers 503 after SIGTERM, before the listener closes")
	require.False(t, p.closedAt.IsZero(), "the listener closes")
	ready, closed := p.readyAt.Sub(signalled), p.closedAt.Sub(signalled)
	rec.Figure("readiness 503 after SIGTERM", "%v (bound %v)", ready.Round(time.Millisecond), r13Ready)
	rec.Figure("listener closed after SIGTERM", "between %v and %v (drain delay %v)",
		p.lastAnswerAt.Sub(signalled).Round(time.Millisecond), closed.Round(time.Millisecond), r13Drain)
	assert.LessOrEqual(t, ready, r13Ready, "readiness turns 503 at once")
	assert.GreaterOrEqual(t, p.lastAnswerAt.Sub(signalled), r13Drain-r13Margin, "the listener stays open for the drain delay")

	var slowest time.Duration
	for range r13Slow {
		a := <-slow
		slowest = max(slowest, a.end.Sub(a.sent))
		if assert.NoError(t, a.err, "a request in flight when the listener closed") {
			assert.Equal(t, http.StatusOK, a.status, "a request in flight when the listener closed")
			assert.True(t, a.end.After(p.closedAt), "it was still running when the listener closed")
		}
	}
	rec.Figure("slow requests in flight through the close", "%d, all answered 200 after the lock went, the slowest in %v",
		r13Slow, slowest.Round(time.Millisecond))

	o := classify(results, signalled, p)
	rec.Figure("steady load", "%d requests at %d/s: %d answered 200 (%d in flight at SIGTERM, %d sent during the drain, "+
		"%d in flight when the listener closed); %d refused after the close; %d reset at the close; %d wrong",
		len(results), rate, o.ok, o.inFlightAtSignal, o.sentDuringDrain, o.inFlightAtClose, o.refused, o.resetAtClose, len(o.wrong))
	if o.resetAtClose > 0 {
		rec.Figure("reset at the close", "%s", o.reset)
	}
	assert.Empty(t, o.wrong, "requests sent while the listener was open end with 200; those after it are refused")
	assert.Positive(t, o.sentDuringDrain, "the load went on during the drain")

	status := 0
	var ee *exec.ExitError
	if errors.As(exitErr, &ee) {
		status = ee.ExitCode()
	}
	rec.Figure("exit", "status %d, %v after SIGTERM (bound %v)", status, exited.Round(time.Millisecond),
		r13Drain+r13ShutdownTimeout+5*time.Second)
	assert.NoError(t, exitErr, "exit status 0")
}

// shutdownProbe is what readiness probes on new connections saw after SIGTERM: when
// readiness first answered 503, when the last probe sent got an answer, and when the
// first was refused (the listener closed between the two).
type shutdownProbe struct {
	readyAt, lastAnswerAt, closedAt time.Time
}

// probeShutdown asks base's readiness every 5 ms, each time on a new connection, until
// a connection is refused or d passes.
func probeShutdown(base string, d time.Duration) shutdownProbe {
	var p shutdownProbe
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		sent := time.Now()
		res, err := client.Get(base + "/health/ready")
		if err != nil {
			if strings.Contains(err.Error(), "connection refused") {
				p.closedAt = sent
				return p
			}
			continue
		}
		_ = res.Body.Close()
		p.lastAnswerAt = sent
		if res.StatusCode == http.StatusServiceUnavailable && p.readyAt.IsZero() {
			p.readyAt = time.Now()
		}
	}
	return p
}

// outcomes sorts the steady load's results by when each was sent against the shutdown.
type outcomes struct {
	ok, inFlightAtSignal, sentDuringDrain, inFlightAtClose int
	refused, resetAtClose                                  int
	reset                                                  string   // what a reset at the close looked like
	wrong                                                  []string // the first few results that break R13
}

// classify judges each result: sent before the listener closed (a margin before the
// last probe it answered), it must end with 200; sent after (a margin after the first
// probe it refused), it must be refused; in between either, or a reset, may happen.
func classify(results []*vegeta.Result, signalled time.Time, p shutdownProbe) outcomes {
	var o outcomes
	open, closed := p.lastAnswerAt.Add(-r13Margin), p.closedAt.Add(r13Margin)
	for _, r := range results {
		switch {
		case r.Code == http.StatusOK:
			o.ok++
			if r.Timestamp.Before(signalled) && r.End().After(signalled) {
				o.inFlightAtSignal++
			}
			if r.Timestamp.After(signalled) && r.Timestamp.Before(p.lastAnswerAt) {
				o.sentDuringDrain++
			}
			if r.Timestamp.Before(p.lastAnswerAt) && r.End().After(p.closedAt) {
				o.inFlightAtClose++
			}
			continue
		case r.Code == 0 && strings.Contains(r.Error, "connection refused") && !r.Timestamp.Before(open):
			o.refused++
			continue
		case r.Code == 0 && !r.Timestamp.Before(open) && r.Timestamp.Before(closed):
			o.resetAtClose++
			o.reset = r.Error
			continue
		}
		if len(o.wrong) < 5 {
			o.wrong = append(o.wrong, fmt.Sprintf("%s %s sent %v after SIGTERM: %d %s", r.Method, r.URL,
				r.Timestamp.Sub(signalled).Round(time.Millisecond), r.Code, r.Error))
		}
	}
	return o
}

// sessionsWaitingOnLock counts the service's statements waiting on a lock, seen from a
// session of its own (inside the locking transaction pg_stat_activity keeps the snapshot
// of its first read).
func sessionsWaitingOnLock(t *testing.T, dsn string) int {
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		return 0
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'contextapi' AND wait_event_type = 'Lock' AND datname = current_database()`).Scan(&n); err != nil {
		return 0
	}
	return n
}
