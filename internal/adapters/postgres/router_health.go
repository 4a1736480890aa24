package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// replayQuery measures a standby's replay lag on the standby itself. When it has
// replayed all the WAL it received, it is as fresh as the primary has told it to be:
// no lag, however long ago the primary last wrote (so an idle primary never makes its
// replicas look late). Otherwise the lag is the age of the last transaction it replayed.
// On a server that is not a standby both positions are NULL, hence equal.
const replayQuery = `SELECT pg_is_in_recovery(),
	pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
	EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8`

// recheckDelay is how long a check waits before measuring an apparent lag again: right
// after an idle primary writes, a standby has received WAL it has not yet replayed, and
// the last transaction it did replay may be hours old, for a few milliseconds.
const recheckDelay = 100 * time.Millisecond

// replay is what replayQuery found.
type replay struct {
	standby  bool
	caughtUp bool
	age      *float64 // nil: no transaction replayed since the standby started
}

// lag is the replay lag in seconds, +Inf when it cannot be told.
func (p replay) lag() float64 {
	switch {
	case p.caughtUp:
		return 0
	case p.age == nil:
		return math.Inf(1)
	}
	return max(0, *p.age)
}

// watch checks t every CheckInterval until ctx ends, starting at once.
func (r *Router) watch(ctx context.Context, t *target) {
	ticker := time.NewTicker(r.opts.CheckInterval)
	defer ticker.Stop()
	for {
		r.check(ctx, t)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// check measures t once, within CheckTimeout, and records its state: the primary is up
// when it answers a ping; a replica when it answers and replays within MaxLag.
func (r *Router) check(parent context.Context, t *target) {
	ctx, cancel := context.WithTimeout(parent, r.opts.CheckTimeout)
	defer cancel()
	if t.role == rolePrimary {
		if err := t.repo.pools.ping(ctx); err != nil {
			if parent.Err() == nil {
				r.transition(t, stateDown, 0, err)
			}
			return
		}
		r.transition(t, stateUp, 0, nil)
		return
	}
	rep, err := measure(ctx, t.repo.pools)
	if err == nil && rep.lag() > r.opts.MaxLag.Seconds() {
		select {
		case <-time.After(recheckDelay):
			rep, err = measure(ctx, t.repo.pools)
		case <-ctx.Done():
		}
	}
	switch {
	case parent.Err() != nil:
		return // closing: the last state stands
	case err != nil:
		r.transition(t, stateDown, math.Float64frombits(t.lag.Load()), err)
	case !rep.standby:
		r.reportNotStandby(t)
		r.transition(t, stateUp, 0, nil)
	case rep.lag() > r.opts.MaxLag.Seconds():
		r.transition(t, stateLagging, rep.lag(), nil)
	default:
		r.transition(t, stateUp, rep.lag(), nil)
	}
}

// reportNotStandby says once that a replica URL leads to a server that is not a standby
// (the primary itself, or a promoted standby): it is read as any replica, with no lag.
func (r *Router) reportNotStandby(t *target) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.notStandbyLogged {
		t.notStandbyLogged = true
		r.opts.Logger.Warn("database replica is not a standby (pg_is_in_recovery() is false): it is read with no replay lag; "+
			"check database_replica_urls if it should be a streaming replica", "target", t.name)
	}
}

// measure runs replayQuery on the health connection. Like ping, it tries a fresh
// connection once when the one it had is found dead (a standby restarted since).
func measure(ctx context.Context, p *pools) (replay, error) {
	var (
		rep replay
		err error
	)
	for attempt := 0; attempt < 2; attempt++ {
		var conn *pgxpool.Conn
		conn, err = p.health.Acquire(ctx)
		if err != nil {
			return rep, err
		}
		// The simple protocol prepares nothing, so it also works through a pooler.
		err = conn.QueryRow(ctx, replayQuery, pgx.QueryExecModeSimpleProtocol).Scan(&rep.standby, &rep.caughtUp, &rep.age)
		conn.Release()
		if err == nil || ctx.Err() != nil {
			return rep, err
		}
	}
	return rep, err
}
