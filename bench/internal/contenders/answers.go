package contenders

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// B1's answers: the service's JSON shapes (docs/api.md §3), written by hand, and the
// hand-written scan of the service's incident columns.

// timeLayout is the service's: RFC 3339 in UTC with six fractional digits.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

type jsonTime time.Time

// MarshalJSON renders t in timeLayout, in UTC.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(timeLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, timeLayout)
	return append(b, '"'), nil
}

// incidentJSON is an IncidentEvent in the service's field order.
type incidentJSON struct {
	ID                   int64           `json:"id"`
	Name                 string          `json:"name"`
	AlertFingerprint     *string         `json:"alert_fingerprint"`
	RemediationRequestID string          `json:"remediation_request_id"`
	Namespace            *string         `json:"namespace"`
	ClusterName          *string         `json:"cluster_name"`
	Environment          *string         `json:"environment"`
	TargetResource       string          `json:"target_resource"`
	TargetName           string          `json:"target_name"`
	Phase                string          `json:"phase"`
	Status               *string         `json:"status"`
	Severity             string          `json:"severity"`
	ActionType           string          `json:"action_type"`
	StartTime            jsonTime        `json:"start_time"`
	EndTime              *jsonTime       `json:"end_time"`
	Duration             *int64          `json:"duration"`
	ErrorMessage         *string         `json:"error_message"`
	Metadata             json.RawMessage `json:"metadata"`
	CreatedAt            *jsonTime       `json:"created_at"`
	UpdatedAt            *jsonTime       `json:"updated_at"`
}

// scannedIncident is one row of the incident columns (plus a distance for searches).
type scannedIncident struct {
	incidentJSON
	start             time.Time
	end, created, upd *time.Time
	metadata          *string
	distance          float64
}

// scanIncident reads one row of the incident columns (and a distance when withDistance).
func scanIncident(rows pgx.Rows, withDistance bool) (scannedIncident, error) {
	var r scannedIncident
	dest := []any{&r.ID, &r.Name, &r.AlertFingerprint, &r.RemediationRequestID, &r.Namespace,
		&r.ClusterName, &r.Environment, &r.TargetResource, &r.TargetName, &r.Status, &r.Severity,
		&r.ActionType, &r.start, &r.end, &r.Duration, &r.ErrorMessage, &r.metadata, &r.created, &r.upd}
	if withDistance {
		dest = append(dest, &r.distance)
	}
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	r.StartTime = jsonTime(r.start)
	r.EndTime, r.CreatedAt, r.UpdatedAt = optTime(r.end), optTime(r.created), optTime(r.upd)
	if r.metadata != nil {
		r.Metadata = json.RawMessage(*r.metadata)
	}
	r.Phase = phaseOf(r.Status)
	return r, nil
}

func optTime(t *time.Time) *jsonTime {
	if t == nil {
		return nil
	}
	j := jsonTime(*t)
	return &j
}

// phaseOf derives the phase from the status, as the service does.
func phaseOf(status *string) string {
	if status == nil {
		return "pending"
	}
	switch *status {
	case "completed":
		return "completed"
	case "failed", "rolled-back":
		return "failed"
	case "executing":
		return "processing"
	}
	return "pending"
}

// listJSON is one list page.
type listJSON struct {
	Incidents       []incidentJSON `json:"incidents"`
	Total           int64          `json:"total"`
	Limit           int            `json:"limit"`
	Offset          int            `json:"offset"`
	NextCursor      *string        `json:"next_cursor"`
	TotalIsEstimate bool           `json:"total_is_estimate"`
}

// similarJSON is one search hit.
type similarJSON struct {
	incidentJSON
	Similarity float64 `json:"similarity"`
}

type searchJSON struct {
	Incidents []similarJSON `json:"incidents"`
	Limit     int           `json:"limit"`
}

// group is one row of an aggregation statement.
type group struct {
	key                     map[string]*string
	day                     *time.Time
	count, durSum, durCount int64
}

// tally folds groups into outcomes, as the service's app layer does.
type tally struct {
	total, succeeded, failed, inProgress int64
	durSum, durCount                     int64
}

func (t *tally) add(g group) {
	t.total += g.count
	t.durSum += g.durSum
	t.durCount += g.durCount
	st := g.key["status"]
	if st == nil {
		return
	}
	switch *st {
	case "completed":
		t.succeeded += g.count
	case "failed", "rolled-back":
		t.failed += g.count
	case "pending", "executing":
		t.inProgress += g.count
	}
}

func (t *tally) rate() *float64 {
	if t.succeeded+t.failed == 0 {
		return nil
	}
	r := float64(t.succeeded) / float64(t.succeeded+t.failed)
	return &r
}

func (t *tally) avg() *float64 {
	if t.durCount == 0 {
		return nil
	}
	a := float64(t.durSum) / float64(t.durCount)
	return &a
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// successRateJSON builds the success-rate answer from (action_type, status) groups.
func successRateJSON(groups []group) any {
	type byAction struct {
		ActionType    string   `json:"action_type"`
		Total         int64    `json:"total"`
		Succeeded     int64    `json:"succeeded"`
		Failed        int64    `json:"failed"`
		SuccessRate   *float64 `json:"success_rate"`
		AvgDurationMs *float64 `json:"avg_duration_ms"`
	}
	var all tally
	per := map[string]*tally{}
	for _, g := range groups {
		all.add(g)
		name := str(g.key["action_type"])
		if per[name] == nil {
			per[name] = &tally{}
		}
		per[name].add(g)
	}
	rows := make([]byAction, 0, len(per))
	for name, t := range per {
		rows = append(rows, byAction{name, t.total, t.succeeded, t.failed, t.rate(), t.avg()})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Total != rows[j].Total {
			return rows[i].Total > rows[j].Total
		}
		return rows[i].ActionType < rows[j].ActionType
	})
	return struct {
		Total        int64      `json:"total"`
		Succeeded    int64      `json:"succeeded"`
		Failed       int64      `json:"failed"`
		InProgress   int64      `json:"in_progress"`
		SuccessRate  *float64   `json:"success_rate"`
		ByActionType []byAction `json:"by_action_type"`
	}{all.total, all.succeeded, all.failed, all.inProgress, all.rate(), rows}
}

// namespacesJSON builds the per-namespace answer from (namespace, status) groups.
func namespacesJSON(groups []group) any {
	type ns struct {
		Namespace *string `json:"namespace"`
		Count     int64   `json:"count"`
		Succeeded int64   `json:"succeeded"`
		Failed    int64   `json:"failed"`
	}
	per := map[string]*ns{}
	var order []*ns
	for _, g := range groups {
		name, key := g.key["namespace"], "\x00null"
		if name != nil {
			key = *name
		}
		n := per[key]
		if n == nil {
			n = &ns{Namespace: name}
			per[key] = n
			order = append(order, n)
		}
		var t tally
		t.add(g)
		n.Count += t.total
		n.Succeeded += t.succeeded
		n.Failed += t.failed
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].Count != order[j].Count {
			return order[i].Count > order[j].Count
		}
		return str(order[i].Namespace) < str(order[j].Namespace)
	})
	out := make([]ns, len(order))
	for i, n := range order {
		out[i] = *n
	}
	return struct {
		Groups []ns `json:"groups"`
		Count  int  `json:"count"`
	}{out, len(out)}
}

// severityJSON builds the severity distribution.
func severityJSON(groups []group) any {
	dist := map[string]int64{}
	for _, g := range groups {
		dist[str(g.key["severity"])] += g.count
	}
	return struct {
		Distribution map[string]int64 `json:"distribution"`
	}{dist}
}

// trendJSON builds the per-day counts of the window starting at first.
func trendJSON(groups []group, first time.Time, days int) any {
	type point struct {
		Date  string `json:"date"`
		Count int64  `json:"count"`
	}
	points := make([]point, days)
	for i := range points {
		points[i].Date = first.AddDate(0, 0, i).Format("2006-01-02")
	}
	for _, g := range groups {
		if g.day == nil {
			continue
		}
		d := g.day.UTC()
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		if i := int(day.Sub(first) / (24 * time.Hour)); i >= 0 && i < days {
			points[i].Count += g.count
		}
	}
	return struct {
		Days  int     `json:"days"`
		Trend []point `json:"trend"`
	}{days, points}
}
