package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestFailover(t *testing.T) {
	live := context.Background()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	pgErr := func(code string) error {
		return translate(live, "list", &pgconn.PgError{Code: code})
	}
	tests := []struct {
		name                string
		ctx                 context.Context
		err                 error
		wantRetry, wantDown bool
		wantOutcome         string
	}{
		{name: "an answer", ctx: live, wantOutcome: "ok"},
		{name: "not found is an answer", ctx: live, err: translate(live, "get", fmt.Errorf("x: %w", domain.ErrNotFound)), wantOutcome: "ok"},
		{name: "invalid input is an answer", ctx: live, err: pgErr("22021"), wantOutcome: "ok"},
		{name: "a lost connection: elsewhere, and out of the plans", ctx: live, err: translate(live, "list", io.ErrUnexpectedEOF),
			wantRetry: true, wantDown: true, wantOutcome: "unavailable"},
		{name: "too many connections", ctx: live, err: pgErr("53300"), wantRetry: true, wantDown: true, wantOutcome: "unavailable"},
		{name: "a standby starting up", ctx: live, err: pgErr("57P03"), wantRetry: true, wantDown: true, wantOutcome: "unavailable"},
		{name: "a conflict with the standby's replay: elsewhere, the standby is fine", ctx: live, err: pgErr("40001"),
			wantRetry: true, wantOutcome: "unavailable"},
		{name: "the statement timeout: a slow answer, not a dead target", ctx: live, err: pgErr("57014"), wantOutcome: "unavailable"},
		{name: "the caller went away", ctx: gone, err: translate(gone, "list", io.ErrUnexpectedEOF), wantOutcome: "canceled"},
		{name: "another fault", ctx: live, err: errors.New("postgres: list: scan: boom"), wantOutcome: "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, down := failover(tt.ctx, tt.err)
			assert.Equal(t, tt.wantRetry, retry, "retry")
			assert.Equal(t, tt.wantDown, down, "down")
			assert.Equal(t, tt.wantOutcome, outcome(tt.ctx, tt.err, retry))
		})
	}
}

// A read waiting on a target that is marked down meanwhile is abandoned as an outage of
// the target (the next target, or a 503, follows); the caller's own cancellation is not.
func TestOnTargetAbandonsReadsOfATargetMarkedDown(t *testing.T) {
	r := &Router{opts: RouterOptions{}.withDefaults(), metrics: newRouterMetrics(nil)}
	blocked := func(started chan struct{}) func(context.Context, *Repository) (int, domain.Read, error) {
		return func(ctx context.Context, _ *Repository) (int, domain.Read, error) {
			close(started)
			<-ctx.Done()
			return 0, domain.Read{}, fmt.Errorf("postgres: list: %w", ctx.Err())
		}
	}

	tgt := newTarget("replica-1 (db:5432)", roleReplica, &Repository{})
	started := make(chan struct{})
	go func() { <-started; r.transition(tgt, stateDown, 0, errors.New("check: timeout")) }()
	_, _, err, abandoned := onTarget(t.Context(), tgt, blocked(started))
	assert.True(t, abandoned)
	assert.ErrorIs(t, err, domain.ErrUnavailable)

	r.transition(tgt, stateUp, 0, nil) // back: new reads are not abandoned at once
	ctx, cancel := context.WithCancel(t.Context())
	started = make(chan struct{})
	go func() { <-started; cancel() }()
	_, _, err, abandoned = onTarget(ctx, tgt, blocked(started))
	assert.False(t, abandoned, "the caller went away: nothing to retry")
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, domain.ErrUnavailable)
}
