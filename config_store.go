package contextapi

import (
	"fmt"
	"strings"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

// Store names what serve reads: the configured PostgreSQL, or the built-in demo data.
type Store string

// The stores serve can read, as /health and the first log line name them.
const (
	StorePostgreSQL Store = "postgresql"
	StoreDemo       Store = "demo"
)

// HasDatabase reports whether a database is configured: a URL, or libpq variables.
func (c Config) HasDatabase() bool {
	return c.DatabaseURL != "" || len(c.LibpqVariables) > 0
}

// DatabaseSource says where the database settings come from, for messages.
func (c Config) DatabaseSource() string {
	if c.DatabaseURL != "" {
		return "database_url"
	}
	return strings.Join(c.LibpqVariables, ", ")
}

// Store decides what serve reads. Demo data is never served in place of a database:
// asked for together with one it is refused, and in Kubernetes it must be asked for.
func (c Config) Store() (Store, error) {
	switch {
	case c.Demo && c.HasDatabase():
		return "", &ConfigError{"demo", fmt.Sprintf("cannot be combined with a database (%s is set): choose one", c.DatabaseSource())}
	case c.HasDatabase():
		return StorePostgreSQL, nil
	case c.Demo || !c.InKubernetes:
		return StoreDemo, nil
	}
	reason := "no database is configured, and KUBERNETES_SERVICE_HOST says this is a Kubernetes pod, " +
		"where the built-in demo data is served only when asked for: set database_url " +
		"(CONTEXTAPI_DATABASE_URL or DATABASE_URL) or the PG* variables (PGHOST, PGDATABASE, PGUSER, ...), " +
		"or demo: true (--demo, CONTEXTAPI_DEMO=true) to serve the demo data on purpose"
	if len(c.Unrecognised) > 0 {
		reason += fmt.Sprintf(" (set but not configuration keys: %s)", strings.Join(c.Unrecognised, ", "))
	}
	return "", &ConfigError{"database_url", reason}
}

// readEnvironment takes what configuration needs from variables that are not keys of
// ours, and checks the database settings.
func (c *Config) readEnvironment(env Environment) error {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	if v, _ := env("KUBERNETES_SERVICE_HOST"); v != "" {
		c.InKubernetes = true
	}
	if c.DatabaseURL == "" {
		for _, name := range postgres.SelectingVariables {
			if v, _ := env(name); v != "" {
				c.LibpqVariables = append(c.LibpqVariables, name)
			}
		}
	}
	if !c.HasDatabase() {
		if c.DatabasePasswordFile != "" {
			return &ConfigError{"database_password_file", "is set but no database is configured (database_url, or the PG* variables)"}
		}
		return nil
	}
	if err := postgres.ValidateDSN(c.DatabaseURL); err != nil {
		if c.DatabaseURL == "" {
			return &ConfigError{c.DatabaseSource(), "do not form a valid PostgreSQL connection"}
		}
		return &ConfigError{"database_url", "is not a valid PostgreSQL URL or key=value DSN"}
	}
	if c.DatabasePasswordFile != "" {
		if _, err := postgres.ReadPasswordFile(c.DatabasePasswordFile); err != nil {
			return &ConfigError{"database_password_file", strings.TrimPrefix(err.Error(), "postgres: database_password_file: ")}
		}
	}
	return nil
}
