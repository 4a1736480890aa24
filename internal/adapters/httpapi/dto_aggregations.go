package httpapi

import (
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// dateLayout renders trend days.
const dateLayout = "2006-01-02"

// successRateResponse is the success-rate aggregation (docs/api.md §3.4).
type successRateResponse struct {
	Total        int64                    `json:"total"`
	Succeeded    int64                    `json:"succeeded"`
	Failed       int64                    `json:"failed"`
	InProgress   int64                    `json:"in_progress"`
	SuccessRate  *float64                 `json:"success_rate"` // null when nothing finished
	ByActionType []actionTypeRateResponse `json:"by_action_type"`
}

// actionTypeRateResponse is the success rate of one action type.
type actionTypeRateResponse struct {
	ActionType    string   `json:"action_type"`
	Total         int64    `json:"total"`
	Succeeded     int64    `json:"succeeded"`
	Failed        int64    `json:"failed"`
	SuccessRate   *float64 `json:"success_rate"`
	AvgDurationMs *float64 `json:"avg_duration_ms"` // null when no row has a duration
}

func newSuccessRateResponse(sr domain.SuccessRate) successRateResponse {
	out := successRateResponse{
		Total:        sr.Total,
		Succeeded:    sr.Succeeded,
		Failed:       sr.Failed,
		InProgress:   sr.InProgress,
		SuccessRate:  sr.Rate,
		ByActionType: make([]actionTypeRateResponse, len(sr.ByActionType)),
	}
	for i, a := range sr.ByActionType {
		out.ByActionType[i] = actionTypeRateResponse{
			ActionType:    a.ActionType,
			Total:         a.Total,
			Succeeded:     a.Succeeded,
			Failed:        a.Failed,
			SuccessRate:   a.Rate,
			AvgDurationMs: a.AvgDurationMs,
		}
	}
	return out
}

// namespacesResponse is the per-namespace aggregation, largest group first.
type namespacesResponse struct {
	Groups []namespaceGroupResponse `json:"groups"`
	Count  int                      `json:"count"`
}

// namespaceGroupResponse counts one namespace's incidents; a null namespace groups the
// cluster-scoped ones.
type namespaceGroupResponse struct {
	Namespace *string `json:"namespace"`
	Count     int64   `json:"count"`
	Succeeded int64   `json:"succeeded"`
	Failed    int64   `json:"failed"`
}

func newNamespacesResponse(groups []domain.NamespaceCount) namespacesResponse {
	out := namespacesResponse{Groups: make([]namespaceGroupResponse, len(groups)), Count: len(groups)}
	for i, g := range groups {
		out.Groups[i] = namespaceGroupResponse{
			Namespace: g.Namespace, Count: g.Count, Succeeded: g.Succeeded, Failed: g.Failed,
		}
	}
	return out
}

// severityResponse counts incidents per severity.
type severityResponse struct {
	Distribution map[string]int64 `json:"distribution"`
}

func newSeverityResponse(counts []domain.SeverityCount) severityResponse {
	out := severityResponse{Distribution: make(map[string]int64, len(counts))}
	for _, c := range counts {
		out.Distribution[c.Severity] += c.Count
	}
	return out
}

// trendResponse counts incidents per UTC day, oldest first, zero days included.
type trendResponse struct {
	Days  int                  `json:"days"`
	Trend []trendPointResponse `json:"trend"`
}

// trendPointResponse is one day of a trend.
type trendPointResponse struct {
	Date  string `json:"date"` // YYYY-MM-DD
	Count int64  `json:"count"`
}

func newTrendResponse(t app.TrendResult) trendResponse {
	out := trendResponse{Days: t.Days, Trend: make([]trendPointResponse, len(t.Points))}
	for i, p := range t.Points {
		out.Trend[i] = trendPointResponse{Date: p.Day.UTC().Format(dateLayout), Count: p.Count}
	}
	return out
}
