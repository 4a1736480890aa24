package deploy

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// announced are series that alerts and panels may use before the service exports them,
// each with the reason it is coming. None is waiting now; an entry must leave the list
// once its series is in the source (TestSourceScanFindsTheExportedSeries).
var announced = map[string]string{}

// series is what a metric family exposes: its name, and for histograms and summaries
// the _bucket, _sum and _count series; buckets holds a histogram's upper bounds.
// literals are the string constants of the source, among them every label value the
// service sets.
type series struct {
	names    map[string]bool
	buckets  map[string][]float64 // family → bounds
	literals map[string]bool
}

// exportedSeries finds the service's own metrics in its source (every prometheus
// ...Opts literal with a Name under internal/) and the runtime collectors' by
// gathering them.
func exportedSeries(t *testing.T) series {
	t.Helper()
	out := series{names: map[string]bool{}, buckets: map[string][]float64{}, literals: map[string]bool{}}
	err := filepath.WalkDir("../internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
				if v, err := strconv.Unquote(b.Value); err == nil {
					out.literals[v] = true
				}
				return true
			}
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok || !strings.HasSuffix(sel.Sel.Name, "Opts") || fmt.Sprint(sel.X) != "prometheus" {
				return true
			}
			name, bounds := optsName(t, lit)
			if name == "" {
				return true
			}
			out.names[name] = true
			switch sel.Sel.Name {
			case "HistogramOpts":
				out.buckets[name] = bounds
				fallthrough
			case "SummaryOpts":
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					out.names[name+suffix] = true
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range families {
		out.names[mf.GetName()] = true
		if mf.GetType().String() == "SUMMARY" || mf.GetType().String() == "HISTOGRAM" {
			out.names[mf.GetName()+"_sum"], out.names[mf.GetName()+"_count"] = true, true
		}
	}
	out.names["up"] = true // Prometheus' own series for every target it scrapes
	return out
}

// optsName reads Name (joined with Namespace and Subsystem) and Buckets from an Opts
// literal; Buckets may be prometheus.DefBuckets or a list of numbers.
func optsName(t *testing.T, lit *ast.CompositeLit) (string, []float64) {
	parts := map[string]string{}
	var bounds []float64
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key := fmt.Sprint(kv.Key)
		switch v := kv.Value.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(v.Value); err == nil {
				parts[key] = s
			}
		case *ast.SelectorExpr:
			if key == "Buckets" && v.Sel.Name == "DefBuckets" {
				bounds = prometheus.DefBuckets
			}
		case *ast.CompositeLit:
			for _, b := range v.Elts {
				if n, ok := b.(*ast.BasicLit); ok {
					f, err := strconv.ParseFloat(n.Value, 64)
					require.NoError(t, err)
					bounds = append(bounds, f)
				}
			}
		}
	}
	var name []string
	for _, k := range []string{"Namespace", "Subsystem", "Name"} {
		if parts[k] != "" {
			name = append(name, parts[k])
		}
	}
	return strings.Join(name, "_"), bounds
}

var (
	quoted         = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	braces         = regexp.MustCompile(`\{[^{}]*\}`)
	brackets       = regexp.MustCompile(`\[[^\[\]]*\]`)
	grouping       = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	variable       = regexp.MustCompile(`\$(?:\{[^}]*\}|\w+)`)
	identifier     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	bucketLe       = regexp.MustCompile(`([A-Za-z_:][A-Za-z0-9_:]*)_bucket\{[^{}]*\ble="([^"]*)"`)
	seriesSelector = regexp.MustCompile(`(contextapi_[A-Za-z0-9_:]*)\{([^{}]*)\}`)
	equality       = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"`)
)

// targetLabels are set by Prometheus and the ServiceMonitor, not by the service; le is
// checked against the histogram's bounds instead.
var targetLabels = map[string]bool{"job": true, "namespace": true, "pod": true, "instance": true,
	"service": true, "container": true, "endpoint": true, "le": true}

var promqlWords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true,
	"on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true, "Inf": true, "NaN": true,
}

// metricNames lists the series a PromQL expression selects. It is no parser: it checks
// the brackets balance, drops strings, label matchers, ranges, grouping labels and
// Grafana variables, and keeps the identifiers that are not functions or keywords.
func metricNames(expr string) ([]string, error) {
	e := quoted.ReplaceAllString(expr, `""`)
	depth := map[rune]int{}
	pairs := map[rune]rune{')': '(', '}': '{', ']': '['}
	var stack []rune
	for _, r := range e {
		switch r {
		case '(', '{', '[':
			stack = append(stack, r)
			depth[r]++
		case ')', '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return nil, fmt.Errorf("unbalanced %q in %q", r, expr)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %q in %q", stack[len(stack)-1], expr)
	}
	e = braces.ReplaceAllString(e, "{}")
	e = brackets.ReplaceAllString(e, "[]")
	e = grouping.ReplaceAllString(e, " ")
	e = variable.ReplaceAllString(e, " ")
	var names []string
	for _, loc := range identifier.FindAllStringIndex(e, -1) {
		word := e[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsRune("0123456789.", rune(e[loc[0]-1])) {
			continue // an exponent or a unit of a number
		}
		if rest := strings.TrimLeft(e[loc[1]:], " \t\n"); strings.HasPrefix(rest, "(") || promqlWords[word] {
			continue // a function or an aggregation
		}
		names = append(names, word)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no series in %q", expr)
	}
	return names, nil
}

// checkQuery reports the series of expr the service does not export (recorded: series
// recording rules define), and le bounds that are no bucket of their histogram.
func (s series) checkQuery(expr string, recorded map[string]bool) error {
	names, err := metricNames(expr)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !s.names[n] && !recorded[n] && announced[n] == "" {
			return fmt.Errorf("%s is not a series contextapi exports", n)
		}
	}
	// A label value the service never sets selects nothing, and an alert on it never
	// fires: each value matched exactly on a series of the service's own must be a
	// string of its source (reason="overload", result="unavailable").
	for _, sel := range seriesSelector.FindAllStringSubmatch(expr, -1) {
		for _, m := range equality.FindAllStringSubmatch(sel[2], -1) {
			if !targetLabels[m[1]] && !strings.Contains(m[2], "$") && !s.literals[m[2]] {
				return fmt.Errorf("%s{%s=%q}: contextapi never sets that value", sel[1], m[1], m[2])
			}
		}
	}
	for _, m := range bucketLe.FindAllStringSubmatch(expr, -1) {
		le, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return fmt.Errorf("%s: le=%q", m[1], m[2])
		}
		if !containsFloat(s.buckets[m[1]], le) {
			return fmt.Errorf("%s has no bucket le=%q (its bounds: %v)", m[1], m[2], s.buckets[m[1]])
		}
	}
	return nil
}

func containsFloat(list []float64, f float64) bool {
	for _, v := range list {
		if v == f {
			return true
		}
	}
	return false
}

func TestMetricNamesOfAnExpression(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"selector", `contextapi_database_up{job="contextapi"}`, []string{"contextapi_database_up"}},
		{"aggregation", `sum by (route, code) (rate(contextapi_http_requests_total{code=~"5.."}[5m]))`, []string{"contextapi_http_requests_total"}},
		{"quantile", `histogram_quantile(0.99, sum(rate(x_bucket{le!="+Inf"}[$__rate_interval])) by (le))`, []string{"x_bucket"}},
		{"matching", `a / on (namespace) group_left sum by (namespace) (b) > 1e3`, []string{"a", "b"}},
		{"recorded", `ns:rule:rate5m > (14.4 * 0.01) and bool c`, []string{"ns:rule:rate5m", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metricNames(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{`sum(rate(x[5m])`, `x{a="b"`, `rate(x[5m)]`, `sum()`} {
		_, err := metricNames(bad)
		assert.Error(t, err, bad)
	}
}

// TestSourceScanFindsTheExportedSeries: the scan of internal/ finds the series the alerts
// and the dashboard are built on (a scan that found nothing would let every query pass
// as "announced"), and no announced series is exported already.
func TestSourceScanFindsTheExportedSeries(t *testing.T) {
	exported := exportedSeries(t)
	for name, why := range announced {
		assert.False(t, exported.names[name], "%s (%s) is exported now: drop it from announced", name, why)
	}
	for _, name := range []string{"contextapi_http_requests_total", "contextapi_http_request_duration_seconds_bucket",
		"contextapi_cache_requests_total", "contextapi_database_up", "contextapi_db_queries_total",
		"contextapi_db_query_duration_seconds_bucket", "go_memstats_heap_inuse_bytes",
		// Authentication, overload and rate limits.
		"contextapi_http_shed_total", "contextapi_http_requests_in_flight", "contextapi_auth_decisions_total",
		"contextapi_db_queries_in_flight", "contextapi_db_queries_waiting"} {
		assert.True(t, exported.names[name], "the source scan misses %s", name)
	}
	assert.Equal(t, prometheus.DefBuckets, exported.buckets["contextapi_http_request_duration_seconds"])
}

// TestAnnouncedSeriesPassTheChecks keeps the announced mechanism working while the list
// is empty: a series that is neither exported nor announced is refused, and announcing
// it lets the query through.
func TestAnnouncedSeriesPassTheChecks(t *testing.T) {
	exported := exportedSeries(t)
	const coming = "contextapi_not_yet_total"
	expr := `sum(rate(` + coming + `{job="contextapi"}[5m]))`
	require.False(t, exported.names[coming])
	assert.ErrorContains(t, exported.checkQuery(expr, nil), coming+" is not a series contextapi exports")
	announced[coming] = "a test of the mechanism"
	t.Cleanup(func() { delete(announced, coming) })
	assert.NoError(t, exported.checkQuery(expr, nil))
}

// TestLabelValuesAreChecked: a misspelt label value fails the check; values the service
// sets, regular expressions, Grafana variables and target labels pass.
func TestLabelValuesAreChecked(t *testing.T) {
	exported := exportedSeries(t)
	for _, ok := range []string{
		`rate(contextapi_http_shed_total{job="contextapi",reason="overload"}[5m])`,
		`rate(contextapi_auth_decisions_total{job="contextapi",namespace="$namespace",result="unavailable"}[5m])`,
		`rate(contextapi_cache_requests_total{job="contextapi",result=~"hit|stale"}[5m])`,
		`rate(contextapi_http_request_duration_seconds_bucket{job="contextapi",le="0.25"}[5m])`,
	} {
		assert.NoError(t, exported.checkQuery(ok, nil), ok)
	}
	err := exported.checkQuery(`rate(contextapi_http_shed_total{job="contextapi",reason="overlaod"}[5m])`, nil)
	assert.ErrorContains(t, err, `contextapi_http_shed_total{reason="overlaod"}: contextapi never sets that value`)
}
