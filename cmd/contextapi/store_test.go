package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
)

// TestWhatServeReads: demo data only when no database is configured (outside
// Kubernetes) or when asked for, never in place of a configured database.
func TestWhatServeReads(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    contextapi.Store
		wantKey string // a ConfigError naming this key instead
	}{
		{name: "nothing configured, on a laptop", want: contextapi.StoreDemo},
		{name: "nothing configured, in a pod", env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, wantKey: "database_url"},
		{name: "a misspelt setting in a pod", env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "CONTEXTAPI_DATABASE_ULR": "postgres://x@db/y"}, wantKey: "database_url"},
		{name: "demo asked for in a pod", args: []string{"--demo"}, env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, want: contextapi.StoreDemo},
		{name: "demo asked for in the environment", env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1", "CONTEXTAPI_DEMO": "true"}, want: contextapi.StoreDemo},
		{name: "a URL", args: []string{"--database-url", "postgres://u@db/x"}, env: map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, want: contextapi.StorePostgreSQL},
		{name: "libpq variables only", env: map[string]string{"PGHOST": "db.kubernaut-system", "PGPORT": "5432", "PGDATABASE": "action_history", "PGUSER": "slm_user"}, want: contextapi.StorePostgreSQL},
		{name: "demo and a database", args: []string{"--demo", "--database-url", "postgres://u@db/x"}, wantKey: "demo"},
		{name: "demo and libpq variables", args: []string{"--demo"}, env: map[string]string{"PGHOST": "db"}, wantKey: "demo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			fs := flags(t, tc.args...)
			cfg, err := loadConfig(fs)
			require.NoError(t, err)
			store, err := cfg.Store()
			if tc.wantKey != "" {
				var cfgErr *contextapi.ConfigError
				require.ErrorAs(t, err, &cfgErr)
				assert.Equal(t, tc.wantKey, cfgErr.Key)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, store)
		})
	}
}

func TestARefusedDemoSaysWhy(t *testing.T) {
	clearEnv(t)
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
	t.Setenv("CONTEXTAPI_DATABASE_ULR", "postgres://x@db/y")
	t.Setenv("CONTEXTAPI_SERVICE_HOST", "10.96.4.2") // a Service link Kubernetes injects, not a typo
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"CONTEXTAPI_DATABASE_ULR"}, cfg.Unrecognised)
	_, err = cfg.Store()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "KUBERNETES_SERVICE_HOST")
	assert.Contains(t, err.Error(), "--demo")
	assert.Contains(t, err.Error(), "CONTEXTAPI_DATABASE_ULR", "the likely typo is named")
	assert.Equal(t, 2, run([]string{"serve"}), "exit status 2")
}

func TestLibpqVariablesAndPasswordFile(t *testing.T) {
	clearEnv(t)
	pw := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret\n"), 0o600))
	t.Setenv("PGHOST", "/var/run/postgresql")
	t.Setenv("PGDATABASE", "action_history")
	cfg, err := loadConfig(flags(t, "--database-password-file", pw))
	require.NoError(t, err)
	assert.Empty(t, cfg.DatabaseURL)
	assert.Equal(t, []string{"PGHOST", "PGDATABASE"}, cfg.LibpqVariables)
	assert.True(t, cfg.HasDatabase())
	assert.Equal(t, pw, cfg.DatabasePasswordFile)

	t.Setenv("CONTEXTAPI_DATABASE_URL", "postgres://u@db/x")
	cfg, err = loadConfig(flags(t))
	require.NoError(t, err)
	assert.Empty(t, cfg.LibpqVariables, "a URL wins over the PG* variables")
	assert.Equal(t, "database_url", cfg.DatabaseSource())
}
