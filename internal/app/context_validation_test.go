package app

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestRecoveryContextValidation(t *testing.T) {
	tests := []struct {
		name  string
		rrid  string
		given Params
		field string
	}{
		{"limit zero", "rr", Params{"limit": {"0"}}, "limit"},
		{"limit above 50", "rr", Params{"limit": {"51"}}, "limit"},
		{"limit not a number", "rr", Params{"limit": {"ten"}}, "limit"},
		{"threshold above 1", "rr", Params{"threshold": {"1.5"}}, "threshold"},
		{"threshold negative", "rr", Params{"threshold": {"-0.01"}}, "threshold"},
		{"threshold NaN", "rr", Params{"threshold": {"NaN"}}, "threshold"},
		{"min_samples zero", "rr", Params{"min_samples": {"0"}}, "min_samples"},
		{"min_samples above 1000", "rr", Params{"min_samples": {"1001"}}, "min_samples"},
		{"min_samples a fraction", "rr", Params{"min_samples": {"2.5"}}, "min_samples"},
		{"min_samples twice", "rr", Params{"min_samples": {"2", "3"}}, "min_samples"},
		{"unknown parameter", "rr", Params{"minSamples": {"3"}}, "minSamples"},
		{"include is not taken", "rr", Params{"include": {"embedding"}}, "include"},
		{"filters are not taken", "rr", Params{"namespace": {"prod"}}, "namespace"},
		{"id over 256 bytes", strings.Repeat("r", 257), nil, "remediation_request_id"},
		{"id not UTF-8", "rr-\xff", nil, "remediation_request_id"},
		{"id with NUL", "rr\x00", nil, "remediation_request_id"},
		{"empty id", "", nil, "remediation_request_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &recordingRepo{}
			_, _, err := newTestService(repo).RecoveryContext(context.Background(), tc.rrid, tc.given)
			requireFieldError(t, err, tc.field)
			assert.Empty(t, repo.lists, "an invalid request must not reach the repository")
			assert.Empty(t, repo.searches)
		})
	}
	t.Run("a 256-byte id is fine", func(t *testing.T) {
		_, _, err := newTestService(&recordingRepo{}).RecoveryContext(context.Background(), strings.Repeat("r", 256), nil)
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestRecoveryContextQueries(t *testing.T) {
	repo := &recordingRepo{page: domain.IncidentPage{Incidents: []domain.IncidentEvent{{ID: 7, Name: "X"}}}}
	_, _, err := newTestService(repo).RecoveryContext(context.Background(), "rr-1", Params{"min_samples": {"1000"}})
	require.NoError(t, err)
	require.Len(t, repo.lists, 2)
	assert.Equal(t, domain.ListQuery{Filter: domain.Filter{RemediationRequestIDs: []string{"rr-1"}}, Limit: 1, IncludeEmbedding: true}, repo.lists[0])
	assert.Equal(t, domain.Filter{Names: []string{"X"}, TargetKinds: []string{""}, TargetNames: []string{""}, NullNamespace: true},
		repo.lists[1].Filter, "no fingerprint, no namespace")
	assert.Equal(t, 201, repo.lists[1].Limit)
	assert.Empty(t, repo.searches, "no embedding, no search")
}

func TestHistoricalContextValidation(t *testing.T) {
	object := func() Params {
		return Params{"namespace": {"shop"}, "targetType": {"Deployment"}, "targetName": {"api"}}
	}
	with := func(k string, v ...string) Params {
		p := object()
		p[k] = v
		return p
	}
	without := func(k string) Params {
		p := object()
		delete(p, k)
		return p
	}
	tests := []struct {
		name  string
		given Params
		field string
	}{
		{"namespace missing", without("namespace"), "namespace"},
		{"targetType missing", without("targetType"), "targetType"},
		{"targetName missing", without("targetName"), "targetName"},
		{"targetType empty", with("targetType", ""), "targetType"},
		{"targetName empty", with("targetName", ""), "targetName"},
		{"targetName twice", with("targetName", "a", "b"), "targetName"},
		{"namespace over 256 bytes", with("namespace", strings.Repeat("n", 257)), "namespace"},
		{"targetName with NUL", with("targetName", "a\x00"), "targetName"},
		{"targetType not UTF-8", with("targetType", "\xff"), "targetType"},
		{"timeRange in weeks", with("timeRange", "4w"), "timeRange"},
		{"timeRange without unit", with("timeRange", "30"), "timeRange"},
		{"timeRange zero", with("timeRange", "0d"), "timeRange"},
		{"timeRange over a year", with("timeRange", "366d"), "timeRange"},
		{"timeRange over a year in hours", with("timeRange", "8761h"), "timeRange"},
		{"timeRange negative", with("timeRange", "-1d"), "timeRange"},
		{"timeRange with a sign", with("timeRange", "+1d"), "timeRange"},
		{"timeRange empty", with("timeRange", ""), "timeRange"},
		{"timeRange huge", with("timeRange", "99999999999999999999d"), "timeRange"},
		{"includeEmbeddings other", with("includeEmbeddings", "yes"), "includeEmbeddings"},
		{"includeEmbeddings capitalised", with("includeEmbeddings", "True"), "includeEmbeddings"},
		{"signalType with NUL", with("signalType", "prometheus\x00"), "signalType"},
		{"snake_case is not upstream's", with("target_type", "Deployment"), "target_type"},
		{"limit is not taken", with("limit", "5"), "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := &recordingRepo{}
			_, _, err := newTestService(repo).HistoricalContext(context.Background(), tc.given)
			requireFieldError(t, err, tc.field)
			assert.Empty(t, repo.aggregates, "an invalid request must not reach the repository")
		})
	}
	t.Run("every missing parameter is named", func(t *testing.T) {
		_, _, err := newTestService(&recordingRepo{}).HistoricalContext(context.Background(), nil)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []domain.FieldError{
			{Field: "namespace", Reason: "is required"}, {Field: "targetType", Reason: "is required"},
			{Field: "targetName", Reason: "is required"},
		}, ve.Fields)
	})
}

func TestHistoricalContextQueries(t *testing.T) {
	for _, tc := range []struct {
		timeRange string
		want      string // since: testNow (15:04:05) less the range, down to the minute
	}{
		{"", "2026-02-08T15:04:00Z"}, {"30d", "2026-02-08T15:04:00Z"}, {"365d", "2025-03-10T15:04:00Z"},
		{"8760h", "2025-03-10T15:04:00Z"}, {"1h", "2026-03-10T14:04:00Z"}, {"007d", "2026-03-03T15:04:00Z"},
	} {
		t.Run("timeRange "+tc.timeRange, func(t *testing.T) {
			repo := &recordingRepo{}
			p := Params{"namespace": {"shop"}, "targetType": {"Deployment"}, "targetName": {"api"}, "signalType": {"prometheus"}}
			if tc.timeRange != "" {
				p["timeRange"] = []string{tc.timeRange}
			}
			_, _, err := newTestService(repo).HistoricalContext(context.Background(), p)
			require.ErrorIs(t, err, domain.ErrNotFound, "the recording repository has no groups")
			require.Len(t, repo.aggregates, 1)
			f := repo.aggregates[0].Filter
			assert.Equal(t, tc.want, f.Since.Format("2006-01-02T15:04:05Z07:00"))
			assert.Equal(t, []string{"shop"}, f.Namespaces)
			assert.Equal(t, []string{"deployment"}, f.TargetKinds, "kinds compare in lower case")
			assert.Equal(t, []string{"api"}, f.TargetNames)
			assert.Nil(t, f.Until)
		})
	}
}
