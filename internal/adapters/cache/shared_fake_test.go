package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

var errTierDown = errors.New("fake tier: connection refused")

// fakeShared is an in-memory Shared that several caches (processes) can share. It
// expires nothing (the caches' deadlines are checked on their own clocks), can fail
// every call, or hold every call until its context ends (a tier that stopped answering).
type fakeShared struct {
	mu     sync.Mutex
	values map[string][]byte
	leases map[string]string

	failing, stalled atomic.Bool
	calls, acquired  atomic.Int64
	lastTTL          atomic.Int64
}

func newFakeShared() *fakeShared {
	return &fakeShared{values: map[string][]byte{}, leases: map[string]string{}}
}

func (f *fakeShared) enter(ctx context.Context) error {
	f.calls.Add(1)
	if f.stalled.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	if f.failing.Load() {
		return errTierDown
	}
	return nil
}

func (f *fakeShared) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := f.enter(ctx); err != nil {
		return nil, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[key]
	return v, ok, nil
}

func (f *fakeShared) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.lastTTL.Store(int64(ttl))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[key] = value
	return nil
}

func (f *fakeShared) Acquire(ctx context.Context, key, token string, _ time.Duration) (bool, error) {
	if err := f.enter(ctx); err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, held := f.leases[key]; held {
		return false, nil
	}
	f.leases[key] = token
	f.acquired.Add(1)
	return true, nil
}

func (f *fakeShared) Release(ctx context.Context, key, token string) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leases[key] == token {
		delete(f.leases, key)
	}
	return nil
}

func (f *fakeShared) Ping(ctx context.Context) error { return f.enter(ctx) }

func (f *fakeShared) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.values)
}
