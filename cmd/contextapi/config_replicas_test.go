package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
)

func TestReplicaConfiguration(t *testing.T) {
	const primary = "postgres://u:secret@db:5432/ds"
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		yaml   string
		want   []string
		maxLag time.Duration
	}{
		{name: "none by default", args: []string{"--database-url", primary}, maxLag: 10 * time.Second},
		{name: "a flag, comma-separated", args: []string{"--database-url", primary,
			"--database-replica-urls", "postgres://u:secret@r1:5432/ds, postgres://u:secret@r2:5432/ds", "--max-replica-lag", "2s"},
			want: []string{"postgres://u:secret@r1:5432/ds", "postgres://u:secret@r2:5432/ds"}, maxLag: 2 * time.Second},
		{name: "the variable", env: map[string]string{"CONTEXTAPI_DATABASE_URL": primary,
			"CONTEXTAPI_DATABASE_REPLICA_URLS": "host=r1 dbname=ds,host=r2 dbname=ds"},
			want: []string{"host=r1 dbname=ds", "host=r2 dbname=ds"}, maxLag: 10 * time.Second},
		{name: "a YAML list", yaml: "database_url: " + primary + "\ndatabase_replica_urls:\n  - postgres://u@r1/ds\n  - postgres://u@r2/ds\n",
			want: []string{"postgres://u@r1/ds", "postgres://u@r2/ds"}, maxLag: 10 * time.Second},
		{name: "a YAML string", yaml: "database_url: " + primary + "\ndatabase_replica_urls: postgres://u@r1/ds,postgres://u@r2/ds\n",
			want: []string{"postgres://u@r1/ds", "postgres://u@r2/ds"}, maxLag: 10 * time.Second},
		{name: "a multi-host URL keeps its commas", args: []string{"--database-url", primary,
			"--database-replica-urls", "postgres://u@r1:5432,r2:5432/ds?target_session_attrs=any,postgres://u@r3/ds"},
			want: []string{"postgres://u@r1:5432,r2:5432/ds?target_session_attrs=any", "postgres://u@r3/ds"}, maxLag: 10 * time.Second},
		{name: "empty pieces are ignored", args: []string{"--database-url", primary, "--database-replica-urls", " , postgres://u@r1/ds ,"},
			want: []string{"postgres://u@r1/ds"}, maxLag: 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := tt.args
			if tt.yaml != "" {
				args = append(args, "--config", writeYAML(t, tt.yaml))
			}
			cfg, err := loadConfig(flags(t, args...))
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Replicas.URLs)
			assert.Equal(t, tt.maxLag, cfg.Replicas.MaxLag)
			assert.NotContains(t, cfg.Replicas.Describe(), "secret", "the description never holds a password")
		})
	}
}

func TestInvalidReplicaConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		key  string // database_replica_urls when empty
	}{
		{name: "without a primary", args: []string{"--database-replica-urls", "postgres://u@r1/ds"}},
		{name: "with the demo data", args: []string{"--demo", "--database-replica-urls", "postgres://u@r1/ds"}},
		{name: "not a DSN", args: []string{"--database-url", "postgres://u@db/ds", "--database-replica-urls", "postgres://u:pw@[::1"}},
		{name: "twice the same", args: []string{"--database-url", "postgres://u@db/ds", "--database-replica-urls", "postgres://u@r1/ds,postgres://u@r1/ds"}},
		{name: "a lag bound too small", args: []string{"--database-url", "postgres://u@db/ds", "--max-replica-lag", "1ms"}, key: "max_replica_lag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			_, err := loadConfig(flags(t, tt.args...))
			var cfgErr *contextapi.ConfigError
			require.ErrorAs(t, err, &cfgErr)
			want := tt.key
			if want == "" {
				want = "database_replica_urls"
			}
			assert.Equal(t, want, cfgErr.Key)
			assert.NotContains(t, err.Error(), "pw@", "secrets never appear in messages")
		})
	}
}
