// Package admission bounds the work that reaches the database: a decorator implementing
// ports.Repository that lets at most MaxConcurrent reads run at once, queues at most
// MaxWaiting more for at most QueueTimeout in arrival order, and refuses the rest at once
// with an error wrapping domain.ErrOverloaded. Refusing early keeps latency bounded under
// overload instead of letting every request wait on the connection pool.
//
// It sits between the cache and the database repository (cache → admission →
// postgres): cache hits and replayed answers never wait for a slot, identical misses
// that share one load take one slot between them, and a refused load lets the cache
// serve a stale entry (ErrOverloaded is an ErrUnavailable). Ping is never bounded, so
// readiness does not queue behind the load it is meant to report on.
package admission
