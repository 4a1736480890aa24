package measure

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contextapi/contextapi/bench/internal/load"
)

// opStats are the service's statement series for one op (repository operation).
type opStats struct {
	Queries float64 // contextapi_db_queries_total
	Seconds float64 // contextapi_db_query_duration_seconds_sum
}

// scrapeDB reads the service's statement counters and time sums by op from /metrics.
func scrapeDB(ctx context.Context, metricsURL string) (map[string]opStats, error) {
	u, err := url.Parse(metricsURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := load.Client(u.Scheme + "://" + u.Host).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]opStats{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var field *float64
		var rest string
		switch {
		case strings.HasPrefix(line, "contextapi_db_queries_total{"):
			rest = line[len("contextapi_db_queries_total{"):]
		case strings.HasPrefix(line, "contextapi_db_query_duration_seconds_sum{"):
			rest = line[len("contextapi_db_query_duration_seconds_sum{"):]
		default:
			continue
		}
		op, ok := label(rest, "op")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			continue
		}
		s := out[op]
		if strings.HasPrefix(line, "contextapi_db_queries_total") {
			field = &s.Queries
		} else {
			field = &s.Seconds
		}
		*field = v
		out[op] = s
	}
	return out, sc.Err()
}

// label finds name="value" in the label set that starts rest (up to the closing brace).
func label(rest, name string) (string, bool) {
	end := strings.IndexByte(rest, '}')
	if end < 0 {
		return "", false
	}
	for _, kv := range strings.Split(rest[:end], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k == name {
			return strings.Trim(v, `"`), true
		}
	}
	return "", false
}

// deltas is after − before per op, ops that did not move left out.
func deltas(before, after map[string]opStats) map[string]opStats {
	out := map[string]opStats{}
	for op, a := range after {
		b := before[op]
		d := opStats{Queries: a.Queries - b.Queries, Seconds: a.Seconds - b.Seconds}
		if d.Queries > 0 {
			out[op] = d
		}
	}
	return out
}
