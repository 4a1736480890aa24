package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
)

// emptyDatabase returns the URL of a database of the test's own without any migration
// applied (see pgtest; skipped without CONTEXTAPI_TEST_DATABASE_URL outside CI).
func emptyDatabase(t *testing.T) string {
	t.Helper()
	h, err := pgtest.Start(func(context.Context, string) error { return nil })
	require.NoError(t, err)
	t.Cleanup(h.Close)
	return h.NewDatabase(t)
}

// execute runs the command line and returns its stdout.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCommand()
	root.SetOut(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestMigrateStatusAndDryRun(t *testing.T) {
	dsn := emptyDatabase(t) // before clearEnv, which unsets the harness's variable too
	clearEnv(t)
	db := []string{"--database-url", dsn}

	out, err := execute(t, append([]string{"migrate", "--status"}, db...)...)
	var status exitStatus
	require.ErrorAs(t, err, &status)
	assert.Equal(t, exitStatus(1), status)
	assert.Equal(t, 7, strings.Count(out, "pending  0"), out)
	assert.Contains(t, out, "pending  000001_data_storage_tables.sql\n")
	out, err = execute(t, append([]string{"migrate", "--dry-run"}, db...)...)
	require.NoError(t, err)
	assert.Contains(t, out, "\n-- 000007_environment_and_cluster_timelines.sql\n")

	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"status with migrations pending", []string{"migrate", "--status"}, 1},
		{"status and dry-run together", []string{"migrate", "--status", "--dry-run"}, 2},
		{"migrate", []string{"migrate"}, 0},
		{"status with nothing pending", []string{"migrate", "--status"}, 0},
		{"dry run", []string{"migrate", "--dry-run"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, run(append(tc.args, db...)))
		})
	}

	out, err = execute(t, append([]string{"migrate", "--status"}, db...)...)
	require.NoError(t, err)
	assert.Equal(t, 7, strings.Count(out, "applied  0"), out)
	out, err = execute(t, append([]string{"migrate", "--dry-run"}, db...)...)
	require.NoError(t, err)
	assert.Equal(t, "-- nothing pending: the schema is up to date\n", out)
	out, err = execute(t, append([]string{"migrate"}, db...)...)
	require.NoError(t, err)
	assert.Equal(t, "schema is up to date: no migration applied\n", out)
}

func TestMigrateUsageErrors(t *testing.T) {
	clearEnv(t)
	assert.Equal(t, 2, run([]string{"migrate", "--status", "--dry-run", "--database-url", "postgres://u@127.0.0.1:1/x"}))
	assert.Equal(t, 2, run([]string{"migrate", "--lock-timeout", "0s", "--database-url", "postgres://u@127.0.0.1:1/x"}))
	assert.Equal(t, 2, run([]string{"migrate", "--lock-retries", "-1", "--database-url", "postgres://u@127.0.0.1:1/x"}))
	assert.Equal(t, 2, run([]string{"migrate", "--status"}), "migrate needs a database")
}
