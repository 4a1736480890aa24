package contextapi

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

// ReplicaConfig is where reads go besides the primary: PostgreSQL streaming replicas.
type ReplicaConfig struct {
	// URLs are the replicas' URLs or key=value DSNs (none: every read goes to the
	// primary, with no router at all).
	URLs []string
	// MaxLag is how far behind the primary a replica may replay and still be read.
	MaxLag time.Duration
}

// replicaKeys are the keys of ReplicaConfig, at the end of Keys.
var replicaKeys = []Key{
	{"database_replica_urls", "", "PostgreSQL streaming replicas to read from, comma-separated (a list in YAML), with database_url's settings; empty: every read goes to database_url"},
	{"max_replica_lag", "10s", "how far behind the primary a replica may replay and still be read (it is avoided until it catches up)"},
}

// dsnStart tells the first characters of a DSN: a URL's scheme or a key=value pair's key.
// A comma inside a DSN (a multi-host URL, host=a,b) is followed by neither.
var dsnStart = regexp.MustCompile(`^\s*(postgres(ql)?://|[A-Za-z_]+\s*=)`)

// splitDSNs splits a comma-separated list of DSNs. A piece that does not start as a DSN
// does belongs to the one before it (postgres://a:5432,b:5432/db is one multi-host URL).
func splitDSNs(list string) []string {
	var out []string
	for _, piece := range strings.Split(list, ",") {
		switch {
		case strings.TrimSpace(piece) == "":
			continue // "a,,b" or a trailing comma
		case len(out) > 0 && !dsnStart.MatchString(piece):
			out[len(out)-1] += "," + strings.TrimRight(piece, " \t")
		default:
			out = append(out, strings.TrimSpace(piece))
		}
	}
	return out
}

// parseReplicas validates the replica keys. Replicas need the primary they replicate
// (reads fall back to it, and it is what readiness and migrations talk to), and have
// nothing to do with the demo data.
func parseReplicas(raw map[string]string, c Config) (ReplicaConfig, error) {
	r := ReplicaConfig{URLs: splitDSNs(raw["database_replica_urls"])}
	var err error
	if r.MaxLag, err = positiveDuration(raw, "max_replica_lag"); err != nil || r.MaxLag < 100*time.Millisecond {
		return r, &ConfigError{"max_replica_lag", "must be a duration of at least 100ms, such as 10s"}
	}
	if len(r.URLs) == 0 {
		return r, nil
	}
	switch {
	case c.Demo:
		return r, &ConfigError{"database_replica_urls", "cannot be combined with demo: replicas are read with a primary database"}
	case !c.HasDatabase():
		return r, &ConfigError{"database_replica_urls", "needs the primary database too (database_url, or the PG* variables): " +
			"reads fall back to it when no replica is usable"}
	}
	seen := map[string]bool{}
	for i, dsn := range r.URLs {
		// postgres.ValidateDSN names the problem, never the password; neither does this.
		if err := postgres.ValidateDSN(dsn); err != nil {
			return r, &ConfigError{"database_replica_urls", fmt.Sprintf("replica %d is not a valid PostgreSQL URL or key=value DSN", i+1)}
		}
		if seen[dsn] {
			return r, &ConfigError{"database_replica_urls", fmt.Sprintf("replica %d is listed twice", i+1)}
		}
		seen[dsn] = true
	}
	return r, nil
}

// Describe sums the replicas up for the first log line, without credentials.
func (r ReplicaConfig) Describe() string {
	if len(r.URLs) == 0 {
		return ""
	}
	names := make([]string, len(r.URLs))
	for i, dsn := range r.URLs {
		names[i] = postgres.Describe(dsn)
	}
	return fmt.Sprintf("reads spread over %d replica(s) (%s) replaying at most %s behind, the primary when none is",
		len(r.URLs), strings.Join(names, ", "), r.MaxLag)
}
