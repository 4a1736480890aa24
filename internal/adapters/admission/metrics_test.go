package admission

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

const exposition = `
# HELP contextapi_db_queries_in_flight Repository reads admitted and running against the database.
# TYPE contextapi_db_queries_in_flight gauge
contextapi_db_queries_in_flight %d
# HELP contextapi_db_queries_waiting Repository reads waiting for an admission slot.
# TYPE contextapi_db_queries_waiting gauge
contextapi_db_queries_waiting %d
# HELP contextapi_db_queries_refused_total Repository reads refused admission: no slot within queue_timeout, or the wait queue full.
# TYPE contextapi_db_queries_refused_total counter
contextapi_db_queries_refused_total %d
`

// expect is the exposition of the gate's three series with these values.
func expect(inFlight, waiting, refused int) *strings.Reader {
	return strings.NewReader(fmt.Sprintf(exposition, inFlight, waiting, refused))
}

func TestMetricsAreExact(t *testing.T) {
	e := newEnv(t, Options{MaxConcurrent: 2, MaxWaiting: 1, QueueTimeout: time.Minute})
	names := []string{"contextapi_db_queries_in_flight", "contextapi_db_queries_waiting", "contextapi_db_queries_refused_total"}
	require.NoError(t, testutil.GatherAndCompare(e.reg, expect(0, 0, 0), names...), "all three exposed from the start")

	ctx := t.Context()
	reads := []<-chan error{e.start(ctx, 0), e.start(ctx, 1)}
	e.awaitStarted(t, 2)
	reads = append(reads, e.start(ctx, 2))
	e.awaitWaiting(t, 1)
	for i := range 3 {
		require.ErrorIs(t, e.read(ctx, 3+i), domain.ErrOverloaded)
	}
	require.NoError(t, testutil.GatherAndCompare(e.reg, expect(2, 1, 3), names...))

	e.finish(t, reads...)
	require.NoError(t, testutil.GatherAndCompare(e.reg, expect(0, 0, 3), names...))
}
