package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrometheusRules: every expression selects only series the service exports (or
// that a rule of the file records, or that are announced), histogram bounds exist, and
// the alerts the issue asks for are there, labelled and described.
func TestPrometheusRules(t *testing.T) {
	exported := exportedSeries(t)
	for _, tt := range targets {
		rules := all[monitoringv1.PrometheusRule](render(t, tt.dir))
		if tt.wantStore == "demo" {
			assert.Empty(t, rules, "dev needs no Prometheus Operator")
			continue
		}
		require.Len(t, rules, 1)
		recorded := map[string]bool{}
		for _, g := range rules[0].Spec.Groups {
			for _, rule := range g.Rules {
				if rule.Record != "" {
					recorded[rule.Record] = true
				}
			}
		}
		uses := map[string]string{} // alert → expression
		for _, g := range rules[0].Spec.Groups {
			for _, rule := range g.Rules {
				name := rule.Alert + rule.Record
				t.Run(tt.name+"/"+name, func(t *testing.T) {
					assert.True(t, (rule.Alert == "") != (rule.Record == ""), "a rule is an alert or a recording")
					expr := rule.Expr.String()
					assert.NoError(t, exported.checkQuery(expr, recorded))
					assert.Empty(t, unscoped(expr, recorded), "selectors without the ServiceMonitor's job label")
					if rule.Record != "" {
						assert.Regexp(t, `^contextapi:[a-z0-9_]+:[a-z0-9_]+$`, rule.Record, "level:metric:operations")
						return
					}
					uses[rule.Alert] = expr
					assert.Regexp(t, `^ContextAPI[A-Za-z]+$`, rule.Alert)
					assert.Contains(t, []string{"critical", "warning"}, rule.Labels["severity"])
					assert.NotEmpty(t, rule.Annotations["summary"])
					assert.NotEmpty(t, rule.Annotations["description"])
					require.NotNil(t, rule.For, "a pending period")
				})
			}
		}
		wants := map[string]string{
			"ContextAPIHighErrorRatio":        `code=~"5.."`,
			"ContextAPIDatabaseDown":          "contextapi_database_up",
			"ContextAPILatencyBudgetBurnFast": "contextapi:http_requests_slow:ratio_rate1h",
			"ContextAPILatencyBudgetBurnSlow": "contextapi:http_requests_slow:ratio_rate6h",
			"ContextAPISheddingLoad":          `contextapi_http_shed_total{job="contextapi",reason="overload"}`,
			"ContextAPIRateLimiting":          `contextapi_http_shed_total{job="contextapi",reason="rate_limit"}`,
			"ContextAPIAuthUnavailable":       `contextapi_auth_decisions_total{job="contextapi",result="unavailable"}`,
		}
		for alert, needle := range wants {
			assert.Contains(t, uses[alert], needle, "%s: alert %s", tt.name, alert)
		}
	}
}

// unscoped lists the selectors of exported series in expr that do not ask for
// job="contextapi", which the ServiceMonitor sets: without it a query would mix in
// other services' series of the same name (go_*, process_*, up).
func unscoped(expr string, recorded map[string]bool) []string {
	var out []string
	names, _ := metricNames(expr)
	for _, n := range names {
		if recorded[n] {
			continue
		}
		// The name as a whole word, and the matchers that follow it, if any.
		sel := regexp.MustCompile(`(?:^|[^A-Za-z0-9_:])` + regexp.QuoteMeta(n) + `(\{[^{}]*\}|[^A-Za-z0-9_:{]|$)`)
		for _, m := range sel.FindAllStringSubmatch(expr, -1) {
			if !strings.HasPrefix(m[1], "{") || !strings.Contains(m[1], `job="contextapi"`) {
				out = append(out, n+m[1])
			}
		}
	}
	return out
}

// dashboard is the part of Grafana's JSON model the checks read.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// TestDashboard: the JSON parses, every panel queries the chosen data source for series
// the service exports, and the panels cover what an operator watches.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile("grafana/contextapi-dashboard.json")
	require.NoError(t, err)
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	require.NoError(t, dec.Decode(&d))
	assert.Equal(t, "contextapi", d.UID)

	exported := exportedSeries(t)
	ids := map[int]bool{}
	queried := map[string]bool{}
	for _, p := range d.Panels {
		assert.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		t.Run(p.Title, func(t *testing.T) {
			require.NotNil(t, p.Datasource)
			assert.Equal(t, "${datasource}", p.Datasource.UID)
			require.NotEmpty(t, p.Targets)
			for _, target := range p.Targets {
				assert.NoError(t, exported.checkQuery(target.Expr, nil))
				assert.Empty(t, unscoped(target.Expr, nil), "selectors without the ServiceMonitor's job label")
				names, _ := metricNames(target.Expr)
				for _, n := range names {
					queried[n] = true
				}
			}
		})
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)["query"].(string)
		inner, ok := strings.CutPrefix(q, "label_values(")
		require.True(t, ok, "variable %s: %q", v.Name, q)
		inner = inner[:strings.LastIndex(inner, ",")] // label_values(series, label)
		assert.NoError(t, exported.checkQuery(inner, nil), "variable %s", v.Name)
	}
	for _, want := range []string{
		"contextapi_http_requests_total",                  // requests by route and code, 5xx ratio
		"contextapi_http_request_duration_seconds_bucket", // latency quantiles
		"contextapi_cache_requests_total",                 // hit, miss, stale
		"contextapi_database_up",
		"contextapi_db_queries_total",
		"contextapi_db_query_duration_seconds_bucket",
		"go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "go_gc_gomemlimit_bytes",
		"contextapi_http_shed_total",      // shed requests by reason
		"contextapi_auth_decisions_total", // authentication decisions by result
		"contextapi_db_queries_in_flight", "contextapi_db_queries_waiting", "contextapi_http_requests_in_flight",
	} {
		assert.True(t, queried[want], "no panel queries %s", want)
	}

	// The component ships the file as it is.
	cm := configMap(render(t, "overlays/kubernaut"), "contextapi-dashboard")
	require.NotNil(t, cm)
	assert.Equal(t, string(raw), cm.Data["contextapi-dashboard.json"])
}
