package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/contextapi/contextapi/internal/domain"
)

// EmbedWriter fills resource_action_traces.embedding where it is NULL, for `contextapi
// embed` (the service itself never writes). It writes that column only: the update
// trigger of the Data Storage schema stamps updated_at, as it does for any update.
type EmbedWriter struct {
	conn *pgx.Conn
}

// UnembeddedTrace is a trace without an embedding: where it is (id and partition key)
// and what its text is made of.
type UnembeddedTrace struct {
	ID              int64
	ActionTimestamp time.Time
	Text            domain.IncidentText
}

// TraceEmbedding is the embedding to write into one trace.
type TraceEmbedding struct {
	ID              int64
	ActionTimestamp time.Time
	Embedding       []float32
}

// OpenEmbedWriter connects to the database of dsn.
func OpenEmbedWriter(ctx context.Context, dsn, passwordFile string) (*EmbedWriter, error) {
	cfg, err := connConfig(dsn, passwordFile)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, translate(ctx, "embed: connect", err)
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: embed: register vector type (is the vector extension installed? run migrate): %w", err)
	}
	return &EmbedWriter{conn: conn}, nil
}

// Close closes the connection.
func (w *EmbedWriter) Close(ctx context.Context) error { return w.conn.Close(ctx) }

var vectorType = regexp.MustCompile(`^vector\((\d+)\)$`)

// Dimensions reads the embedding column's declared dimension from the catalog.
func (w *EmbedWriter) Dimensions(ctx context.Context) (int, error) {
	var typ string
	err := w.conn.QueryRow(ctx, `SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = 'resource_action_traces'::regclass AND a.attname = 'embedding' AND NOT a.attisdropped`).Scan(&typ)
	if err != nil {
		return 0, translate(ctx, "embed: read the embedding column's type (run migrate?)", err)
	}
	m := vectorType.FindStringSubmatch(typ)
	if m == nil {
		return 0, fmt.Errorf("postgres: embed: resource_action_traces.embedding is %s, not vector(n)", typ)
	}
	return strconv.Atoi(m[1])
}

// CountUnembedded counts the traces without an embedding.
func (w *EmbedWriter) CountUnembedded(ctx context.Context) (int64, error) {
	var n int64
	err := w.conn.QueryRow(ctx, `SELECT count(*) FROM resource_action_traces WHERE embedding IS NULL`).Scan(&n)
	return n, translate(ctx, "embed: count traces without an embedding", err)
}

// NextUnembedded returns up to limit traces without an embedding whose id is above
// afterID, by id: a keyset walk, so each batch costs the same however far it is.
func (w *EmbedWriter) NextUnembedded(ctx context.Context, afterID int64, limit int) ([]UnembeddedTrace, error) {
	rows, err := w.conn.Query(ctx, `
		SELECT rat.id, rat.action_timestamp, rat.alert_name, rat.alert_severity, rr.kind, rr.name,
		       COALESCE(rr.namespace, ''), rat.action_type, COALESCE(rat.execution_error, ''),
		       COALESCE(rat.alert_annotations->>'description', rat.alert_annotations->>'summary', '')
		  FROM resource_action_traces rat
		  JOIN action_histories ah ON ah.id = rat.action_history_id
		  JOIN resource_references rr ON rr.id = ah.resource_id
		 WHERE rat.embedding IS NULL AND rat.id > $1
		 ORDER BY rat.id
		 LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, translate(ctx, "embed: read traces without an embedding", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnembeddedTrace, error) {
		var t UnembeddedTrace
		x := &t.Text
		err := r.Scan(&t.ID, &t.ActionTimestamp, &x.AlertName, &x.Severity, &x.Kind, &x.Name, &x.Namespace,
			&x.ActionType, &x.ErrorMessage, &x.AlertDescription)
		return t, err
	})
	return out, translate(ctx, "embed: read traces without an embedding", err)
}

// Write stores the embeddings in one transaction and returns how many traces it
// filled. A trace whose embedding is no longer NULL (another run filled it meanwhile)
// is left as it is. The partition key in the WHERE clause lets PostgreSQL update one
// partition's row through its primary key instead of probing every partition.
func (w *EmbedWriter) Write(ctx context.Context, embeddings []TraceEmbedding) (int, error) {
	written := 0
	err := pgx.BeginFunc(ctx, w.conn, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, e := range embeddings {
			b.Queue(`UPDATE resource_action_traces SET embedding = $1
				WHERE id = $2 AND action_timestamp = $3 AND embedding IS NULL`,
				pgvector.NewVector(e.Embedding), e.ID, e.ActionTimestamp)
		}
		res := tx.SendBatch(ctx, b)
		for range embeddings {
			tag, err := res.Exec()
			if err != nil {
				_ = res.Close()
				return err
			}
			written += int(tag.RowsAffected())
		}
		return res.Close()
	})
	if err != nil {
		return 0, translate(ctx, "embed: write embeddings", err)
	}
	return written, nil
}
