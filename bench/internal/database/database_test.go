package database

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	tests := []struct{ name, given, want string }{
		{"url", "postgres://u:p@h:5432/app?sslmode=disable", "postgres://u:p@h:5432/contextapi_bench_10k?sslmode=disable"},
		{"dsn", "host=h user=u dbname=app", "host=h user=u dbname=contextapi_bench_10k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WithDatabase(tt.given, "contextapi_bench_10k")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWithSocketAndRedact(t *testing.T) {
	assert.Equal(t, "postgres://u:p@h/db?host=%2Frun%2Fpg", WithSocket("postgres://u:p@h/db", "/run/pg"))
	assert.Equal(t, "host=h host=/run/pg", WithSocket("host=h", "/run/pg"))
	assert.Equal(t, "postgres://u@h/db", Redact("postgres://u:secret@h/db"))
}
