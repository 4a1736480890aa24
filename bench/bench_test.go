package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

func TestParseSizes(t *testing.T) {
	tests := []struct {
		name, given string
		want        []size
		wantErr     bool
	}{
		{name: "the three sizes", given: "10k,100k,1M", want: []size{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}},
		{name: "spaces, case and duplicates", given: " 10K, 10000 ,2500", want: []size{{"10k", 10_000}, {"2500", 2500}}},
		{name: "empty", given: " , ", wantErr: true},
		{name: "not a count", given: "1.5M", wantErr: true},
		{name: "too large", given: "11M", wantErr: true},
		{name: "zero", given: "0k", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSizes(tt.given)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTemplatesRejectsUnsafeNames(t *testing.T) {
	got, err := parseTemplates("1M=bench1m")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"1M": "bench1m"}, got)
	for _, bad := range []string{"1M", "=x", "1M=Bench", `1M=a";drop`, "x=bench"} {
		_, err := parseTemplates(bad)
		assert.Error(t, err, bad)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ name, given, want string }{
		{"url", "postgres://u:p@h:5432/app?sslmode=disable", "postgres://u:p@h:5432/contextapi_bench_10k?sslmode=disable"},
		{"dsn", "host=h user=u dbname=app", "host=h user=u dbname=contextapi_bench_10k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := withDatabase(tt.given, "contextapi_bench_10k")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRecallAt(t *testing.T) {
	assert.Equal(t, 1.0, recallAt(nil, nil), "nothing to find, nothing missed")
	assert.Equal(t, 0.5, recallAt([]int64{1, 2, 9, 8}, []int64{1, 2, 3, 4}))
	assert.Equal(t, 1.0, recallAt([]int64{4, 3, 2, 1}, []int64{1, 2, 3, 4}), "order does not matter")
}

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"key order", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{"float rounding", `{"r":0.30000000000000004}`, `{"r":0.3}`, true},
		{"number", `{"total":10}`, `{"total":11}`, false},
		{"array order", `[1,2]`, `[2,1]`, false},
		{"null", `{"x":null}`, `{"x":0}`, false},
		{"missing key", `{"x":1}`, `{"x":1,"y":2}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, diffJSON([]byte(tt.a), []byte(tt.b)) == "")
		})
	}
}

func TestStatistics(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	sorted := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	assert.Equal(t, 5.0, percentile(sorted, 50))
	assert.Equal(t, 10.0, percentile(sorted, 99))
	assert.Equal(t, 0.0, percentile(nil, 50))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))

	// Ratios pair the phases of one round: a machine twice as busy in round 2 cancels out.
	a := series{{N: 100, Elapsed: time.Second}, {N: 50, Elapsed: time.Second}, {N: 100, Elapsed: time.Second}}
	b := series{{N: 200, Elapsed: time.Second}, {N: 100, Elapsed: time.Second}, {N: 200, Elapsed: time.Second}}
	assert.Equal(t, 0.5, ratio(a, b))
}

func TestVectorTextRoundTrips(t *testing.T) {
	v := []float64{0.1, -2.5, 3}
	got, err := parseVector(vectorText(v))
	require.NoError(t, err)
	assert.InDeltaSlice(t, v, got, 1e-7)
}

func TestSQLMirrorsTheServiceShapes(t *testing.T) {
	since := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	sql, args := countSQL(filter{Severities: []string{"critical"}, Since: &since})
	assert.Equal(t, "SELECT count(*) FROM resource_action_traces AS rat WHERE rat.alert_severity = $1 AND rat.action_timestamp >= $2", sql)
	assert.Len(t, args, 2)

	sql, _ = countSQL(filter{Namespaces: []string{"a", "b"}})
	assert.Contains(t, sql, "JOIN resource_references AS rr", "a namespace filter needs the object")
	assert.Contains(t, sql, "rr.namespace IN ($1,$2)")

	sql, args = searchSQL("[1,2]", filter{}, 0.7, 10, true)
	assert.Contains(t, sql, "ORDER BY (rat.embedding <=> $4) + 0 LIMIT $5", "the exact scan defeats the index")
	assert.InDelta(t, 0.3, args[2], 1e-12)

	sql, _ = aggregateSQL(filter{}, "severity")
	assert.Contains(t, sql, `FROM resource_action_traces AS rat GROUP BY "severity"`)
}

func TestEfSearchIsTheServicesChoice(t *testing.T) {
	for _, rows := range []int64{0, 10_000, 100_000, 500_000, 500_001, 1_000_000, 10_000_000} {
		assert.Equal(t, postgres.EfSearchFor(rows), efSearchFor(rows), "%d rows", rows)
	}
}
