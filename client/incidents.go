package client

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Incident is one remediation action taken for one alert (docs/api.md §1.2). Nullable
// members are pointers, nil for JSON null.
type Incident struct {
	ID int64 `json:"id"`
	// Name is the alert name, such as HighMemoryUsage.
	Name                 string  `json:"name"`
	AlertFingerprint     *string `json:"alert_fingerprint"`
	RemediationRequestID string  `json:"remediation_request_id"`
	// Namespace is nil for cluster-scoped objects such as nodes.
	Namespace   *string `json:"namespace"`
	ClusterName *string `json:"cluster_name"`
	Environment *string `json:"environment"`
	// TargetResource is the object's kind (Deployment), TargetName its name.
	TargetResource string `json:"target_resource"`
	TargetName     string `json:"target_name"`
	// Phase is derived from Status: pending, processing, completed or failed.
	Phase string `json:"phase"`
	// Status is the execution status as stored (completed, failed, rolled-back, ...).
	Status     *string    `json:"status"`
	Severity   string     `json:"severity"`
	ActionType string     `json:"action_type"`
	StartTime  time.Time  `json:"start_time"`
	EndTime    *time.Time `json:"end_time"`
	// DurationMs is the execution duration in milliseconds, as stored.
	DurationMs   *int64  `json:"duration"`
	ErrorMessage *string `json:"error_message"`
	// Metadata is the action's parameters; nil when the incident has none.
	Metadata  map[string]any `json:"metadata"`
	CreatedAt *time.Time     `json:"created_at"`
	UpdatedAt *time.Time     `json:"updated_at"`
	// Embedding is set only when asked for (IncludeEmbedding) and the incident has one.
	Embedding []float32 `json:"embedding,omitempty"`
}

// IncidentPage is one page of incidents, newest first.
type IncidentPage struct {
	Incidents []Incident `json:"incidents"`
	// Total counts every incident matching the filters, whatever the paging.
	Total int64 `json:"total"`
	// TotalIsEstimate is true when Total is the database planner's estimate (large
	// tables on PostgreSQL), not an exact count.
	TotalIsEstimate bool `json:"total_is_estimate"`
	Limit           int  `json:"limit"`
	Offset          int  `json:"offset"`
	// NextCursor fetches the next page (ListOptions.Cursor); nil on the last page.
	NextCursor *string `json:"next_cursor"`
}

// ListOptions selects a page of incidents (docs/api.md §3.2). Zero fields leave the
// service's defaults.
type ListOptions struct {
	Filters
	// Limit is the page size, 1 to 100 (the service's default: 10).
	Limit int
	// Offset skips incidents, up to 10 000; it cannot be combined with Cursor.
	Offset int
	// Cursor is a previous page's NextCursor; send the same filters and Limit with it.
	Cursor string
	// IncludeEmbedding adds each incident's embedding.
	IncludeEmbedding bool
}

func (o *ListOptions) query() url.Values {
	q := url.Values{}
	setInt(q, "limit", o.Limit)
	setInt(q, "offset", o.Offset)
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.IncludeEmbedding {
		q.Set("include", "embedding")
	}
	o.addTo(q)
	return q
}

// ListIncidents returns one page of the incidents matching opts, newest first (GET
// /api/v1/incidents). Incidents walks every page.
func (c *Client) ListIncidents(ctx context.Context, opts ListOptions) (*IncidentPage, error) {
	return send[IncidentPage](ctx, c, request{
		op: "list incidents", method: http.MethodGet, path: "/api/v1/incidents", query: opts.query(),
	})
}

// pageSize is the page size Incidents asks for when opts.Limit is zero: the largest the
// service allows, for the fewest round trips.
const pageSize = 100

// Incidents iterates over every incident matching opts, newest first, fetching page
// after page by cursor, which neither repeats nor skips an incident while newer ones
// arrive. opts.Limit is the page size (zero: 100); opts.Offset, when set, applies to the
// first page only. An error ends the iteration after it is yielded.
//
//	for inc, err := range c.Incidents(ctx, client.ListOptions{}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (c *Client) Incidents(ctx context.Context, opts ListOptions) iter.Seq2[Incident, error] {
	return func(yield func(Incident, error) bool) {
		if opts.Limit == 0 {
			opts.Limit = pageSize
		}
		for {
			page, err := c.ListIncidents(ctx, opts)
			if err != nil {
				yield(Incident{}, err)
				return
			}
			for _, inc := range page.Incidents {
				if !yield(inc, nil) {
					return
				}
			}
			if page.NextCursor == nil {
				return
			}
			if *page.NextCursor == opts.Cursor || len(page.Incidents) == 0 {
				// A service that does not move on would keep this loop going forever.
				yield(Incident{}, errors.New("client: list incidents: the service returned a page that does not advance"))
				return
			}
			opts.Cursor, opts.Offset = *page.NextCursor, 0 // a cursor with an offset is refused
		}
	}
}

// GetOptions shapes the answer of GetIncident.
type GetOptions struct {
	// IncludeEmbedding adds the incident's embedding, when it has one.
	IncludeEmbedding bool
}

// GetIncident returns the incident with this id (GET /api/v1/incidents/{id}); an
// unknown id is a *Problem matching ErrNotFound.
func (c *Client) GetIncident(ctx context.Context, id int64, opts GetOptions) (*Incident, error) {
	q := url.Values{}
	if opts.IncludeEmbedding {
		q.Set("include", "embedding")
	}
	return send[Incident](ctx, c, request{
		op: "get incident", method: http.MethodGet, path: "/api/v1/incidents/" + strconv.FormatInt(id, 10), query: q,
	})
}
