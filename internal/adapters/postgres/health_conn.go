package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// healthConfig is the configuration of the pool Ping uses: the statement pools' own
// connection settings (host, TLS, application_name, the password file re-read before each
// connection, the connect timeout) in a pool of one connection. A health check every
// second thus finds its connection free however many requests wait for one of theirs, and
// costs the server one session more per process (through PgBouncer in transaction mode,
// one client connection and, only while the ping runs, a server session). A ping is an
// empty simple-protocol statement: nothing is prepared and nothing set, so it is the same
// through a transaction pooler. Its acquires are not counted as the requests' waits.
func healthConfig(cfg *pgxpool.Config) *pgxpool.Config {
	h := cfg.Copy()
	h.MaxConns = 1
	h.MinConns = 0
	h.MinIdleConns = 0
	h.ConnConfig.Tracer = nil
	// Ping checks the connection itself (and tries a fresh one once when it fails), so
	// the pool need not ping an idle connection before handing it out.
	h.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	return h
}

// ping checks that the database answers on the health connection. A connection the
// server dropped since the last ping (a restart, a failover, an idle timeout) fails once
// and is destroyed; a fresh one is then tried within ctx, so a database that is back is
// reported up at once.
func (p *pools) ping(ctx context.Context) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		var conn *pgxpool.Conn
		conn, err = p.health.Acquire(ctx)
		if err != nil {
			return err // no connection: connecting failed, or ctx ended first
		}
		err = conn.Ping(ctx)
		conn.Release() // destroys a connection the failed ping closed
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}
