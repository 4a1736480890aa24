package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"iter"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/contextapi/contextapi/internal/domain"
)

// resourceKey identifies a Kubernetes object as resource_references does.
type resourceKey struct {
	namespace string
	hasNS     bool
	kind      string
	name      string
}

// resources assigns ids to the objects incidents touch, in order of first appearance.
type resources struct {
	ids   map[resourceKey]int64
	order []resourceKey
}

func keyOf(e domain.IncidentEvent) resourceKey {
	k := resourceKey{kind: e.TargetResource, name: e.TargetName}
	if e.Namespace != nil {
		k.namespace, k.hasNS = *e.Namespace, true
	}
	return k
}

// scan reads the source once for the objects it touches (ids in order of first
// appearance) and the months its traces fall in.
func scan(events Source) (*resources, map[time.Time]bool) {
	r := &resources{ids: map[resourceKey]int64{}}
	months := map[time.Time]bool{}
	for e := range events.All() {
		k := keyOf(e)
		if _, ok := r.ids[k]; !ok {
			r.order = append(r.order, k)
			r.ids[k] = int64(len(r.order))
		}
		t := e.StartTime.UTC()
		months[time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
	}
	return r, months
}

// apiVersions gives the usual API group of common kinds; others are core (v1).
var apiVersions = map[string]string{
	"deployment": "apps/v1", "statefulset": "apps/v1", "daemonset": "apps/v1", "replicaset": "apps/v1",
	"job": "batch/v1", "cronjob": "batch/v1", "ingress": "networking.k8s.io/v1",
	"horizontalpodautoscaler": "autoscaling/v2", "certificate": "cert-manager.io/v1",
}

func copyResources(ctx context.Context, conn *pgx.Conn, r *resources) error {
	now := time.Now().UTC()
	rows := make([][]any, len(r.order))
	hist := make([][]any, len(r.order))
	for i, k := range r.order {
		id := r.ids[k]
		var ns any
		if k.hasNS {
			ns = k.namespace
		}
		apiVersion := apiVersions[strings.ToLower(k.kind)]
		if apiVersion == "" {
			apiVersion = "v1"
		}
		uid := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%t/%s/%s/%s", k.hasNS, k.namespace, k.kind, k.name))
		rows[i] = []any{id, uid.String(), apiVersion, k.kind, k.name, ns, now, now}
		hist[i] = []any{id, id, now, now}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"resource_references"},
		[]string{"id", "resource_uid", "api_version", "kind", "name", "namespace", "created_at", "last_seen"},
		pgx.CopyFromRows(rows)); err != nil {
		return translate(ctx, "load: copy resources", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"action_histories"},
		[]string{"id", "resource_id", "created_at", "updated_at"}, pgx.CopyFromRows(hist)); err != nil {
		return translate(ctx, "load: copy histories", err)
	}
	return nil
}

// traceColumns are the columns Load writes; the NOT NULL ones the domain does not carry
// (model_used, model_confidence) get plausible values derived from the id.
var traceColumns = []string{
	"id", "action_history_id", "action_id", "action_timestamp", "execution_start_time",
	"execution_end_time", "execution_duration_ms", "alert_name", "alert_severity",
	"alert_fingerprint", "model_used", "model_confidence", "action_type", "action_parameters",
	"execution_status", "execution_error", "cluster_name", "environment", "created_at",
	"updated_at", "embedding",
}

// traceSource streams traces to COPY, reporting progress as it goes.
type traceSource struct {
	next     func() (domain.IncidentEvent, bool)
	current  domain.IncidentEvent
	res      *resources
	done     int
	total    int
	progress func(done, total int)
}

func (s *traceSource) Next() bool {
	e, ok := s.next()
	if !ok {
		if s.progress != nil {
			s.progress(s.done, s.total)
		}
		return false
	}
	if s.progress != nil && s.done%10_000 == 0 {
		s.progress(s.done, s.total)
	}
	s.current = e
	s.done++
	return true
}

func (s *traceSource) Values() ([]any, error) {
	e := s.current
	h := fnv.New32a()
	_, _ = h.Write([]byte(e.RemediationRequestID)) // a hash's Write never fails
	model := []string{"gpt-4", "gpt-4o", "gpt-3.5-turbo"}[h.Sum32()%3]
	confidence := 0.7 + float64(h.Sum32()%300)/1000
	var metadata, embedding any
	if e.Metadata != nil {
		metadata = string(e.Metadata)
	}
	if e.Embedding != nil {
		embedding = pgvector.NewVector(e.Embedding)
	}
	return []any{
		e.ID, s.res.ids[keyOf(e)], e.RemediationRequestID, e.StartTime, e.StartTime,
		e.EndTime, e.DurationMs, e.Name, e.Severity,
		e.AlertFingerprint, model, confidence, e.ActionType, metadata,
		e.Status, e.ErrorMessage, e.ClusterName, e.Environment, e.CreatedAt,
		e.UpdatedAt, embedding,
	}, nil
}

func (s *traceSource) Err() error { return nil }

func copyTraces(ctx context.Context, conn *pgx.Conn, events Source, res *resources, progress func(int, int)) error {
	next, stop := iter.Pull(events.All())
	defer stop()
	src := &traceSource{next: next, res: res, total: events.Len(), progress: progress}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"resource_action_traces"}, traceColumns, src); err != nil {
		return translate(ctx, "load: copy traces", err)
	}
	return nil
}
