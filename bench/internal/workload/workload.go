package workload

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/contextapi/contextapi/bench/internal/load"
)

// Workloads are the request sets of one size.
type Workloads struct {
	ListCached, GetCached, AggCached []load.Request // P1, P7 cached
	ListFiltered                     []load.Request // P2
	Large                            []load.Request // P4: results of most of the table, named by LargeNames
	GetUncached                      []load.Request // P9
	Search, SearchSelective          []load.Request // P5, P6
	AggUncached                      []load.Request // P7 cold, named by AggNames
	// AggMoving is P7 as callers ask it, per aggregation (AggNames): each request a
	// window of its own, so none is answered from the cache while closed days are.
	AggMoving [][]load.Request
	Cursors   []CursorCase // P3, P9: set by the agreement check, which verifies them
}

// CursorCase is a first page and the deepest page of one list (P3).
type CursorCase struct {
	Name        string
	First, Deep load.Request
}

// Names of the P4 and P7 requests, in the order of Workloads.Large and AggUncached.
var (
	LargeNames = []string{"unfiltered", "environment=production"}
	AggNames   = []string{"success-rate", "namespaces", "severity", "trend"}
)

// MovingRequests is how many distinct windows AggMoving holds per aggregation: more than
// a full run sends, so that no request is ever asked twice.
const MovingRequests = 20000

// movingWindows are the P7 requests of callers asking for "the last 30 days" as time
// passes: the k-th starts k seconds after since (the trend, which takes no since, ends
// k seconds before now).
func movingWindows(since string) [][]load.Request {
	from, err := time.Parse(time.RFC3339, since)
	if err != nil {
		from = time.Now().AddDate(0, 0, -30) // Discover always formats RFC 3339
	}
	to := from.AddDate(0, 0, 30)
	out := make([][]load.Request, len(AggNames))
	for k := range MovingRequests {
		s := url.QueryEscape(from.Add(time.Duration(k) * time.Second).UTC().Format(time.RFC3339))
		u := url.QueryEscape(to.Add(-time.Duration(k) * time.Second).UTC().Format(time.RFC3339))
		out[0] = append(out[0], load.Get("/api/v1/aggregations/success-rate?since="+s))
		out[1] = append(out[1], load.Get("/api/v1/aggregations/namespaces?since="+s))
		out[2] = append(out[2], load.Get("/api/v1/aggregations/severity?since="+s))
		out[3] = append(out[3], load.Get("/api/v1/aggregations/trend?days=30&until="+u))
	}
	return out
}

// ListURI is a list request with the given parameter pairs.
func ListURI(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Add(params[i], params[i+1])
	}
	if len(q) == 0 {
		return "/api/v1/incidents"
	}
	return "/api/v1/incidents?" + q.Encode()
}

// SearchRequest is a semantic search.
func SearchRequest(vec []float64, limit int, filters map[string]string) load.Request {
	body := map[string]any{"embedding": float32s(vec), "limit": limit}
	if len(filters) > 0 {
		body["filters"] = filters
	}
	b, _ := json.Marshal(body) // float32s and strings always encode
	return load.Request{Method: http.MethodPost, URI: "/api/v1/search/semantic", Body: b}
}

func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// Build makes every workload of a size from its data's shape.
func Build(d *Dataset) Workloads {
	var w Workloads
	get := load.Get
	ns := d.Namespaces
	w.ListCached = []load.Request{get(ListURI()), get(ListURI("namespace", ns[0])),
		get(ListURI("severity", "critical", "environment", "production")),
		get(ListURI("namespace", ns[1], "severity", "warning"))}
	for i, id := range d.GetIDs {
		r := get("/api/v1/incidents/" + strconv.FormatInt(id, 10))
		if i < 16 {
			w.GetCached = append(w.GetCached, r)
		}
		w.GetUncached = append(w.GetUncached, r)
	}
	since := d.Since30
	w.AggCached = []load.Request{
		get("/api/v1/aggregations/success-rate?since=" + url.QueryEscape(since)),
		get("/api/v1/aggregations/namespaces?since=" + url.QueryEscape(since)),
		get("/api/v1/aggregations/severity?since=" + url.QueryEscape(since)),
		get("/api/v1/aggregations/trend?days=30"),
	}
	w.AggUncached = w.AggCached
	w.AggMoving = movingWindows(since)
	for _, n := range ns[:8] {
		w.ListFiltered = append(w.ListFiltered, get(ListURI("namespace", n, "severity", "critical")))
	}
	w.Large = []load.Request{get(ListURI()), get(ListURI("environment", "production"))}
	for _, v := range d.Vectors {
		w.Search = append(w.Search, SearchRequest(v, 10, nil))
		w.SearchSelective = append(w.SearchSelective, SearchRequest(v, 10, map[string]string{"namespace": d.Selective}))
	}
	return w
}
