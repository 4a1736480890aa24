package contenders

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// postgrestStyle is baseline B2, PostgREST-style: one statement builds the page and
// total as JSON in PostgreSQL, and the handler returns its text as is.
type postgrestStyle struct {
	pool *pgxpool.Pool
	sql  *statements.Set
}

func (b *postgrestStyle) list(w http.ResponseWriter, r *http.Request) {
	q, err := parseListQuery(r.URL.Query())
	if err != nil || q.after != nil {
		httpError(w, http.StatusBadRequest, errors.Join(err, errors.New("B2 pages by offset only")))
		return
	}
	sql, args := b.statement(q.f, q.limit, q.offset)
	var body []byte
	if err := b.pool.QueryRow(r.Context(), sql, args...).Scan(&body); err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// statement is the PostgREST-style statement (B2's own, not the service's): PostgreSQL
// builds the whole answer (page and total) as JSON in one statement, as PostgREST's
// json_agg over a CTE does, from the service's select list, join, conditions and order.
func (b *postgrestStyle) statement(f statements.Filter, limit, offset int) (string, []any) {
	w, args := b.sql.Where(f)
	lim, off := "$"+strconv.Itoa(len(args)+1), "$"+strconv.Itoa(len(args)+2)
	args = append(args, limit, offset)
	return `WITH pgrst_source AS (SELECT ` + b.sql.Columns + ` FROM ` + b.sql.Joined + w +
		` ORDER BY ` + b.sql.Order + ` LIMIT ` + lim + `::bigint OFFSET ` + off + `::bigint)
SELECT json_build_object(
 'incidents', COALESCE(json_agg(json_build_object(
  'id', t.id, 'name', t.alert_name, 'alert_fingerprint', t.alert_fingerprint,
  'remediation_request_id', t.action_id, 'namespace', t.namespace, 'cluster_name', t.cluster_name,
  'environment', t.environment, 'target_resource', t.kind, 'target_name', t.name,
  'phase', CASE t.execution_status WHEN 'completed' THEN 'completed' WHEN 'failed' THEN 'failed'
   WHEN 'rolled-back' THEN 'failed' WHEN 'executing' THEN 'processing' ELSE 'pending' END,
  'status', t.execution_status, 'severity', t.alert_severity, 'action_type', t.action_type,
  'start_time', t.action_timestamp, 'end_time', t.execution_end_time, 'duration', t.execution_duration_ms,
  'error_message', t.execution_error, 'metadata', t.metadata::json,
  'created_at', t.created_at, 'updated_at', t.updated_at)
  ORDER BY t.action_timestamp DESC, t.id DESC), '[]'::json),
 'total', (SELECT count(*) FROM ` + b.sql.Joined + w + `),
 'limit', ` + lim + `::bigint, 'offset', ` + off + `::bigint, 'next_cursor', NULL, 'total_is_estimate', false)::text
FROM pgrst_source t`, args
}
