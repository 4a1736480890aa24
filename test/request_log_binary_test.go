package test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The request log is written in batches (internal/logbuffer): a clean exit still writes
// every line, the last of them after the requests' own.
func TestEveryRequestLineIsWrittenByACleanExit(t *testing.T) {
	s := startService(t, nil, "--demo", "--drain-delay", "0s")
	const requests = 500
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range requests {
		res, err := client.Get(s.base + "/api/v1/incidents?limit=" + string(rune('1'+i%9)))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
	}
	s.signal(t, syscall.SIGTERM)
	require.NoError(t, s.wait(t, 15*time.Second), "exit status 0")
	data, err := os.ReadFile(s.logPath)
	require.NoError(t, err)
	log := string(data)
	// The readiness probes of startService are logged too; count the API's lines.
	assert.Equal(t, requests, strings.Count(log, `"path":"/api/v1/incidents"`), "one line per request, none lost")
	assert.True(t, strings.HasSuffix(strings.TrimSpace(log), `"msg":"contextapi stopped"}`),
		"the last line is the stop: %s", s.logTail(t, 2))
}
