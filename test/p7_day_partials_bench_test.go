package test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
)

// TestP7DayPartialsLatency measures P7's four aggregations (success rate, namespaces and
// severity over the last 30 days, trend of 30 days) one request at a time on an existing
// database (CONTEXTAPI_P7_DATABASE_URL; it only reads): through the cache with day
// partials, every request a new window (since = now − 30 days, each a second apart, as
// callers send them; the trend with a distinct until before tomorrow), so the answer
// cache never hits and only the day partials are warm; and straight from PostgreSQL,
// interleaved request by request. Then the cold cost: the first request on an empty
// cache. CONTEXTAPI_P7_ROUNDS sets the rounds (default 60).
func TestP7DayPartialsLatency(t *testing.T) {
	dsn := os.Getenv("CONTEXTAPI_P7_DATABASE_URL")
	if dsn == "" {
		t.Skip("set CONTEXTAPI_P7_DATABASE_URL to measure P7 with day partials")
	}
	rounds := 60
	if v := os.Getenv("CONTEXTAPI_P7_ROUNDS"); v != "" {
		var err error
		rounds, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	ctx := t.Context()
	metrics := postgres.NewMetrics(prometheus.NewRegistry())
	repo, err := postgres.Open(dsn, postgres.Options{Metrics: metrics})
	require.NoError(t, err)
	defer repo.Close()
	// The clock is set back to the newest trace, so that the current hour holds rows as it
	// would in production (the data set ends when it was seeded), and moves on from there.
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	var newest time.Time
	require.NoError(t, conn.QueryRow(ctx, "SELECT max(action_timestamp) FROM resource_action_traces").Scan(&newest))
	require.NoError(t, conn.Close(ctx))
	offset := time.Since(newest)
	now := func() time.Time { return time.Now().Add(-offset) }
	codec := app.NewCursorCodec([]byte("p7"))
	newDays := func() (*app.Service, func()) {
		c, err := cache.New(repo, cache.Options{TTL: 5 * time.Minute, DayPartials: true, Now: now})
		require.NoError(t, err)
		return app.NewService(c, now, codec), c.Close
	}
	direct := app.NewService(repo, now, codec)

	var seq atomic.Int64 // every request a window of its own
	since := func() app.Params {
		n := seq.Add(1) % 600 // within 10 minutes of now − 30 days: unique while now moves on
		s := now().UTC().Add(-30 * oneDay).Truncate(time.Second).Add(-time.Duration(n) * time.Second)
		return app.Params{"since": {s.Format(time.RFC3339)}}
	}
	kinds := []struct {
		name string
		call func(svc *app.Service) error
	}{
		{"success-rate", func(svc *app.Service) error { _, _, err := svc.SuccessRate(ctx, since()); return err }},
		{"namespaces", func(svc *app.Service) error { _, _, err := svc.Namespaces(ctx, since()); return err }},
		{"severity", func(svc *app.Service) error { _, _, err := svc.Severity(ctx, since()); return err }},
		{"trend", func(svc *app.Service) error {
			until := now().UTC().Truncate(oneDay).Add(oneDay - time.Duration(seq.Add(1))*time.Millisecond)
			_, _, err := svc.Trend(ctx, app.Params{"days": {"30"}, "until": {until.Format(time.RFC3339Nano)}})
			return err
		}},
	}
	timed := func(call func(*app.Service) error, svc *app.Service) (time.Duration, float64) {
		before := metrics.Queries("aggregate")
		start := time.Now()
		require.NoError(t, call(svc))
		return time.Since(start), metrics.Queries("aggregate") - before
	}

	var out strings.Builder
	fmt.Fprintf(&out, "P7 at %s, the clock set back %s to the newest trace (%s), %d rounds, one request at a time\n\n",
		time.Now().UTC().Format(time.RFC3339), offset.Round(time.Second), newest.UTC().Format(time.RFC3339), rounds)

	// Cold: the first request of each kind on an empty cache (all 30 days read at once).
	fmt.Fprintln(&out, "| aggregation | cold, ms (3 empty caches) | statements |")
	fmt.Fprintln(&out, "|---|---|---|")
	for _, k := range kinds {
		var cold []string
		var stmts float64
		for range 3 {
			svc, closeCache := newDays()
			d, n := timed(k.call, svc)
			closeCache()
			cold, stmts = append(cold, fmt.Sprintf("%.1f", ms(d))), n
		}
		fmt.Fprintf(&out, "| %s | %s | %v |\n", k.name, strings.Join(cold, ", "), stmts)
	}

	svc, closeCache := newDays()
	defer closeCache()
	for _, k := range kinds { // warm the day partials, and both contenders' plans
		timed(k.call, svc)
		timed(k.call, direct)
	}
	// The floor of a warm window: its head and tail hold about one day of rows between
	// them (since = now − 30 days: the rest of that day, and today so far). One whole day,
	// the newest closed one, read straight from PostgreSQL, is that floor at its worst.
	oneDayParams := func() app.Params {
		today := now().UTC().Truncate(oneDay)
		return app.Params{"since": {today.Add(-oneDay).Format(time.RFC3339)}, "until": {today.Format(time.RFC3339)}}
	}
	floor := map[string]func(*app.Service) error{
		"success-rate": func(s *app.Service) error { _, _, err := s.SuccessRate(ctx, oneDayParams()); return err },
		"namespaces":   func(s *app.Service) error { _, _, err := s.Namespaces(ctx, oneDayParams()); return err },
		"severity":     func(s *app.Service) error { _, _, err := s.Severity(ctx, oneDayParams()); return err },
		"trend":        func(s *app.Service) error { _, _, err := s.Trend(ctx, app.Params{"days": {"2"}}); return err },
	}
	contenders := []string{"day partials", "PostgreSQL", "PostgreSQL, one whole day"}
	lat := map[string][]time.Duration{}
	stmts := map[string]float64{}
	for r := range rounds {
		for _, k := range kinds {
			order := slices.Clone(contenders)
			for range r % len(order) {
				order = append(order[1:], order[0])
			}
			for _, who := range order {
				s, call := direct, k.call
				switch who {
				case "day partials":
					s = svc
				case "PostgreSQL, one whole day":
					call = floor[k.name]
				}
				d, n := timed(call, s)
				lat[k.name+"/"+who] = append(lat[k.name+"/"+who], d)
				stmts[k.name+"/"+who] += n
			}
		}
	}
	fmt.Fprintln(&out, "\n| aggregation | contender | p50 ms | p95 ms | p99 ms | max ms | statements per request |")
	fmt.Fprintln(&out, "|---|---|---|---|---|---|---|")
	for _, k := range kinds {
		for _, who := range contenders {
			l := lat[k.name+"/"+who]
			slices.Sort(l)
			fmt.Fprintf(&out, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f |\n", k.name, who,
				ms(pct(l, 50)), ms(pct(l, 95)), ms(pct(l, 99)), ms(l[len(l)-1]), stmts[k.name+"/"+who]/float64(len(l)))
		}
	}
	// Open loop at fixed rates through the day partials, the four kinds in turn, as the
	// bench's P7 sends them (each request its own window).
	fmt.Fprintln(&out, "\n| day partials, open loop | aggregation | p50 ms | p95 ms | p99 ms | requests |")
	fmt.Fprintln(&out, "|---|---|---|---|---|---|")
	for _, rate := range []int{20, 100} {
		var mu sync.Mutex
		byKind := map[string][]time.Duration{}
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / time.Duration(rate))
		for i := range rate * 10 {
			<-tick.C
			k := kinds[i%len(kinds)]
			wg.Go(func() {
				start := time.Now()
				err := k.call(svc)
				d := time.Since(start)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					byKind[k.name] = append(byKind[k.name], d)
				}
			})
		}
		tick.Stop()
		wg.Wait()
		for _, k := range kinds {
			l := byKind[k.name]
			slices.Sort(l)
			fmt.Fprintf(&out, "| %d/s | %s | %.1f | %.1f | %.1f | %d |\n", rate, k.name, ms(pct(l, 50)), ms(pct(l, 95)), ms(pct(l, 99)), len(l))
		}
	}
	t.Log("\n" + out.String())
	if path := os.Getenv("CONTEXTAPI_P7_OUT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(out.String()), 0o600))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pct is the p-th percentile of sorted latencies (nearest rank).
func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}
