package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// SuccessRate counts the matching incidents by outcome (docs/api.md §3.4): completed
// succeeded; failed and rolled-back failed; pending and executing are in progress; any
// other status counts in Total only.
type SuccessRate struct {
	Total      int64 `json:"total"`
	Succeeded  int64 `json:"succeeded"`
	Failed     int64 `json:"failed"`
	InProgress int64 `json:"in_progress"`
	// Rate is Succeeded / (Succeeded + Failed), nil when nothing has finished.
	Rate *float64 `json:"success_rate"`
	// ByActionType has one entry per action type, largest Total first, then by name.
	ByActionType []ActionTypeRate `json:"by_action_type"`
}

// ActionTypeRate is the success rate of one action type.
type ActionTypeRate struct {
	ActionType string   `json:"action_type"`
	Total      int64    `json:"total"`
	Succeeded  int64    `json:"succeeded"`
	Failed     int64    `json:"failed"`
	Rate       *float64 `json:"success_rate"`
	// AvgDurationMs is the mean duration of the group's incidents that have one; nil
	// when none has.
	AvgDurationMs *float64 `json:"avg_duration_ms"`
}

// NamespaceCounts counts the matching incidents per namespace, largest group first.
type NamespaceCounts struct {
	Groups []NamespaceCount `json:"groups"`
	// Count is the number of groups.
	Count int `json:"count"`
}

// NamespaceCount counts one namespace's incidents.
type NamespaceCount struct {
	// Namespace is nil for the group of incidents on cluster-scoped objects.
	Namespace *string `json:"namespace"`
	Count     int64   `json:"count"`
	Succeeded int64   `json:"succeeded"`
	Failed    int64   `json:"failed"`
}

// SeverityCounts counts the matching incidents per severity.
type SeverityCounts struct {
	// Distribution maps each severity present to its count; empty when nothing matches.
	Distribution map[string]int64 `json:"distribution"`
}

// Trend counts the matching incidents per UTC day.
type Trend struct {
	Days int `json:"days"`
	// Points has one entry per day, oldest first, days without incidents included.
	Points []TrendPoint `json:"trend"`
}

// TrendPoint is one UTC day of a trend.
type TrendPoint struct {
	// Date is the day's midnight, UTC; the service sends it as 2006-01-02.
	Date  time.Time `json:"date"`
	Count int64     `json:"count"`
}

// trendPointJSON is TrendPoint as the service sends it.
type trendPointJSON struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// UnmarshalJSON reads the day, which time.Time alone cannot (it wants a full RFC 3339
// time).
func (p *TrendPoint) UnmarshalJSON(b []byte) error {
	var raw trendPointJSON
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	d, err := time.Parse(time.DateOnly, raw.Date)
	if err != nil {
		return fmt.Errorf("client: trend date: %w", err)
	}
	*p = TrendPoint{Date: d, Count: raw.Count}
	return nil
}

// MarshalJSON writes the point as the service does, so that a program printing the
// trend as JSON shows the service's shape.
func (p TrendPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(trendPointJSON{Date: p.Date.UTC().Format(time.DateOnly), Count: p.Count})
}

// TrendOptions shapes Trend.
type TrendOptions struct {
	// Filters narrow the incidents counted; Since and Until narrow the window further,
	// never widen it.
	Filters
	// Days is the window, 1 to 365 UTC days ending today (default 30).
	Days int
}

// SuccessRate returns the matching incidents' success rate, overall and per action type
// (GET /api/v1/aggregations/success-rate).
func (c *Client) SuccessRate(ctx context.Context, f Filters) (*SuccessRate, error) {
	return send[SuccessRate](ctx, c, aggregation("success rate", "success-rate", &f, 0))
}

// NamespaceCounts returns the matching incidents' counts per namespace (GET
// /api/v1/aggregations/namespaces).
func (c *Client) NamespaceCounts(ctx context.Context, f Filters) (*NamespaceCounts, error) {
	return send[NamespaceCounts](ctx, c, aggregation("namespace counts", "namespaces", &f, 0))
}

// SeverityCounts returns the matching incidents' counts per severity (GET
// /api/v1/aggregations/severity).
func (c *Client) SeverityCounts(ctx context.Context, f Filters) (*SeverityCounts, error) {
	return send[SeverityCounts](ctx, c, aggregation("severity counts", "severity", &f, 0))
}

// Trend returns the matching incidents' counts per UTC day (GET
// /api/v1/aggregations/trend).
func (c *Client) Trend(ctx context.Context, opts TrendOptions) (*Trend, error) {
	return send[Trend](ctx, c, aggregation("trend", "trend", &opts.Filters, opts.Days))
}

func aggregation(op, name string, f *Filters, days int) request {
	q := url.Values{}
	setInt(q, "days", days)
	f.addTo(q)
	return request{op: op, method: http.MethodGet, path: "/api/v1/aggregations/" + name, query: q}
}
