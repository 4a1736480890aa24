package measure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/contextapi/contextapi/bench/internal/load"
)

// Capture fetches every cached workload's answers from the cached service until they
// come from its cache; those bytes, by request URI, are what B0 serves.
func (e *Env) Capture(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	var reqs []load.Request
	reqs = append(reqs, e.Workloads.ListCached...)
	reqs = append(reqs, e.Workloads.GetCached...)
	reqs = append(reqs, e.Workloads.AggCached...)
	misses := 0
	for _, r := range reqs {
		var body []byte
		hit := false
		for try := 0; try < 20 && !hit; try++ {
			b, h, _, err := load.SendPatiently(ctx, e.Service, r)
			if err != nil {
				return nil, fmt.Errorf("capture %s: %w", r.URI, err)
			}
			body = b
			hit = strings.Contains(h.Get("Cache-Status"), "hit")
			if !hit {
				time.Sleep(20 * time.Millisecond) // ristretto's Set is asynchronous
			}
		}
		if !hit {
			misses++
		}
		out[r.URI] = string(body)
	}
	if misses > 0 {
		e.note("%d of %d cached requests never answered Cache-Status: hit during capture", misses, len(reqs))
	}
	return out, nil
}
