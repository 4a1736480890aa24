package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// keyVersion changes whenever the meaning of a cached value changes, so a deployment
// never reads entries written by another version's code (relevant once a shared tier
// exists; harmless in process).
const keyVersion = "v2" // v2: replayable answers carry their route (httpapi.Replayable)

// Keys are canonical: the app hands over normalised queries (sorted, deduplicated
// values, UTC times), so two spellings of one request share a key. Queries are hashed
// whole (including embeddings), never truncated, so distinct queries never collide.
func getKey(q domain.GetQuery) string {
	return "incident:" + keyVersion + ":id:" + strconv.FormatInt(q.ID, 10) + ":emb:" + strconv.FormatBool(q.IncludeEmbedding)
}

func listKey(q domain.ListQuery) (string, bool) { return digestKey("list", q) }

func searchKey(q domain.SemanticQuery) (string, bool) { return digestKey("search", q) }

func aggregateKey(q domain.AggregateQuery) (string, bool) { return digestKey("aggregate", q) }

// dayBaseKey names an aggregation regardless of its time window: its filter without the
// time bounds and its grouping. A closed day's or hour's partial aggregate is kept under
// partKey.
func dayBaseKey(q domain.AggregateQuery) (string, bool) {
	f := q.Filter
	f.Since, f.Until = nil, nil
	return digestKey("day", domain.AggregateQuery{Filter: f, GroupBy: q.GroupBy})
}

// partKey is where the partial aggregate of one closed UTC day (a midnight) or hour
// (unit) is kept.
func partKey(base string, t time.Time, unit time.Duration) string {
	if unit == time.Hour {
		return base + ":" + t.Format("2006-01-02T15")
	}
	return base + ":" + t.Format(time.DateOnly)
}

// replayKey is where the response last built for a raw request is remembered.
// embeddingKey names a text's embedding by one model: the text is hashed whole, with the
// model's name (a NUL apart, so no model+text pair spells another).
func embeddingKey(model, text string) string {
	h := sha256.New()
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return "embedding:" + keyVersion + ":" + hex.EncodeToString(h.Sum(nil))
}

func replayKey(request string) string { return "replay:" + keyVersion + ":" + request }

// versionKey is the key a value's version was stored under (versions are key@n).
func versionKey(version string) string {
	if i := strings.LastIndexByte(version, '@'); i >= 0 {
		return version[:i]
	}
	return version
}

// digestKey hashes a query's JSON form (struct fields in declaration order, values as
// normalised by the app). It is false for a query JSON cannot encode (a NaN, say),
// which then bypasses the cache rather than sharing a key with another.
func digestKey(kind string, v any) (string, bool) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	sum := sha256.Sum256(b)
	return "incidents:" + keyVersion + ":" + kind + ":" + hex.EncodeToString(sum[:16]), true
}
