package testkit

import (
	"sync"
	"time"
)

// clockStart is where every Clock starts, so that runs repeat.
var clockStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Clock is a clock that moves only when the test advances it. Its Now method stands in
// for time.Now in an Options struct. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at 2026-01-01 00:00:00 UTC.
func NewClock() *Clock { return &Clock{now: clockStart} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
