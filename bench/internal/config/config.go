// Package config holds one bench run's settings, read from its flags: the sizes to
// measure, the database server, and how long and how hard each phase loads the
// contenders.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Load generators of the saturation (closed-loop) phases.
const (
	GeneratorWrk = "wrk" // wrk -t1: cheaper per request than the contenders
	GeneratorGo  = "go"  // Go's net/http client in the bench process
)

// Config is one run's settings.
type Config struct {
	Sizes         []Size
	Quick         bool
	AdminURL      string // a database on the server where the bench databases live
	Socket        string // Unix-socket directory the contenders connect through ("" = TCP)
	Templates     map[string]string
	Generator     string        // saturation load generator: GeneratorWrk or GeneratorGo
	Conns         int           // closed-loop connections
	Duration      time.Duration // closed-loop time per contender per round
	Rounds        int
	Warmup        time.Duration
	OpenDuration  time.Duration // open-loop time per contender per round
	OpenFraction  float64       // open-loop rate as a share of the slowest contender's throughput
	LatencyCount  int           // single-connection samples per contender per round
	RecallQueries int
	EfSearch      int
	IterativeScan string
	ReseedAfter   time.Duration
	JSONOut       string
	MDOut         string
	Keep          bool
	RedisURL      string // the Redis of the multi-replica section ("": section skipped)
	Root          string // module root
	Revision      string // the commit the service was built from (set when it is built)
}

// Parse reads the bench's flags; -h prints them on stderr and returns flag.ErrHelp.
func Parse(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c         Config
		sizes     string
		templates string
	)
	fs.StringVar(&sizes, "sizes", "10k,100k,1M", "data sizes, comma-separated (e.g. 10k,100k,1M)")
	fs.BoolVar(&c.Quick, "quick", false, "CI variant: 10k only, short durations, wide margins, exit 1 on any failure")
	fs.StringVar(&c.AdminURL, "database-url", "", "PostgreSQL URL of the server to create the bench databases on (default: $CONTEXTAPI_TEST_DATABASE_URL, $CONTEXTAPI_DATABASE_URL, $DATABASE_URL)")
	fs.StringVar(&c.Socket, "socket", "", "connect every contender through the Unix socket in this directory instead of TCP (e.g. /var/run/postgresql)")
	fs.StringVar(&templates, "templates", "", "size=database pairs to copy instead of seeding (CREATE DATABASE ... TEMPLATE), e.g. 1M=bench1m")
	fs.StringVar(&c.Generator, "generator", GeneratorWrk, "load generator of the saturation phases: wrk (scripts/wrk.sh installs it) or go (the bench's own net/http client, which costs about as much per request as the contenders)")
	fs.IntVar(&c.Conns, "conns", 32, "closed-loop keep-alive connections")
	fs.DurationVar(&c.Duration, "duration", 2*time.Second, "closed-loop time per contender per round")
	fs.IntVar(&c.Rounds, "rounds", 5, "interleaved rounds per measurement")
	fs.DurationVar(&c.Warmup, "warmup", 500*time.Millisecond, "warm-up per contender before each measurement")
	fs.DurationVar(&c.OpenDuration, "open-duration", 2*time.Second, "open-loop (fixed rate) time per contender per round (longer at low rates, for 60 samples)")
	fs.Float64Var(&c.OpenFraction, "open-fraction", 0.5, "open-loop rate as a share of the slowest contender's saturated throughput")
	fs.IntVar(&c.LatencyCount, "latency-samples", 40, "single-connection samples per contender per round (search, DB side)")
	fs.IntVar(&c.RecallQueries, "recall-queries", 50, "query vectors for recall@10 (fewer at 1M, where each exact scan takes seconds)")
	fs.IntVar(&c.EfSearch, "ef-search", 0, "hnsw.ef_search of B1 and the raw-SQL timings: keep it equal to the service's (0: the service's choice by table size)")
	fs.StringVar(&c.IterativeScan, "iterative-scan", "relaxed_order", "hnsw.iterative_scan of B1 and the raw-SQL timings: keep it equal to the service's")
	fs.DurationVar(&c.ReseedAfter, "reseed-after", 7*24*time.Hour, "re-seed a cached database older than this (its data is relative to the seed time)")
	fs.StringVar(&c.JSONOut, "json", "", "report file (default docs/performance.json; none in -quick)")
	fs.StringVar(&c.MDOut, "md", "", "Markdown file whose report section is replaced (default docs/performance.md; none in -quick)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the work directory (service logs, captured bodies, wrk scripts)")
	fs.StringVar(&c.RedisURL, "redis-url", os.Getenv("CONTEXTAPI_TEST_REDIS_URL"), "Redis shared by the multi-replica section's three service processes (default: $CONTEXTAPI_TEST_REDIS_URL; none: the section is skipped, or fails with CI=true)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.Quick {
		if !set["sizes"] {
			sizes = "10k"
		}
		defaults := map[string]func(){
			"duration":        func() { c.Duration = 700 * time.Millisecond },
			"rounds":          func() { c.Rounds = 3 },
			"warmup":          func() { c.Warmup = 200 * time.Millisecond },
			"open-duration":   func() { c.OpenDuration = 700 * time.Millisecond },
			"latency-samples": func() { c.LatencyCount = 10 },
			"recall-queries":  func() { c.RecallQueries = 20 },
		}
		for name, apply := range defaults {
			if !set[name] {
				apply()
			}
		}
	} else {
		if !set["json"] {
			c.JSONOut = "docs/performance.json"
		}
		if !set["md"] {
			c.MDOut = "docs/performance.md"
		}
	}
	var err error
	if c.Sizes, err = ParseSizes(sizes); err != nil {
		return c, err
	}
	if c.Templates, err = ParseTemplates(templates); err != nil {
		return c, err
	}
	switch {
	case c.Generator != GeneratorWrk && c.Generator != GeneratorGo:
		return c, errors.New("-generator must be wrk or go")
	case c.Conns < 1 || c.Conns > 512:
		return c, errors.New("-conns must be between 1 and 512")
	case c.Rounds < 1 || c.Rounds > 20:
		return c, errors.New("-rounds must be between 1 and 20")
	case c.Duration < 100*time.Millisecond || c.Duration > 5*time.Minute:
		return c, errors.New("-duration must be between 100ms and 5m")
	case c.OpenDuration < 100*time.Millisecond || c.OpenDuration > 5*time.Minute:
		return c, errors.New("-open-duration must be between 100ms and 5m")
	case c.Warmup < 0 || c.Warmup > time.Minute:
		return c, errors.New("-warmup must be between 0 and 1m")
	case !(c.OpenFraction > 0 && c.OpenFraction <= 1):
		return c, errors.New("-open-fraction must be in (0, 1]")
	case c.LatencyCount < 1 || c.LatencyCount > 10_000:
		return c, errors.New("-latency-samples must be between 1 and 10000")
	case c.RecallQueries < 1 || c.RecallQueries > 1000:
		return c, errors.New("-recall-queries must be between 1 and 1000")
	case c.EfSearch < 0 || c.EfSearch > 1000:
		return c, errors.New("-ef-search must be between 0 (by table size) and 1000")
	}
	if c.AdminURL == "" {
		for _, k := range []string{"CONTEXTAPI_TEST_DATABASE_URL", "CONTEXTAPI_DATABASE_URL", "DATABASE_URL"} {
			if v := os.Getenv(k); v != "" {
				c.AdminURL = v
				break
			}
		}
	}
	if c.AdminURL == "" {
		return c, errors.New("no database: pass -database-url or export CONTEXTAPI_TEST_DATABASE_URL=$(scripts/db.sh | tail -n 1)")
	}
	if c.RedisURL == "" && os.Getenv("CI") == "true" {
		return c, errors.New("no Redis for the multi-replica section: pass -redis-url or export CONTEXTAPI_TEST_REDIS_URL=$(scripts/redis.sh | tail -n 1)")
	}
	return c, nil
}

// Mode names the run in the report: quick or full.
func (c Config) Mode() string {
	if c.Quick {
		return "quick"
	}
	return "full"
}

// EfSearchOf is the hnsw.ef_search B1 and the raw statements use at this size: the
// flag's, or the service's own choice by table size.
func (c Config) EfSearchOf(sz Size) int {
	if c.EfSearch > 0 {
		return c.EfSearch
	}
	return EfSearchFor(int64(sz.Rows))
}

// EfSearchFor is the service's choice by table size (postgres.EfSearchFor; a test keeps
// the two equal).
func EfSearchFor(rows int64) int {
	if rows > 500_000 {
		return 200
	}
	return 100
}

// VectorCount is how many query vectors a size gets: every size gets -recall-queries
// (a recall near 0.95 needs hundreds of answers to be told apart from it), except above
// 1M, where each exact scan takes a second or more.
func (c Config) VectorCount(sz Size) int {
	if sz.Rows > 1_000_000 {
		return min(c.RecallQueries, 20)
	}
	return c.RecallQueries
}

// Size is one data size: its label (10k, 100k, 1M) and row count.
type Size struct {
	Label string
	Rows  int
}

// ParseSizes reads -sizes: counts like 10k, 100k, 1M, comma-separated, duplicates dropped.
func ParseSizes(s string) ([]Size, error) {
	var out []Size
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := parseCount(part)
		if err != nil {
			return nil, fmt.Errorf("-sizes: %q: %w", part, err)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, Size{Label: labelOf(n), Rows: n})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-sizes: no size given")
	}
	return out, nil
}

// parseCount reads 10k, 100K, 1M, 2500 (1 to 10,000,000 rows, as seed accepts).
func parseCount(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	mult := 1
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1_000, s[:len(s)-1]
	case "m":
		mult, s = 1_000_000, s[:len(s)-1]
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return 0, errors.New("not a count like 10k, 100k or 1M")
	}
	if n < 1 || n*mult > 10_000_000 {
		return 0, errors.New("must be between 1 and 10M rows")
	}
	return n * mult, nil
}

// labelOf renders a row count the way docs/targets.md names sizes.
func labelOf(n int) string {
	switch {
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// ParseTemplates reads -templates: size=database pairs.
func ParseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		n, err := parseCount(strings.TrimSpace(k))
		if !ok || err != nil || !validIdent(v) {
			return nil, fmt.Errorf("-templates: %q is not size=database", part)
		}
		out[labelOf(n)] = v
	}
	return out, nil
}

// validIdent accepts the plain database names the bench quotes into DDL.
func validIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
