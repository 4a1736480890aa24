package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxConnectTimeout caps the connect timeout the service chooses, minConnectTimeout
// floors it (see connectTimeoutFor).
const (
	maxConnectTimeout = 5 * time.Second
	minConnectTimeout = time.Second
)

// connectTimeoutFor bounds opening one connection (dialling, TLS, authentication) when
// neither the DSN nor PGCONNECT_TIMEOUT sets a positive connect_timeout: the statement
// timeout, at most 5 s and at least 1 s. Without a bound, a host that drops SYNs or a port
// that accepts and never speaks holds a pool slot for pgxpool's two minutes, long after
// the request that asked for the connection gave up.
func connectTimeoutFor(statementTimeout time.Duration) time.Duration {
	return max(minConnectTimeout, min(statementTimeout, maxConnectTimeout))
}

// boundConnect sets cfg's connect timeout to connectTimeoutFor(statementTimeout) unless
// the user chose one. connect_timeout=0, libpq's "wait forever", counts as not chosen:
// pgxpool would make it two minutes anyway, and an unbounded connect is the fault this
// bound exists for.
func boundConnect(cfg *pgx.ConnConfig, statementTimeout time.Duration) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = connectTimeoutFor(statementTimeout)
	}
}

// SelectingVariables are the libpq environment variables that point at a database. Without
// a URL, any of them set means a database is configured; the others libpq reads
// (PGPASSWORD, PGSSLMODE, PGPASSFILE, ...) only tune a connection and select nothing.
var SelectingVariables = []string{"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"}

// parseDSN reads a PostgreSQL URL or key=value DSN without echoing it: the error names
// the problem, never the password. An empty dsn takes everything from libpq's
// environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE,
// PGPASSFILE, ...), as psql would. The only startup parameter added is
// application_name, which every pooler passes on.
func parseDSN(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		if dsn == "" {
			return nil, errors.New("postgres: the PG* environment variables do not form a valid connection")
		}
		return nil, errors.New("postgres: database_url is not a valid PostgreSQL URL or DSN")
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "contextapi"
	}
	return cfg, nil
}

// connConfig is parseDSN plus the password file: when passwordFile is set, it is read
// now and again before every connection (see withPasswordFile), so a rotated secret
// needs no restart.
func connConfig(dsn, passwordFile string) (*pgx.ConnConfig, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if passwordFile != "" {
		if err := applyPasswordFile(cfg, passwordFile); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// withPasswordFile returns a hook that re-reads the password file into a connection's
// configuration just before it connects; nil when there is no file.
func withPasswordFile(passwordFile string) func(context.Context, *pgx.ConnConfig) error {
	if passwordFile == "" {
		return nil
	}
	return func(_ context.Context, cfg *pgx.ConnConfig) error {
		return applyPasswordFile(cfg, passwordFile)
	}
}

// applyPasswordFile sets the password of cfg (every fallback host shares it) from the file.
func applyPasswordFile(cfg *pgx.ConnConfig, path string) error {
	password, err := ReadPasswordFile(path)
	if err != nil {
		return err
	}
	cfg.Password = password
	return nil
}

// ReadPasswordFile reads a password from a file such as a mounted Kubernetes Secret: the
// whole file, less the line ending an editor or `echo` leaves at its end.
func ReadPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path) // #nosec G304 G703 -- the path is the operator's own configuration
	if err != nil {
		// The path is configuration, not a secret: the error names it, and why.
		return "", fmt.Errorf("postgres: database_password_file: %w", err)
	}
	password := strings.TrimRight(string(b), "\r\n")
	if password == "" {
		return "", fmt.Errorf("postgres: database_password_file: %s is empty", path)
	}
	return password, nil
}

// ValidateDSN reports whether dsn (or, when empty, the PG* variables) can be parsed, for
// start-up validation.
func ValidateDSN(dsn string) error {
	_, err := parseDSN(dsn)
	return err
}

// Describe names the database a DSN (or the PG* variables) points at, without its
// password, for logs.
func Describe(dsn string) string {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return "invalid DSN"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
