package postgres

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the SQL golden files")

// dryRun returns a repository that renders SQL without a database.
func dryRun(t *testing.T) *Repository {
	t.Helper()
	cfg, err := parseDSN("postgres://nobody@127.0.0.1:1/none")
	require.NoError(t, err)
	repo, err := newRepository(stdlib.OpenDB(*cfg), nil, true)
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	return repo
}

// render shows a statement and its arguments the way a reviewer reads them.
func render(stmt *gorm.Statement) string {
	var b strings.Builder
	b.WriteString(stmt.SQL.String())
	b.WriteString("\n-- args:")
	for _, v := range stmt.Vars {
		switch x := v.(type) {
		case time.Time:
			fmt.Fprintf(&b, " %s", x.Format(time.RFC3339Nano))
		default:
			s := fmt.Sprintf("%v", x)
			if len(s) > 40 {
				s = s[:40] + "…"
			}
			fmt.Fprintf(&b, " %q", s)
		}
	}
	return b.String() + "\n"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "sql", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestSQLShape -update to create it")
	assert.Equal(t, string(want), got)
}

var (
	t0 = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	t1 = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
)

// injection is a value that must only ever travel as an argument.
const injection = "default'; DROP TABLE resource_action_traces;--"

func TestSQLShape(t *testing.T) {
	repo := dryRun(t)
	ctx := t.Context()
	full := domain.Filter{
		Namespaces: []string{injection}, ClusterNames: []string{"a", "b"}, Environments: []string{"production"},
		ActionTypes: []string{"restart_pod"}, Severities: []string{"critical"}, Statuses: []string{"failed"},
		Names: []string{"HighMemoryUsage"}, AlertFingerprints: []string{"fp"}, RemediationRequestIDs: []string{"rr"},
		TargetKinds: []string{"deployment"}, TargetNames: []string{"api"}, Since: &t0, Until: &t1,
	}
	cases := map[string]*gorm.DB{
		"list_default": repo.pageQuery(repo.session(ctx), domain.ListQuery{Limit: 10}, incidentColumns).Find(&[]incidentRecord{}),
		"list_every_filter": repo.pageQuery(repo.session(ctx),
			domain.ListQuery{Filter: full, Limit: 50, Offset: 10}, incidentColumns).Find(&[]incidentRecord{}),
		"list_cursor": repo.pageQuery(repo.session(ctx),
			domain.ListQuery{Limit: 10, After: &domain.Cursor{StartTime: t0, ID: 42}}, incidentColumns+embeddingColumn).Find(&[]incidentRecord{}),
		"list_phases": repo.pageQuery(repo.session(ctx),
			domain.ListQuery{Filter: domain.Filter{Namespaces: []string{"prod"}, Phases: []domain.Phase{domain.PhasePending, domain.PhaseFailed}}, Limit: 10}, incidentColumns).Find(&[]incidentRecord{}),
		"list_phase_completed": repo.pageQuery(repo.session(ctx),
			domain.ListQuery{Filter: domain.Filter{Phases: []domain.Phase{domain.PhaseCompleted}}, Limit: 10}, incidentColumns).Find(&[]incidentRecord{}),
		"count_every_filter": repo.countQuery(repo.session(ctx), full).Select("COUNT(*)").Find(&[]int64{}),
		"count_traces_only": repo.countQuery(repo.session(ctx),
			domain.Filter{Severities: []string{"critical"}, Since: &t0}).Select("COUNT(*)").Find(&[]int64{}),
	}
	for name, db := range cases {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, db.Error)
			sql := db.Statement.SQL.String()
			assert.NotContains(t, sql, "DROP TABLE", "values travel as arguments only")
			golden(t, name, render(db.Statement))
		})
	}
}

func TestSQLShapeOfIDsAndPlaceholders(t *testing.T) {
	repo := dryRun(t)
	db := repo.pageQuery(repo.session(t.Context()),
		domain.ListQuery{Filter: domain.Filter{Namespaces: []string{injection}, Severities: []string{"critical' OR '1'='1"}}, Limit: 10},
		incidentColumns).Find(&[]incidentRecord{})
	require.NoError(t, db.Error)
	assert.Contains(t, db.Statement.SQL.String(), "rr.namespace = $1")
	assert.Contains(t, db.Statement.SQL.String(), "rat.alert_severity = $2")
	assert.Equal(t, []any{injection, "critical' OR '1'='1"}, db.Statement.Vars[:2])
	assert.Contains(t, db.Statement.SQL.String(), "ORDER BY rat.action_timestamp DESC, rat.id DESC LIMIT $3")
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
