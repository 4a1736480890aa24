package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// seededDatabase returns the URL of a migrated database of the test's own holding the
// demo data set (see pgtest; skipped without CONTEXTAPI_TEST_DATABASE_URL outside CI).
func seededDatabase(t *testing.T) string {
	t.Helper()
	h, err := pgtest.Start(func(ctx context.Context, dsn string) error {
		_, err := postgres.Migrate(ctx, dsn, postgres.MigrateOptions{})
		return err
	})
	require.NoError(t, err)
	t.Cleanup(h.Close)
	dsn := h.NewDatabase(t)
	require.NoError(t, postgres.Load(context.Background(), dsn, postgres.Events(dataset.Demo(time.Now().UTC())), postgres.LoadOptions{}))
	return dsn
}

// traceState is what a trace holds apart from its embedding and updated_at, hashed,
// and those two.
type traceState struct {
	rest, embedding string
	updatedAt       *time.Time
}

func snapshot(t *testing.T, conn *pgx.Conn) (traces map[int64]traceState, others string) {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT id, md5((to_jsonb(rat) - 'embedding' - 'updated_at')::text),
		COALESCE(embedding::text, ''), updated_at FROM resource_action_traces rat`)
	require.NoError(t, err)
	traces = map[int64]traceState{}
	for rows.Next() {
		var id int64
		var s traceState
		require.NoError(t, rows.Scan(&id, &s.rest, &s.embedding, &s.updatedAt))
		traces[id] = s
	}
	require.NoError(t, rows.Err())
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT
		(SELECT md5(string_agg(to_jsonb(ah)::text, ',' ORDER BY id)) FROM action_histories ah) ||
		(SELECT md5(string_agg(to_jsonb(rr)::text, ',' ORDER BY id)) FROM resource_references rr)`).Scan(&others))
	return traces, others
}

func countNull(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM resource_action_traces WHERE embedding IS NULL`).Scan(&n))
	return n
}

func TestEmbedFillsOnlyMissingEmbeddingsAndResumes(t *testing.T) {
	dsn := seededDatabase(t)
	clearEnv(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.NoError(t, pgxvec.RegisterTypes(ctx, conn))
	// A database whose traces mostly have no embedding, as a real Data Storage one: one
	// in five keeps its (synthetic) embedding, which embed must leave byte for byte.
	_, err = conn.Exec(ctx, `UPDATE resource_action_traces SET embedding = NULL WHERE id % 5 <> 0`)
	require.NoError(t, err)
	before, othersBefore := snapshot(t, conn)
	missing := countNull(t, conn)
	require.Greater(t, missing, 40)

	fake := &testkit.EmbeddingServer{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	args := func(extra ...string) []string {
		return append([]string{"embed", "--database-url", dsn, "--embedder-url", srv.URL, "--rate", "0", "--embedder-retries", "0"}, extra...)
	}

	out, err := execute(t, "embed", "--database-url", dsn, "--dry-run")
	require.NoError(t, err)
	assert.Contains(t, out, fmt.Sprintf("%d traces have no embedding; this run would embed %d", missing, missing))
	assert.Contains(t, out, "text of trace ")
	assert.Contains(t, out, "dry run: nothing written")
	assert.Equal(t, missing, countNull(t, conn), "a dry run writes nothing")
	assert.Empty(t, fake.Requests(), "a dry run asks no model")

	out, err = execute(t, args("--limit", "10", "--batch-size", "4")...)
	require.NoError(t, err)
	assert.Contains(t, out, "embedded 10 traces in ")
	assert.Contains(t, out, fmt.Sprintf("; %d traces have no embedding", missing-10))
	assert.Equal(t, missing-10, countNull(t, conn))
	var sizes []int
	for _, r := range fake.Requests()[1:] { // the first is the start-up check
		sizes = append(sizes, len(r.Input))
	}
	assert.Equal(t, []int{4, 4, 2}, sizes, "batches of --batch-size, up to --limit")

	// Interrupted by the embedder failing on the third batch: the first two are kept,
	// the third is not half-written.
	fake.Push(testkit.EmbeddingReply{}, testkit.EmbeddingReply{}, testkit.EmbeddingReply{},
		testkit.EmbeddingReply{Status: http.StatusServiceUnavailable, Body: `{"error":"overloaded"}`})
	_, err = execute(t, args("--batch-size", "5")...)
	require.Error(t, err)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Contains(t, err.Error(), "run it again to continue")
	assert.Equal(t, missing-20, countNull(t, conn))

	out, err = execute(t, args("--batch-size", "7")...)
	require.NoError(t, err)
	assert.Contains(t, out, fmt.Sprintf("embedded %d traces", missing-20))
	assert.Contains(t, out, "; 0 traces have no embedding")
	out, err = execute(t, args()...)
	require.NoError(t, err)
	assert.Contains(t, out, "embedded 0 traces", "nothing left: a run after the end does nothing")

	after, othersAfter := snapshot(t, conn)
	assert.Equal(t, othersBefore, othersAfter, "the other tables are not touched")
	require.Len(t, after, len(before))
	filled := 0
	for id, b := range before {
		a := after[id]
		assert.Equal(t, b.rest, a.rest, "trace %d: no column but embedding and updated_at changes", id)
		if b.embedding != "" {
			assert.Equal(t, b.embedding, a.embedding, "trace %d had an embedding: kept byte for byte", id)
			assert.Equal(t, b.updatedAt, a.updatedAt, "trace %d had an embedding: not updated at all", id)
			continue
		}
		filled++
		assert.NotEmpty(t, a.embedding, "trace %d", id)
		require.NotNil(t, a.updatedAt, "the schema's trigger stamps updated_at of filled traces")
		if b.updatedAt != nil {
			assert.False(t, a.updatedAt.Before(*b.updatedAt), "trace %d: updated_at never goes back", id)
		}
	}
	assert.Equal(t, missing, filled)

	// A filled embedding is the model's for the trace's documented text.
	w, err := postgres.OpenEmbedWriter(ctx, dsn, "")
	require.NoError(t, err)
	defer w.Close(ctx)
	var id int64
	var stored pgvector.Vector
	require.NoError(t, conn.QueryRow(ctx, `SELECT id, embedding FROM resource_action_traces WHERE id % 5 <> 0 ORDER BY id LIMIT 1`).Scan(&id, &stored))
	_, err = conn.Exec(ctx, `UPDATE resource_action_traces SET embedding = NULL WHERE id = $1`, id)
	require.NoError(t, err)
	again, err := w.NextUnembedded(ctx, 0, 1)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, testkit.BagOfWords(again[0].Text.Text(), 384), stored.Slice())
}

// apiGet and apiPost ask the served API and decode its JSON answer.
func apiGet(t *testing.T, base, path string, into any) {
	t.Helper()
	res, err := http.Get(base + path)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, path)
	require.NoError(t, json.NewDecoder(res.Body).Decode(into))
}

func apiPost(t *testing.T, base, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(base+"/api/v1/search/semantic", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return res.StatusCode, out
}

type apiIncident struct {
	ID                   int64   `json:"id"`
	Name                 string  `json:"name"`
	RemediationRequestID string  `json:"remediation_request_id"`
	Namespace            *string `json:"namespace"`
	TargetResource       string  `json:"target_resource"`
	TargetName           string  `json:"target_name"`
}

func TestEmbedMakesADatabaseWithoutEmbeddingsSearchable(t *testing.T) {
	dsn := seededDatabase(t)
	clearEnv(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE resource_action_traces SET embedding = NULL`)
	require.NoError(t, err)
	fake := &testkit.EmbeddingServer{}
	emb := httptest.NewServer(fake)
	defer emb.Close()

	cfg, err := loadConfig(flags(t, "--database-url", dsn, "--embedder-url", emb.URL, "--cache-enabled=false"))
	require.NoError(t, err)
	application, cleanup, err := contextapi.InitializeApp(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer cleanup()
	api := httptest.NewServer(application.Server)
	defer api.Close()

	var page struct {
		Incidents []apiIncident `json:"incidents"`
	}
	apiGet(t, api.URL, "/api/v1/incidents?limit=1", &page)
	require.Len(t, page.Incidents, 1)
	inc := page.Incidents[0]
	similarPath := fmt.Sprintf("/api/v1/incidents/%d/similar?threshold=0.3", inc.ID)
	recoveryPath := "/api/v1/context/remediation/" + url.PathEscape(inc.RemediationRequestID) + "?threshold=0.3"
	var similar struct {
		Incidents []apiIncident `json:"incidents"`
	}
	apiGet(t, api.URL, similarPath, &similar)
	assert.Empty(t, similar.Incidents, "without embeddings nothing is similar")

	_, err = execute(t, "embed", "--database-url", dsn, "--embedder-url", emb.URL, "--rate", "0")
	require.NoError(t, err)

	apiGet(t, api.URL, similarPath, &similar)
	assert.NotEmpty(t, similar.Incidents, "similar incidents once embedded")
	var recovery struct {
		SimilarIncidents []apiIncident `json:"similar_incidents"`
	}
	apiGet(t, api.URL, recoveryPath, &recovery)
	assert.NotEmpty(t, recovery.SimilarIncidents, "recovery context finds similar incidents once embedded")

	// A text query in the words of the incident's template finds incidents of its alert
	// first, and exactly what the vector the embedder gives for that text finds.
	query := fmt.Sprintf("Alert %s on %s %s", inc.Name, inc.TargetResource, inc.TargetName)
	status, byText := apiPost(t, api.URL, fmt.Sprintf(`{"query":%q,"threshold":0.3,"limit":5}`, query))
	require.Equal(t, http.StatusOK, status, byText)
	found := byText["incidents"].([]any)
	require.NotEmpty(t, found)
	assert.Equal(t, inc.Name, found[0].(map[string]any)["name"])
	vec, err := json.Marshal(testkit.BagOfWords(query, 384))
	require.NoError(t, err)
	status, byVector := apiPost(t, api.URL, fmt.Sprintf(`{"embedding":%s,"threshold":0.3,"limit":5}`, vec))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, byVector, byText)

	// The embedder gone: text queries are a 503, vector queries still answer.
	emb.Close()
	status, problem := apiPost(t, api.URL, `{"query":"disk full on node"}`)
	assert.Equal(t, http.StatusServiceUnavailable, status, problem)
	status, _ = apiPost(t, api.URL, fmt.Sprintf(`{"embedding":%s}`, vec))
	assert.Equal(t, http.StatusOK, status)
}

func TestEmbedUsageErrors(t *testing.T) {
	clearEnv(t)
	db := "postgres://u@127.0.0.1:1/db"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no embedder", []string{"embed", "--database-url", db}},
		{"no database", []string{"embed", "--embedder-url", "http://127.0.0.1:1"}},
		{"batch size 0", []string{"embed", "--database-url", db, "--embedder-url", "http://127.0.0.1:1", "--batch-size", "0"}},
		{"negative limit", []string{"embed", "--database-url", db, "--embedder-url", "http://127.0.0.1:1", "--limit", "-1"}},
		{"negative rate", []string{"embed", "--database-url", db, "--embedder-url", "http://127.0.0.1:1", "--rate", "-1"}},
		{"not a serve key", []string{"embed", "--database-url", db, "--embedder-cache-max-bytes", "1MiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, exitConfig, run(tc.args), "usage and configuration mistakes exit 2 before connecting")
		})
	}
}
