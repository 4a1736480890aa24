package httpapi

import "github.com/contextapi/contextapi/internal/app"

// incidentListResponse is one page of incidents (docs/api.md §3.2).
type incidentListResponse struct {
	Incidents       []incidentResponse `json:"incidents"`
	Total           int64              `json:"total"`
	Limit           int                `json:"limit"`
	Offset          int                `json:"offset"`
	NextCursor      *string            `json:"next_cursor"` // null exactly when no row follows
	TotalIsEstimate bool               `json:"total_is_estimate"`
}

func newIncidentListResponse(res app.ListResult) incidentListResponse {
	out := incidentListResponse{
		Incidents:       make([]incidentResponse, len(res.Incidents)),
		Total:           res.Total,
		Limit:           res.Limit,
		Offset:          res.Offset,
		TotalIsEstimate: res.TotalIsEstimate,
	}
	for i, e := range res.Incidents {
		out.Incidents[i] = newIncidentResponse(e)
	}
	if res.NextCursor != "" {
		next := res.NextCursor
		out.NextCursor = &next
	}
	return out
}

// similarListResponse is the answer of a vector search (docs/api.md §3.3), most similar
// first.
type similarListResponse struct {
	Incidents []similarIncidentResponse `json:"incidents"`
	Limit     int                       `json:"limit"`
}

func newSimilarListResponse(res app.SimilarResult) similarListResponse {
	out := similarListResponse{
		Incidents: make([]similarIncidentResponse, len(res.Incidents)),
		Limit:     res.Limit,
	}
	for i, si := range res.Incidents {
		out.Incidents[i] = similarIncidentResponse{
			incidentResponse: newIncidentResponse(si.Incident),
			Similarity:       si.Similarity,
		}
	}
	return out
}
