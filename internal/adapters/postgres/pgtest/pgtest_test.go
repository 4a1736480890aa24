package pgtest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pg hands each test a database of its own; the template needs no schema.
var pg *Harness

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	pg, err = Start(func(context.Context, string) error { return nil })
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer pg.Close()
	return m.Run()
}

// TestThroughPooler connects through PgBouncer to a database of the harness and shows
// that the pooler rejects the startup parameters it does not track, as it does in
// production.
func TestThroughPooler(t *testing.T) {
	dsn := pg.NewDatabase(t)
	pooled := pg.ThroughPooler(t, dsn)
	direct, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)

	tests := []struct {
		name    string
		params  map[string]string
		wantErr string
	}{
		{name: "no startup parameters"},
		{name: "application_name is tracked", params: map[string]string{"application_name": "pgtest"}},
		{name: "statement_timeout is rejected", params: map[string]string{"statement_timeout": "5000"}, wantErr: "unsupported startup parameter: statement_timeout"},
		{name: "search_path is rejected", params: map[string]string{"search_path": "public"}, wantErr: "unsupported startup parameter: search_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cfg, err := pgx.ParseConfig(pooled)
			require.NoError(t, err)
			// In transaction pooling, a named prepared statement (pgx's default mode) may
			// be gone by the next transaction; an unnamed one lives within its own.
			cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
			for k, v := range tt.params {
				cfg.RuntimeParams[k] = v
			}

			conn, err := pgx.ConnectConfig(ctx, cfg)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				if err == nil {
					_ = conn.Close(ctx)
				}
				return
			}
			require.NoError(t, err)
			defer func() { _ = conn.Close(ctx) }()
			var got string
			require.NoError(t, conn.QueryRow(ctx, "SELECT current_database()").Scan(&got))
			assert.Equal(t, direct.Database, got)
		})
	}
}

func TestThroughPoolerURL(t *testing.T) {
	h := &Harness{
		admin:  "postgres://admin:secret@db.internal:5432/postgres?sslmode=require",
		pooler: "postgres://app:p%40ss@127.0.0.1:56432/contextapi?sslmode=disable",
	}
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{
			name: "URL",
			dsn:  "postgres://admin:secret@db.internal:5432/contextapi_tpl_1_2_3?sslmode=require",
			want: "postgres://app:p%40ss@127.0.0.1:56432/contextapi_tpl_1_2_3?sslmode=disable",
		},
		{
			name: "key=value DSN",
			dsn:  "host=db.internal user=admin password=secret dbname=contextapi_tpl_1_2_4",
			want: "postgres://app:p%40ss@127.0.0.1:56432/contextapi_tpl_1_2_4?sslmode=disable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, h.ThroughPooler(t, tt.dsn))
		})
	}
}

func TestThroughPoolerUnset(t *testing.T) {
	tests := []struct {
		name     string
		ci       string
		wantSkip bool
		wantFail bool
	}{
		{name: "outside CI it skips", ci: "", wantSkip: true},
		{name: "in CI it fails", ci: "true", wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			h := &Harness{admin: "postgres://admin:secret@db.internal:5432/postgres"}
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				h.ThroughPooler(rec, "postgres://admin:secret@db.internal:5432/x")
			}()
			<-done
			assert.Equal(t, tt.wantSkip, rec.skipped, "skipped")
			assert.Equal(t, tt.wantFail, rec.failed, "failed")
			assert.Contains(t, rec.msg, EnvPoolerURL)
			assert.False(t, h.PoolerAvailable())
		})
	}
}

// recorder notes whether a test would skip or fail; like testing.T's, its Skip and
// Fatal end the calling goroutine.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
