package test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestServeReadsFromReplicasAndSurvivesOneDying runs the built binary over the primary
// and two replicas (the standby directly, and the standby again through a proxy the test
// cuts), with the cache off so every request reads the database. Under a steady load the
// reads go to the replicas, not the primary; the proxied replica dies (connections reset,
// new ones refused) and comes back; no request fails, and the logs and /metrics say what
// happened, naming the targets without credentials.
func TestServeReadsFromReplicasAndSurvivesOneDying(t *testing.T) {
	pg.HoldStandby(t) // replay runs throughout: nobody pauses it meanwhile
	now := time.Now().UTC()
	dsn := loadDemo(t, now)
	replica := pg.OnReplica(t, dsn)
	proxy := newProxy(t, hostOf(t, replica))
	s := startService(t, nil, "--database-url", dsn,
		"--database-replica-urls", replica+","+proxy.via(t, replica),
		"--max-replica-lag", "5s", "--cache-enabled=false")
	first := s.logTail(t, 100)
	assert.Contains(t, first, "reads spread over 2 replica(s)")
	dying := "replica-2 (" + proxy.addr + ")"
	require.Eventually(t, func() bool { return s.series(t, "contextapi_db_target_state", dying, "up") == 1 },
		10*time.Second, 20*time.Millisecond, "both replicas are checked and up")

	var page atomic.Int64 // every request a page of its own, as the cache is off anyway
	targeter := func(tgt *vegeta.Target) error {
		*tgt = vegeta.Target{Method: http.MethodGet, URL: fmt.Sprintf("%s/api/v1/incidents?limit=%d", s.base, 1+page.Add(1)%50)}
		return nil
	}
	loaded := make(chan *vegeta.Metrics, 1)
	go func() { loaded <- attack(t, "replicas", targeter, 100, 5*time.Second) }()

	time.Sleep(time.Second)
	cut := time.Now()
	proxy.cut()
	require.Eventually(t, func() bool { return s.series(t, "contextapi_db_target_state", dying, "down") == 1 },
		5*time.Second, 5*time.Millisecond, "the dead replica is marked down")
	failover := time.Since(cut)
	time.Sleep(1500 * time.Millisecond)
	proxy.restore()
	back := time.Now()
	require.Eventually(t, func() bool { return s.series(t, "contextapi_db_target_state", dying, "up") == 1 },
		5*time.Second, 5*time.Millisecond, "the replica is read again once it answers")
	returned := time.Since(back)
	m := <-loaded

	t.Logf("failover: replica marked down %v after the cut (as /metrics showed it, polled every 5 ms); back %v after it listened again",
		failover.Round(time.Millisecond), returned.Round(time.Millisecond))
	t.Logf("load: %d requests at 100/s, statuses %v, p99 %v, max %v", m.Requests, m.StatusCodes,
		m.Latencies.P99.Round(100*time.Microsecond), m.Latencies.Max.Round(100*time.Microsecond))
	assert.Equal(t, int(m.Requests), statusCount(m, http.StatusOK), "every request answered 200: %v", m.StatusCodes)
	assert.Less(t, failover, 1500*time.Millisecond)

	reads := func(target, outcome string) float64 {
		return s.series(t, "contextapi_db_target_reads_total", target, outcome)
	}
	assert.Zero(t, reads("primary", "ok"), "the replicas took every read")
	assert.Positive(t, reads("replica-1 ("+hostOf(t, replica)+")", "ok"))
	assert.Positive(t, reads(dying, "ok"))
	assert.Positive(t, reads(dying, "unavailable"), "reads found it dead, and went on")

	logs, err := os.ReadFile(s.logPath)
	require.NoError(t, err)
	assert.Contains(t, string(logs), "database target does not answer: reads avoid it until it answers again")
	assert.Contains(t, string(logs), "database target is back: reads use it again")
	assert.NotContains(t, string(logs), ":contextapi@", "no password in the logs")
}

// series reads the value of name's series whose target label starts with target and
// whose state or outcome label is label, from /metrics.
func (s *service) series(t *testing.T, name, target, label string) float64 {
	t.Helper()
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	require.NoError(t, err)
	f, ok := families[name]
	if !ok {
		return 0
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if !strings.HasPrefix(labels["target"], target) || (labels["state"] != label && labels["outcome"] != label) {
			continue
		}
		if m.Gauge != nil {
			return m.GetGauge().GetValue()
		}
		return m.GetCounter().GetValue()
	}
	return 0
}
