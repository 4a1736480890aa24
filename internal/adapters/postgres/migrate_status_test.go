package postgres

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emptyDatabase creates a database without any migration applied.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	requireDatabase(t)
	name := pg.NewName()
	require.NoError(t, pg.Exec(t.Context(), "CREATE DATABASE "+name))
	t.Cleanup(func() { _ = pg.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return pg.URL(name)
}

func TestMigrateStatus(t *testing.T) {
	dsn := emptyDatabase(t)
	admin := connect(t, dsn)
	states, err := MigrateStatus(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	require.Len(t, states, 7)
	for _, s := range states {
		assert.False(t, s.Applied, s.Name)
	}
	assert.Equal(t, "000001_data_storage_tables.sql", states[0].Name)
	plan, err := MigrateDryRun(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Contains(t, plan, "\n-- 000001_data_storage_tables.sql\n")
	assert.Contains(t, plan, "CREATE TABLE IF NOT EXISTS resource_references (")
	assert.Contains(t, plan, "CREATE INDEX IF NOT EXISTS idx_rat_timeline ON ONLY resource_action_traces (action_timestamp DESC, id DESC)")
	assert.Empty(t, catalogueDump(t, admin), "status and dry run create nothing")

	applied, err := Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Len(t, applied, 7)
	states, err = MigrateStatus(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	for _, s := range states {
		assert.True(t, s.Applied, s.Name)
		assert.False(t, s.AppliedAt.IsZero(), s.Name)
	}
	plan, err = MigrateDryRun(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "-- nothing pending: the schema is up to date\n", plan)
}

// The dry run prints, for an index to build, the statements of every partition, and
// changes nothing.
func TestMigrateDryRunPlansEachPartition(t *testing.T) {
	dsn := newDatabase(t)
	admin := connect(t, dsn)
	execAll(t, admin, "DROP INDEX idx_rat_cluster_timeline")
	markPending(t, admin, 7)
	before := catalogueDump(t, admin)

	plan, err := MigrateDryRun(t.Context(), dsn, MigrateOptions{LockTimeout: 250e6})
	require.NoError(t, err)
	assert.Contains(t, plan, "\n-- 000007_environment_and_cluster_timelines.sql\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n")
	assert.Contains(t, plan, "BEGIN;\nSET LOCAL lock_timeout = '250ms';\n"+
		"CREATE INDEX IF NOT EXISTS idx_rat_cluster_timeline ON ONLY resource_action_traces (cluster_name, action_timestamp DESC, id DESC);\nCOMMIT;\n")
	parts := partitionNames(t, admin)
	require.NotEmpty(t, parts)
	for _, p := range parts {
		child := "idx_rat_cluster_timeline_" + suffix(p)
		assert.Contains(t, plan, "\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "+child+" ON "+p+" (cluster_name, action_timestamp DESC, id DESC);\n"+
			"BEGIN;\nSET LOCAL lock_timeout = '250ms';\nALTER INDEX idx_rat_cluster_timeline ATTACH PARTITION "+child+";\nCOMMIT;\n")
	}
	assert.NotContains(t, plan, "idx_rat_environment_timeline", "an index already there costs nothing")
	assert.NotContains(t, plan, "000006", "applied migrations are not planned")
	assert.Equal(t, before, catalogueDump(t, admin))
}

// The migration sessions read the password from database_password_file.
func TestMigrateReadsThePasswordFile(t *testing.T) {
	dsn := newDatabase(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	password, ok := u.User.Password()
	if !ok {
		t.Skip("the test database URL has no password")
	}
	u.User = url.User(u.User.Username())
	file := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(file, []byte(password+"\n"), 0o600))
	applied, err := Migrate(t.Context(), u.String(), MigrateOptions{PasswordFile: file})
	require.NoError(t, err)
	assert.Empty(t, applied)
	_, err = MigrateStatus(t.Context(), u.String(), MigrateOptions{PasswordFile: file})
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(file, []byte("not-the-password\n"), 0o600))
	_, err = Migrate(t.Context(), u.String(), MigrateOptions{PasswordFile: file})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "password authentication failed")
}
