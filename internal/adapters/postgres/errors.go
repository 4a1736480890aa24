package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// translate turns a database error into a domain error kind at the adapter's edge.
// Lost connections, timeouts and an overloaded or restarting server are
// domain.ErrUnavailable (the caller may retry); a cancelled request stays
// context.Canceled; anything else is wrapped as is.
func translate(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("postgres: %s: %w", op, domain.ErrNotFound)
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("postgres: %s: %w", op, context.Canceled)
	case unavailable(err):
		return fmt.Errorf("postgres: %s: %w: %w", op, domain.ErrUnavailable, err)
	case dataException(err):
		return fmt.Errorf("postgres: %s: %w: %w", op, domain.ErrInvalidArgument, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailable reports whether err means the database cannot answer now, as opposed to
// a fault in the statement.
func unavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		// No connection at all (refused password, unknown database, server down): the
		// service cannot answer, whatever the server said.
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "57014": // query_canceled: the statement timeout fired
			return true
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),  // insufficient resources, too many connections
			strings.HasPrefix(pgErr.Code, "57P"): // admin shutdown, crash shutdown, cannot connect now
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		// The pool was closed (the process is shutting down): an outage for the caller.
		errors.Is(err, puddle.ErrClosedPool) ||
		pgconn.Timeout(err) ||
		errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// dataException reports whether the server refused a value (SQLSTATE class 22, e.g. a
// NUL byte in text): the input's fault, not the database's.
func dataException(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22")
}
