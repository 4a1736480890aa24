package client_test

import (
	"context"
	"iter"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

// Incidents is the iterator the issue asks for.
var _ func(*client.Client, context.Context, client.ListOptions) iter.Seq2[client.Incident, error] = (*client.Client).Incidents

func TestIncidentsPagesToTheEndOnTheDemoStore(t *testing.T) {
	pagesToTheEnd(t, serveDemo(t).URL)
}

func TestIncidentsPagesToTheEndOnPostgreSQL(t *testing.T) {
	pg.Require(t)
	pagesToTheEnd(t, servePostgres(t).URL)
}

// pagesToTheEnd follows next_cursor through every incident, filtered and not, and
// compares what it visits with the service's total: each incident once, newest first.
func pagesToTheEnd(t *testing.T, baseURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(baseURL)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		opts client.ListOptions
	}{
		{"every incident, default page size", client.ListOptions{}},
		{"pages of 37", client.ListOptions{Limit: 37}},
		{"filtered", client.ListOptions{Limit: 7, Filters: client.Filters{Severity: []string{"critical", "warning"}, Phase: []string{"failed"}}}},
		{"after an offset", client.ListOptions{Limit: 50, Offset: 20}},
		{"nothing matches", client.ListOptions{Filters: client.Filters{Namespace: []string{"no-such-namespace"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := tc.opts
			first.Limit = 1
			page, err := c.ListIncidents(ctx, first)
			require.NoError(t, err)
			want := int(page.Total) - tc.opts.Offset
			require.False(t, page.TotalIsEstimate)

			seen := map[int64]bool{}
			var prev *client.Incident
			for inc, err := range c.Incidents(ctx, tc.opts) {
				require.NoError(t, err)
				assert.False(t, seen[inc.ID], "incident %d twice", inc.ID)
				seen[inc.ID] = true
				if prev != nil {
					newer := prev.StartTime.After(inc.StartTime) || prev.StartTime.Equal(inc.StartTime) && prev.ID > inc.ID
					assert.True(t, newer, "incident %d before %d", prev.ID, inc.ID)
				}
				prev = &inc
			}
			assert.Len(t, seen, want)
		})
	}
	t.Run("every incident of the data set", func(t *testing.T) {
		n := 0
		for _, err := range c.Incidents(ctx, client.ListOptions{}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, demoIncidents, n)
	})
}

// Breaking out of the loop fetches no further page.
func TestIncidentsStopsWhenTheLoopDoes(t *testing.T) {
	var requests counter
	srv := serve(t, nil, requests.wrap)
	c, err := client.New(srv.URL)
	require.NoError(t, err)
	n := 0
	for _, err := range c.Incidents(context.Background(), client.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		if n++; n == 25 {
			break
		}
	}
	assert.EqualValues(t, 3, requests.n.Load())
}

// An error ends the iteration once yielded; it is the service's problem.
func TestIncidentsYieldsTheErrorAndStops(t *testing.T) {
	c, err := client.New(serveDemo(t).URL)
	require.NoError(t, err)
	var errs []error
	for _, err := range c.Incidents(context.Background(), client.ListOptions{Limit: 500}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], client.ErrInvalid)
}

// A service that hands back the cursor it was given would keep a loop going forever;
// the iterator stops with an error instead.
func TestIncidentsRefusesAPageThatDoesNotAdvance(t *testing.T) {
	srv := serveHandler(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"incidents":[{"id":1}],"total":2,"limit":1,"offset":0,"next_cursor":"same","total_is_estimate":false}`))
	})
	c, err := client.New(srv.URL)
	require.NoError(t, err)
	var got []error
	for _, err := range c.Incidents(context.Background(), client.ListOptions{}) {
		got = append(got, err)
		if len(got) > 10 {
			break
		}
	}
	require.Len(t, got, 3)
	assert.NoError(t, got[0])
	assert.NoError(t, got[1])
	assert.ErrorContains(t, got[2], "does not advance")
}
