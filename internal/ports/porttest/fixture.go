// Package porttest holds the behaviour every implementation of ports.Repository must
// show (memory, PostgreSQL, the cache decorator), as a contract suite over one shared,
// deterministic data set.
package porttest

import (
	"encoding/json"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// FixtureNow is the "now" RunRepository builds the fixture around. It carries
// microseconds on purpose: PostgreSQL keeps them, and so must every round trip.
var FixtureNow = time.Date(2026, time.June, 15, 12, 34, 56, 123456000, time.UTC)

// Fixture returns the contract data set around now (truncated to microseconds, in UTC):
// ids 1–15 are our restatement of upstream's seed (docs/scenarios.md §1.3, same order, names,
// objects, statuses, severities, clusters, environments, durations, fingerprints and
// action_parameters; end time, created_at and updated_at as upstream sets them), ids
// 16–25 stress the edges. Each call returns fresh values the caller may keep or change.
//
// All 25 in list order (start time desc, then id desc), offsets from now:
//
//	22 +400d (2027-07-20, a month no named partition covers)
//	15 −2m · 14 −5m · 5 −20m · 3 −30m · 4 −45m · 2 −1h · 1 −2h · 6 −3h · 7 −4h · 8 −6h
//	10 −8h · 9 −12h · 11 −1d · 12 −2d · 13 −3d         (the 15 seed rows: [now−7d, now))
//	16 −8d · 18 −9d · 17 −10d · 25 −10d30m · 20 −12d · 19 −12d (same start: id breaks the tie)
//	23 −14d · 24 −20d · 21 2024-02-29T23:59:59.999999Z
//
// The extras:
//
//	16  NULL in every nullable field: namespace (cluster-scoped Node), fingerprint,
//	    cluster, environment, status (phase pending), end, duration, error, metadata,
//	    created_at, updated_at, embedding
//	17  rolled-back (phase failed) with an error message; same alert (fp-004) and object
//	    as 4; remediation request test-rr-017, shared with 25
//	18  status "cancelled" (unknown: phase pending); same alert (fp-003) and object as 3
//	19  same start time as 20
//	20  environment "test", severity info, failed with an error message
//	21  2024, the last microsecond of a leap day
//	22  more than a year ahead; pending
//	23  unicode: namespace "命名空间", name "HighMemory-🚀", metadata with nesting
//	24  an all-zero embedding (no direction: never similar to anything)
//	25  the earlier, failed attempt of remediation request test-rr-017 (higher id, older)
//
// Embeddings (see embedding.go for the geometry), family and noise scale per id:
//
//	memory   1 (0.10) · 13 (0.20) · 21 (0.25) · 23 (0.30)
//	cpu      11 (0.15) · 12 (the same direction as 11, other magnitude) · 19 (0.25)
//	workload 2 (0.05) · 9 (0.15) · 20 (0.20) · 10 (0.25) · 5 (0.30)
//	node     3 (0.10) · 14 (0.20) · 18 (0.30)
//	deploy   4 (0.10) · 17 (0.20) · 25 (0.30)
//	capacity 6 (0.10) · 7 (0.20)
//	secrets  8 (0.10) · 22 (0.20)
//	storage  15 (0.10)
//	none     16 (NULL) · 24 (all zeros)
//
// Similarity of FamilyVector(f) to a row of scale a:
//
//	scale a              0.05     0.10     0.15     0.20     0.25     0.30
//	member of f          0.99900  0.99602  0.99112  0.98437  0.97590  0.96583
//	row of another       0.19980  0.19920  0.19822  0.19687  0.19518  0.19317
//
// Members of one family are 0.93284–1 similar to each other (11 and 12 exactly 1), rows
// of different families 0.18657–0.19960; e.g. from row 13's own vector: 13 1, 1 0.98046,
// 21 0.96065, 23 0.95074.
func Fixture(now time.Time) []domain.IncidentEvent {
	now = now.UTC().Truncate(time.Microsecond)
	b := newBasis()
	specs := fixtureRows(now)
	events := make([]domain.IncidentEvent, 0, len(specs))
	for _, r := range specs {
		events = append(events, r.event(b))
	}
	return events
}

// row is one fixture incident in compact form: an empty string, a zero time or a nil
// pointer stands for NULL (no fixture value is legitimately empty).
type row struct {
	id                           int64
	rrid, name, fingerprint      string
	namespace, cluster, env      string
	kind, target                 string
	status, severity, actionType string
	start                        time.Time
	took                         time.Duration // end = start + took; 0: NULL end
	durationMs                   *int64
	errorMessage                 string
	metadata                     string
	created, updated             time.Time
	embedding                    embeddingSpec
}

// magnitudes scale embeddings by id (a power of two, so float32 values stay exact).
var magnitudes = [4]float32{0.5, 1, 2, 4}

func (r row) event(b *basis) domain.IncidentEvent {
	e := domain.IncidentEvent{
		ID:                   r.id,
		Name:                 r.name,
		AlertFingerprint:     nullString(r.fingerprint),
		RemediationRequestID: r.rrid,
		Namespace:            nullString(r.namespace),
		ClusterName:          nullString(r.cluster),
		Environment:          nullString(r.env),
		TargetResource:       r.kind,
		TargetName:           r.target,
		Status:               nullString(r.status),
		Severity:             r.severity,
		ActionType:           r.actionType,
		StartTime:            r.start,
		ErrorMessage:         nullString(r.errorMessage),
		CreatedAt:            nullTime(r.created),
		UpdatedAt:            nullTime(r.updated),
		Embedding:            b.vector(r.embedding, magnitudes[r.id%4]),
	}
	if r.took != 0 {
		end := r.start.Add(r.took)
		e.EndTime = &end
	}
	if r.durationMs != nil {
		d := *r.durationMs
		e.DurationMs = &d
	}
	if r.metadata != "" {
		e.Metadata = json.RawMessage(r.metadata)
	}
	return e
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func ms(v int64) *int64 { return &v }

// family builds the embedding of a family member whose noise direction is its own id.
func family(f Family, scale float64, id int) embeddingSpec {
	return embeddingSpec{kind: embeddingFamily, family: f, scale: scale, noise: id}
}
