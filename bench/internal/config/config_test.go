package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

func TestParseSizes(t *testing.T) {
	tests := []struct {
		name, given string
		want        []Size
		wantErr     bool
	}{
		{name: "the three sizes", given: "10k,100k,1M", want: []Size{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}},
		{name: "spaces, case and duplicates", given: " 10K, 10000 ,2500", want: []Size{{"10k", 10_000}, {"2500", 2500}}},
		{name: "empty", given: " , ", wantErr: true},
		{name: "not a count", given: "1.5M", wantErr: true},
		{name: "too large", given: "11M", wantErr: true},
		{name: "zero", given: "0k", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSizes(tt.given)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTemplatesRejectsUnsafeNames(t *testing.T) {
	got, err := ParseTemplates("1M=bench1m")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"1M": "bench1m"}, got)
	for _, bad := range []string{"1M", "=x", "1M=Bench", `1M=a";drop`, "x=bench"} {
		_, err := ParseTemplates(bad)
		assert.Error(t, err, bad)
	}
}

func TestQuickDefaults(t *testing.T) {
	c, err := Parse([]string{"-quick", "-database-url", "postgres://x@h/db"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []Size{{"10k", 10_000}}, c.Sizes)
	assert.Equal(t, 3, c.Rounds)
	assert.Equal(t, GeneratorWrk, c.Generator, "saturation is measured with wrk unless -generator says otherwise")
	assert.Empty(t, c.JSONOut, "-quick writes no report unless asked")

	_, err = Parse([]string{"-generator", "ab", "-database-url", "postgres://x@h/db"}, nil)
	assert.Error(t, err)
}

func TestEfSearchIsTheServicesChoice(t *testing.T) {
	for _, rows := range []int64{0, 10_000, 100_000, 500_000, 500_001, 1_000_000, 10_000_000} {
		assert.Equal(t, postgres.EfSearchFor(rows), EfSearchFor(rows), "%d rows", rows)
	}
}
