// Package measure checks and times one size's running contenders: the agreement check
// before anything is timed (same answers; recall for the approximate searches), then
// every workload in interleaved rounds, and the cost growth across sizes (P9). It
// stores the inputs of the targets in a SizeResult, which package report evaluates.
package measure

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/progress"
	"github.com/contextapi/contextapi/bench/internal/statements"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// SizeResult is everything measured at one size.
type SizeResult struct {
	Label         string
	Rows          int
	AsOf          time.Time
	Disagreements []string
	Notes         []string
	Values        map[string]float64 // target inputs, keyed like "p1.list"
	Measurements  []Measurement

	DBURL     string             // for the cross-size phase (P9)
	Workloads workload.Workloads // idem, with the verified cursors
}

// Measurement is one contender's figures in one workload.
type Measurement struct {
	Workload  string    `json:"workload"`
	Contender string    `json:"contender"`
	Mode      string    `json:"mode"`      // saturation, fixed rate, one connection
	Generator string    `json:"generator"` // the load generator: wrk or go
	RPS       float64   `json:"rps,omitempty"`
	Rate      float64   `json:"rate,omitempty"`
	P50       float64   `json:"p50_ms"`
	P95       float64   `json:"p95_ms"`
	P99       float64   `json:"p99_ms"`
	Requests  int       `json:"requests"`
	Errors    int       `json:"errors"`
	Rounds    []float64 `json:"rounds_rps,omitempty"`
}

// Measurement modes.
const (
	Saturation    = "saturation"
	FixedRate     = "fixed rate"
	OneConnection = "one connection"
)

// Env is one size's running contenders and data.
type Env struct {
	Cfg             config.Config
	Size            config.Size
	SQL             *statements.Set
	Saturator       load.Saturator    // closed-loop load: wrk, or the Go client with -generator go
	Service         string            // base URL of the cached service
	ServiceUncached string            // base URL of the uncached service
	Baselines       map[string]string // base URLs of B0, B1, B2 and EX
	Pool            *pgxpool.Pool     // the bench's own: discovery and raw-SQL timings
	Data            *workload.Dataset
	Workloads       workload.Workloads
	Res             *SizeResult
}

func (e *Env) note(format string, args ...any) {
	e.Res.Notes = append(e.Res.Notes, fmt.Sprintf(format, args...))
}

// Note records a remark in the report's notes of this size.
func (e *Env) Note(format string, args ...any) { e.note(format, args...) }

func (e *Env) disagree(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	progress.Logf("%s: DISAGREEMENT: %s", e.Size.Label, msg)
	e.Res.Disagreements = append(e.Res.Disagreements, msg)
}

func (e *Env) baseOf(name string) string {
	switch name {
	case contenders.Service:
		return e.Service
	case contenders.ServiceUncached:
		return e.ServiceUncached
	}
	return e.Baselines[name]
}

func (e *Env) step(name string) { progress.Logf("%s: measuring %s", e.Size.Label, name) }
