package postgres

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// estimatesKept bounds the estimate memo; when full it starts over, which costs a
// planning pass per filter once more, never a wrong total.
const estimatesKept = 4096

// estimateMemo remembers the planner's estimates per filter for tableRowsTTL. An
// estimate is a function of the table's statistics (changed only by ANALYZE), its size
// in pages (which the planner scales them by, and which grows slowly) and the
// statement's parameters, so asking again within the minute buys little but another
// planning pass (0.3-0.8 ms, as much as the page). Totals from it are flagged as
// estimates anyway.
type estimateMemo struct {
	mu      sync.Mutex
	entries map[string]memoEstimate
}

type memoEstimate struct {
	rows  int64
	taken time.Time
}

// estimateKey identifies a filter (the app hands over normalised filters, so equal
// questions share a key); false when it cannot be encoded, which just skips the memo.
func estimateKey(f domain.Filter) (string, bool) {
	b, err := json.Marshal(f)
	if err != nil {
		return "", false
	}
	return string(b), true
}

func (m *estimateMemo) get(key string, now time.Time) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || now.Sub(e.taken) >= tableRowsTTL {
		return 0, false
	}
	return e.rows, true
}

func (m *estimateMemo) put(key string, rows int64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil || len(m.entries) >= estimatesKept {
		m.entries = make(map[string]memoEstimate)
	}
	m.entries[key] = memoEstimate{rows: rows, taken: now}
}
