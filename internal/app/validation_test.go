package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// requireFieldError asserts err is a validation error naming field.
func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, domain.ErrInvalidArgument)
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve), "want *domain.ValidationError, got %T", err)
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	assert.Contains(t, fields, field)
}

func TestListValidation(t *testing.T) {
	valid := NewCursorCodec([]byte("k")).Encode(domain.Cursor{StartTime: testNow, ID: 7})
	tampered := []byte(valid)
	tampered[3] ^= 1
	long := strings.Repeat("a", 257)
	tests := []struct {
		name  string
		given Params
		field string
	}{
		{"limit zero", Params{"limit": {"0"}}, "limit"},
		{"limit above 100", Params{"limit": {"101"}}, "limit"},
		{"limit 999", Params{"limit": {"999"}}, "limit"},
		{"limit not a number", Params{"limit": {"ten"}}, "limit"},
		{"limit with spaces", Params{"limit": {" 5"}}, "limit"},
		{"limit with a sign", Params{"limit": {"+5"}}, "limit"},
		{"limit empty", Params{"limit": {""}}, "limit"},
		{"limit twice", Params{"limit": {"5", "6"}}, "limit"},
		{"limit overflow", Params{"limit": {"99999999999999999999"}}, "limit"},
		{"negative offset", Params{"offset": {"-1"}}, "offset"},
		{"offset above 10000", Params{"offset": {"10001"}}, "offset"},
		{"cursor with offset", Params{"cursor": {valid}, "offset": {"0"}}, "cursor"},
		{"tampered cursor", Params{"cursor": {string(tampered)}}, "cursor"},
		{"garbage cursor", Params{"cursor": {"!!!"}}, "cursor"},
		{"empty cursor", Params{"cursor": {""}}, "cursor"},
		{"unknown parameter", Params{"namespce": {"x"}}, "namespce"},
		{"include other value", Params{"include": {"everything"}}, "include"},
		{"bad environment", Params{"environment": {"prod"}}, "environment"},
		{"bad phase", Params{"phase": {"executing"}}, "phase"},
		{"one bad phase among good", Params{"phase": {"failed", "done"}}, "phase"},
		{"since not RFC 3339", Params{"since": {"2026-01-01"}}, "since"},
		{"until not RFC 3339", Params{"until": {"yesterday"}}, "until"},
		{"since after until", Params{"since": {"2026-02-01T00:00:00Z"}, "until": {"2026-01-01T00:00:00Z"}}, "since"},
		{"since twice", Params{"since": {"2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"}}, "since"},
		{"value over 256 bytes", Params{"namespace": {long}}, "namespace"},
		{"invalid UTF-8", Params{"cluster_name": {"\xff"}}, "cluster_name"},
		{"NUL byte", Params{"name": {"a\x00b"}}, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &recordingRepo{}
			_, _, err := newTestService(repo).ListIncidents(context.Background(), tc.given)
			requireFieldError(t, err, tc.field)
			assert.Empty(t, repo.lists, "an invalid request must not reach the repository")
		})
	}
}

func TestListValidationReportsEveryField(t *testing.T) {
	_, _, err := newTestService(&recordingRepo{}).ListIncidents(context.Background(),
		Params{"limit": {"0"}, "offset": {"-3"}, "phase": {"x"}})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Fields, 3)
}

func TestGetAndSimilarValidation(t *testing.T) {
	ids := []string{"abc", "0", "-1", "+1", "1.5", "", "99999999999999999999", "0x10", " 1"}
	for _, id := range ids {
		t.Run("get id "+id, func(t *testing.T) {
			_, _, err := newTestService(&recordingRepo{}).GetIncident(context.Background(), id, nil)
			requireFieldError(t, err, "id")
		})
		t.Run("similar id "+id, func(t *testing.T) {
			_, _, err := newTestService(&recordingRepo{}).SimilarIncidents(context.Background(), id, nil)
			requireFieldError(t, err, "id")
		})
	}
	similar := []struct {
		name  string
		given Params
		field string
	}{
		{"limit above 50", Params{"limit": {"51"}}, "limit"},
		{"limit zero", Params{"limit": {"0"}}, "limit"},
		{"threshold above 1", Params{"threshold": {"1.01"}}, "threshold"},
		{"threshold negative", Params{"threshold": {"-0.1"}}, "threshold"},
		{"threshold NaN", Params{"threshold": {"NaN"}}, "threshold"},
		{"threshold text", Params{"threshold": {"high"}}, "threshold"},
		{"offset is not taken", Params{"offset": {"1"}}, "offset"},
		{"bad filter", Params{"environment": {"qa"}}, "environment"},
		{"include other value", Params{"include": {"all"}}, "include"},
	}
	for _, tc := range similar {
		t.Run("similar "+tc.name, func(t *testing.T) {
			_, _, err := newTestService(&recordingRepo{}).SimilarIncidents(context.Background(), "1", tc.given)
			requireFieldError(t, err, tc.field)
		})
	}
	_, _, err := newTestService(&recordingRepo{}).GetIncident(context.Background(), "1", Params{"limit": {"1"}})
	requireFieldError(t, err, "limit")
}

func TestSemanticSearchValidation(t *testing.T) {
	short := make([]float64, 383)
	short[0] = 1
	zero := make([]float64, domain.EmbeddingDimensions)
	tooBig := unitVector()
	tooBig[5] = 1e39 // finite as float64, infinite as float32
	tests := []struct {
		name  string
		given SemanticRequest
		field string
	}{
		{"missing embedding", SemanticRequest{}, "embedding"},
		{"wrong length", SemanticRequest{Embedding: short}, "embedding"},
		{"zero vector", SemanticRequest{Embedding: zero}, "embedding"},
		{"beyond float32", SemanticRequest{Embedding: tooBig}, "embedding"},
		{"limit zero", SemanticRequest{Embedding: unitVector(), Limit: ptr(0)}, "limit"},
		{"limit above 50", SemanticRequest{Embedding: unitVector(), Limit: ptr(51)}, "limit"},
		{"threshold above 1", SemanticRequest{Embedding: unitVector(), Threshold: ptr(1.5)}, "threshold"},
		{"unknown filter", SemanticRequest{Embedding: unitVector(), Filters: Params{"colour": {"red"}}}, "filters.colour"},
		{"paging is not a filter", SemanticRequest{Embedding: unitVector(), Filters: Params{"limit": {"3"}}}, "filters.limit"},
		{"bad phase filter", SemanticRequest{Embedding: unitVector(), Filters: Params{"phase": {"x"}}}, "filters.phase"},
		{"since after until", SemanticRequest{Embedding: unitVector(), Filters: Params{
			"since": {"2026-02-01T00:00:00Z"}, "until": {"2026-01-01T00:00:00Z"}}}, "filters.since"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &recordingRepo{}
			_, _, err := newTestService(repo).SemanticSearch(context.Background(), tc.given)
			requireFieldError(t, err, tc.field)
			assert.Empty(t, repo.searches)
		})
	}
}

func TestAggregationValidation(t *testing.T) {
	svc := newTestService(&recordingRepo{})
	ctx := context.Background()
	calls := map[string]func(Params) error{
		"success-rate": func(p Params) error { _, _, err := svc.SuccessRate(ctx, p); return err },
		"namespaces":   func(p Params) error { _, _, err := svc.Namespaces(ctx, p); return err },
		"severity":     func(p Params) error { _, _, err := svc.Severity(ctx, p); return err },
		"trend":        func(p Params) error { _, _, err := svc.Trend(ctx, p); return err },
	}
	for name, call := range calls {
		t.Run(name+" unknown parameter", func(t *testing.T) {
			requireFieldError(t, call(Params{"limit": {"5"}}), "limit")
		})
		t.Run(name+" bad environment", func(t *testing.T) {
			requireFieldError(t, call(Params{"environment": {"live"}}), "environment")
		})
	}
	for _, days := range []string{"0", "366", "-1", "x", "1.5"} {
		t.Run("trend days "+days, func(t *testing.T) {
			requireFieldError(t, calls["trend"](Params{"days": {days}}), "days")
		})
	}
	requireFieldError(t, calls["success-rate"](Params{"days": {"5"}}), "days")
}
