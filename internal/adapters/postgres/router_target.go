package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/contextapi/contextapi/internal/domain"
)

// Roles of a target.
const (
	rolePrimary = "primary"
	roleReplica = "replica"
)

// targetState is what the router knows of a target.
type targetState int32

const (
	// stateUnknown: not checked yet since start.
	stateUnknown targetState = iota
	// stateUp: answering, and (a replica) replaying within the bound.
	stateUp
	// stateLagging: a replica answering but replaying too far behind.
	stateLagging
	// stateDown: its last check or a read on it failed to reach it.
	stateDown
)

var stateNames = [...]string{"unknown", "up", "lagging", "down"}

func (s targetState) String() string { return stateNames[s] }

// target is one database the router reads from.
type target struct {
	name  string // "primary" or "replica-N (host:port)": never credentials
	role  string
	repo  *Repository
	state atomic.Int32
	lag   atomic.Uint64 // math.Float64bits of the last measured replay lag, in seconds
	// mu orders changes of state, so each is logged once and the gauges agree with it.
	mu sync.Mutex
	// notStandbyLogged remembers that a replica URL pointing at a primary was reported.
	notStandbyLogged bool
	// gone ends when the target is marked down, abandoning the reads on it (onTarget);
	// a fresh one replaces it when the target is back.
	gone atomic.Pointer[signal]
}

// signal is a context that ends when its cancel is called.
type signal struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newSignal() *signal {
	ctx, cancel := context.WithCancel(context.Background())
	return &signal{ctx: ctx, cancel: cancel}
}

// errTargetDown is the cause of a read abandoned because its target was marked down.
var errTargetDown = errors.New("the target was marked down")

func newTarget(name, role string, repo *Repository) *target {
	t := &target{name: name, role: role, repo: repo}
	t.gone.Store(newSignal())
	return t
}

func (t *target) currentState() targetState { return targetState(t.state.Load()) }

// TargetStatus is a target as the router sees it.
type TargetStatus struct {
	// Name is "primary" or "replica-N (host:port)".
	Name string
	// Role is "primary" or "replica".
	Role string
	// State is unknown, up, lagging or down.
	State string
	// LagSeconds is the replay lag last measured (replicas; +Inf when unknown).
	LagSeconds float64
}

func (t *target) status() TargetStatus {
	return TargetStatus{Name: t.name, Role: t.role, State: t.currentState().String(),
		LagSeconds: math.Float64frombits(t.lag.Load())}
}

// markDown takes a target out of the reads' plans after a read failed to reach it; its
// next successful check brings it back.
func (r *Router) markDown(t *target, cause error) {
	r.transition(t, stateDown, math.Float64frombits(t.lag.Load()), cause)
}

// transition records t's new state and lag, and logs a change of state once.
func (r *Router) transition(t *target, to targetState, lag float64, cause error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	from := targetState(t.state.Swap(int32(to)))
	t.lag.Store(math.Float64bits(lag))
	r.metrics.setState(t, to, lag)
	if from == to {
		return
	}
	switch {
	case to == stateDown:
		t.gone.Load().cancel()
		if t.repo.pools != nil {
			// Its pooled connections most likely died with it: reads that came back to
			// it would each find one dead, fail over and take it out again.
			t.repo.pools.reset()
		}
	case from == stateDown:
		t.gone.Store(newSignal())
	}
	log := r.opts.Logger
	attrs := []any{"target", t.name, "role", t.role, "from", from.String(), "to", to.String()}
	switch to {
	case stateUp:
		if from == stateUnknown {
			log.Info("database target answers", attrs...)
		} else {
			log.Info("database target is back: reads use it again", attrs...)
		}
	case stateLagging:
		log.Warn(fmt.Sprintf("database replica replays too far behind (more than %s): reads avoid it until it catches up", r.opts.MaxLag),
			append(attrs, "lag_seconds", lagAttr(lag))...)
	case stateDown:
		msg := "database target does not answer: reads avoid it until it answers again"
		if t.role == rolePrimary {
			msg = "the primary database does not answer: reads need a usable replica until it does"
		}
		// The error may name hosts, never the password (pgx leaves it out).
		log.Warn(msg, append(attrs, "error", errString(cause))...)
	}
}

// lagAttr is a lag for the logs, which cannot hold +Inf.
func lagAttr(lag float64) any {
	if math.IsInf(lag, 1) {
		return "unknown: WAL to replay and no transaction replayed since the standby started"
	}
	return lag
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// failover tells whether a read that ended in err may be tried on another target
// (retry), and whether the target should be taken out of the plans (down):
//   - the caller's own cancellation or deadline: neither, nobody waits for the answer;
//   - a standby cancelling a statement that conflicts with its replay (SQLSTATE 40001
//     there, 40P01 for a lock): retry, the target itself is fine;
//   - the statement timeout (57014): neither, the target answered slowly and the same
//     read elsewhere would most likely be as slow, doubling the work;
//   - anything translate calls unavailable (refused, reset, closed connections,
//     too many connections, shutting down): both;
//   - an answer (not found, invalid input) or another fault: neither.
func failover(ctx context.Context, err error) (retry, down bool) {
	if err == nil || ctx.Err() != nil {
		return false, false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01":
			return true, false
		case "57014":
			return false, false
		}
	}
	if errors.Is(err, domain.ErrUnavailable) {
		return true, true
	}
	return false, false
}

// outcome labels a read for contextapi_db_target_reads_total.
func outcome(ctx context.Context, err error, retry bool) string {
	switch {
	case err == nil, errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrInvalidArgument):
		return "ok" // the target answered
	case ctx.Err() != nil:
		return "canceled"
	case retry || errors.Is(err, domain.ErrUnavailable):
		return "unavailable"
	}
	return "error"
}

// hostPort names the server a DSN points at, without credentials.
func hostPort(dsn string) string {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return "invalid DSN"
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}
