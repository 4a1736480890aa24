package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pingCounter answers pings with err and counts them.
type pingCounter struct {
	err   error
	pings int
}

func (p *pingCounter) Ping(ctx context.Context) error {
	p.pings++
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.err
}

func TestHealthReportsEachChangeOnce(t *testing.T) {
	now := testNow
	clock := func() time.Time { return now }
	p := &pingCounter{}
	var changes []bool
	h := NewHealth(p, clock, HealthOptions{Store: "postgresql", Database: true, OnChange: func(s DatabaseState) { changes = append(changes, s.Up) }})
	assert.False(t, h.Last().Checked, "nothing checked before the first check")

	steps := []struct {
		err  error
		up   bool
		ever bool
	}{
		{nil, true, true},
		{nil, true, true},
		{errors.New("connection refused"), false, true},
		{errors.New("connection refused"), false, true},
		{nil, true, true},
	}
	for _, s := range steps {
		p.err = s.err
		now = now.Add(2 * time.Second)
		st := h.Check(context.Background())
		assert.Equal(t, s.up, st.Up)
		assert.Equal(t, s.ever, st.EverUp)
	}
	assert.Equal(t, []bool{true, false, true}, changes, "the first result, then each change")
	assert.Equal(t, testNow.Add(10*time.Second), h.Last().Since, "up since the last change")
}

func TestHealthReusesAResultWithinTheInterval(t *testing.T) {
	now := testNow
	p := &pingCounter{}
	h := NewHealth(p, func() time.Time { return now }, HealthOptions{Interval: time.Second})
	h.Check(context.Background())
	now = now.Add(900 * time.Millisecond)
	h.Check(context.Background())
	assert.Equal(t, 1, p.pings)
	now = now.Add(200 * time.Millisecond)
	h.Check(context.Background())
	assert.Equal(t, 2, p.pings)
}

// A caller that leaves says nothing about the store.
func TestHealthIgnoresACallerThatLeft(t *testing.T) {
	p := &pingCounter{}
	h := NewHealth(p, func() time.Time { return testNow }, HealthOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := h.Check(ctx)
	assert.False(t, st.Checked)
	assert.Equal(t, 1, p.pings)
}

func TestReadinessRules(t *testing.T) {
	tests := []struct {
		name            string
		everUp, upNow   bool
		requireDatabase bool
		draining        bool
		ready           bool
	}{
		{name: "never answered", ready: false},
		{name: "answering", everUp: true, upNow: true, ready: true},
		{name: "outage after start", everUp: true, ready: true},
		{name: "outage after start, database required", everUp: true, requireDatabase: true, ready: false},
		{name: "shutting down", everUp: true, upNow: true, draining: true, ready: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			p := &pingCounter{}
			h := NewHealth(p, func() time.Time { return now }, HealthOptions{Store: "postgresql", Database: true, RequireDatabase: tc.requireDatabase})
			if tc.everUp {
				h.Check(context.Background())
			}
			if !tc.upNow {
				p.err = errors.New("dial tcp 10.1.2.3:5432: refused")
			}
			now = now.Add(2 * time.Second)
			r := h.Readiness(context.Background(), tc.draining, true)
			assert.Equal(t, tc.ready, r.Ready)
			require.Len(t, r.Checks, 3)
			assert.Equal(t, []string{"startup", "database", "shutdown"}, []string{r.Checks[0].Name, r.Checks[1].Name, r.Checks[2].Name})
			assert.Equal(t, tc.requireDatabase, r.Checks[1].Required)
			for _, c := range r.Checks {
				assert.NotContains(t, c.Detail, "10.1.2.3", "the ping's error never reaches a caller")
			}
		})
	}
}

// A store that is no database (the demo data) has no database check to list.
func TestReadinessOfTheDemoStore(t *testing.T) {
	h := NewHealth(&pingCounter{}, func() time.Time { return testNow }, HealthOptions{Store: "demo"})
	r := h.Readiness(context.Background(), false, true)
	assert.True(t, r.Ready)
	require.Len(t, r.Checks, 2)
	assert.Equal(t, "startup", r.Checks[0].Name)
	assert.Equal(t, "shutdown", r.Checks[1].Name)
	assert.False(t, h.ReportsDatabase())
}
