// Package contenders runs what the bench measures: the service built from the working
// tree (cached and uncached, in production configuration) and the baselines B0, B1, B2
// and EX, served by a child process of the bench (ServeBaselines), one port each.
package contenders

// Contender names, as the report uses them.
const (
	Service         = "service"          // the service with its cache on
	ServiceUncached = "service-uncached" // the service with --cache-enabled=false
	B0              = "B0"               // bare net/http serving the cached service's bytes
	B1              = "B1"               // hand-written net/http + pgx running the service's statements
	B2              = "B2"               // PostgREST-style: PostgreSQL builds the page as JSON
	EX              = "EX"               // exact vector search
	SQL             = "SQL"              // the raw search statement, timed with pgx inside the bench
)
