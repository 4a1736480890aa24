package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// The query features the context use cases rely on: the NULL-namespace filter, leaving
// one object out of a search, and grouping by alert, environment and cluster.
func (s *suite) testContext(t *testing.T) {
	webapp := &domain.ObjectRef{Namespace: ptr("production"), Kind: "deployment", Name: "webapp"}

	t.Run("filter", func(t *testing.T) {
		tests := []struct {
			name   string
			filter domain.Filter
			want   []int64
		}{
			{"NULL namespace", domain.Filter{NullNamespace: true}, []int64{16}},
			{"NULL namespace and alert", domain.Filter{NullNamespace: true, Names: []string{"KubeletDown"}}, []int64{16}},
			{"NULL namespace and a namespace exclude each other", domain.Filter{NullNamespace: true, Namespaces: []string{"production"}}, []int64{}},
			{"NULL namespace and another kind", domain.Filter{NullNamespace: true, TargetKinds: []string{"deployment"}}, []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page := s.list(t, domain.ListQuery{Filter: tt.filter, Limit: 100})
				assert.Equal(t, tt.want, ids(page.Incidents))
				assert.EqualValues(t, len(tt.want), page.Total)
			})
		}
	})

	t.Run("search without an object", func(t *testing.T) {
		tests := []struct {
			name           string
			query          domain.SemanticQuery
			want           []int64
			wantSimilarity []float64
		}{
			{"leaves out the object's incidents, kind compared in lower case",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.9, ExcludeObject: webapp},
				[]int64{23}, []float64{0.96583}},
			{"the same name in another namespace is another object",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.9,
					ExcludeObject: &domain.ObjectRef{Namespace: ptr("staging"), Kind: "deployment", Name: "webapp"}},
				[]int64{1, 13, 21, 23}, []float64{0.99602, 0.98437, 0.97590, 0.96583}},
			{"a NULL namespace is not any namespace",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyNode), Limit: 10, Threshold: 0.9,
					ExcludeObject: &domain.ObjectRef{Kind: "node", Name: "worker-01"}},
				[]int64{3, 14, 18}, []float64{0.99602, 0.98437, 0.96583}},
			{"every member on one object",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyDeploy), Limit: 10, Threshold: 0.9,
					ExcludeObject: &domain.ObjectRef{Namespace: ptr("production"), Kind: "deployment", Name: "api-service"}},
				[]int64{}, []float64{}},
			{"the exclusion applies before the limit",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 2, Threshold: 0.1, ExcludeObject: webapp},
				[]int64{23, 2}, []float64{0.96583, 0.19980}},
			{"with excluded ids too",
				domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 1, Threshold: 0.1, ExcludeObject: webapp, ExcludeIDs: []int64{23}},
				[]int64{2}, []float64{0.19980}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { assertSearch(t, s.repo, tt.query, tt.want, tt.wantSimilarity) })
		}
	})

	t.Run("aggregate", func(t *testing.T) {
		by := func(d ...domain.Dimension) []domain.Dimension { return d }
		tests := []struct {
			name   string
			filter domain.Filter
			by     []domain.Dimension
			want   map[string]counts
		}{
			{"by alert", domain.Filter{}, by(domain.DimName), map[string]counts{
				"HighMemoryUsage": {3, 920000, 3}, "PodCrashLoop": {2, 210000, 2}, "NodeDiskPressure": {2, 180000, 2},
				"DeploymentFailure": {3, 420000, 3}, "ServiceUnavailable": {1, 45000, 1},
				"DatabaseConnectionPoolExhaustion": {1, 240000, 1}, "APIRateLimitExceeded": {1, 180000, 1},
				"ImagePullBackOff": {1, 120000, 1}, "PrometheusDown": {1, 150000, 1}, "LogstashDown": {1, 200000, 1},
				"HighCPUUsage": {3, 790000, 3}, "NodeNotReady": {1, 0, 0}, "PersistentVolumeClaimPending": {1, 0, 0},
				"KubeletDown": {1, 0, 0}, "CertificateExpiry": {1, 0, 0}, "HighMemory-🚀": {1, 150000, 1},
				"PodOOMKilled": {1, 0, 0},
			}},
			{"by environment", domain.Filter{}, by(domain.DimEnvironment), map[string]counts{
				"production": {18, 2705000, 14}, "staging": {3, 600000, 3}, "development": {2, 270000, 2},
				"test": {1, 30000, 1}, "NULL": {1, 0, 0},
			}},
			{"by cluster", domain.Filter{}, by(domain.DimCluster), map[string]counts{
				"prod-us-east-1": {13, 2240000, 10}, "prod-us-west-2": {4, 465000, 4}, "staging-us-east-1": {3, 600000, 3},
				"dev-local": {1, 120000, 1}, "test-cluster": {1, 30000, 1}, "prod-eu-west-1": {1, 0, 0},
				"prod-ap-east-1": {1, 150000, 1}, "NULL": {1, 0, 0},
			}},
			{"one object by alert, environment, cluster, action and status",
				domain.Filter{Namespaces: []string{"production"}, TargetKinds: []string{"deployment"}, TargetNames: []string{"webapp"}},
				by(domain.DimName, domain.DimEnvironment, domain.DimCluster, domain.DimActionType, domain.DimStatus), map[string]counts{
					"HighMemoryUsage/production/prod-us-east-1/scale_deployment/completed": {3, 920000, 3},
					"HighCPUUsage/production/prod-us-east-1/scale_deployment/completed":    {2, 610000, 2},
				}},
			{"a cluster-scoped object", domain.Filter{NullNamespace: true, TargetKinds: []string{"node"}, TargetNames: []string{"worker-05"}},
				by(domain.DimName, domain.DimEnvironment, domain.DimCluster), map[string]counts{"KubeletDown/NULL/NULL": {1, 0, 0}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				assertGroups(t, s.repo, domain.AggregateQuery{Filter: tt.filter, GroupBy: tt.by}, tt.want)
			})
		}
	})
}

// testObjects tells apart objects that differ only in their namespace: NULL (a
// cluster-scoped object), "" and "default", and kinds that differ only in case.
func testObjects(t *testing.T, repo ports.Repository) {
	list := func(f domain.Filter) []int64 {
		page, _, err := repo.List(t.Context(), domain.ListQuery{Filter: f, Limit: 10})
		require.NoError(t, err)
		return ids(page.Incidents)
	}
	worker09 := func(ns *string) *domain.ObjectRef {
		return &domain.ObjectRef{Namespace: ns, Kind: "node", Name: "worker-09"}
	}
	node := FamilyVector(FamilyNode)

	assert.Equal(t, []int64{101, 103, 104}, list(domain.Filter{NullNamespace: true}))
	assert.Equal(t, []int64{101, 103}, list(domain.Filter{NullNamespace: true, TargetKinds: []string{"node"}, TargetNames: []string{"worker-09"}}))
	assert.Equal(t, []int64{102}, list(domain.Filter{Namespaces: []string{""}}))
	assertGroups(t, repo, domain.AggregateQuery{Filter: domain.Filter{NullNamespace: true}, GroupBy: []domain.Dimension{domain.DimNamespace}},
		map[string]counts{"NULL": {3, 0, 0}})

	tests := []struct {
		name           string
		query          domain.SemanticQuery
		want           []int64
		wantSimilarity []float64
	}{
		{"a NULL namespace leaves out the cluster-scoped object only",
			domain.SemanticQuery{Embedding: node, Limit: 10, Threshold: 0.5, ExcludeObject: worker09(nil)},
			[]int64{105, 102, 104}, []float64{0.99112, 0.98437, 0.97590}},
		{"an empty namespace is not NULL",
			domain.SemanticQuery{Embedding: node, Limit: 10, Threshold: 0.5, ExcludeObject: worker09(ptr(""))},
			[]int64{101, 105, 104, 103}, []float64{0.99602, 0.99112, 0.97590, 0.96583}},
		{"a namespace",
			domain.SemanticQuery{Embedding: node, Limit: 10, Threshold: 0.5, ExcludeObject: worker09(ptr("default"))},
			[]int64{101, 102, 104, 103}, []float64{0.99602, 0.98437, 0.97590, 0.96583}},
		{"before the limit",
			domain.SemanticQuery{Embedding: node, Limit: 1, Threshold: 0.5, ExcludeObject: worker09(nil)},
			[]int64{105}, []float64{0.99112}},
		{"with a NULL-namespace filter",
			domain.SemanticQuery{Embedding: node, Limit: 10, Threshold: 0.5, Filter: domain.Filter{NullNamespace: true},
				ExcludeObject: &domain.ObjectRef{Kind: "node", Name: "worker-10"}},
			[]int64{101, 103}, []float64{0.99602, 0.96583}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertSearch(t, repo, tt.query, tt.want, tt.wantSimilarity) })
	}
}

// ObjectFixture returns five incidents on nodes named alike (ids 101–105, an hour
// apart from FixtureNow back): 101 on cluster-scoped Node worker-09, 102 on a Node
// worker-09 whose namespace is "" (not NULL), 103 on kind "node" worker-09 (the same
// object as 101 when kinds compare case-insensitively), 104 on cluster-scoped Node
// worker-10, 105 on Node worker-09 in namespace "default". Their embeddings are node
// family members of scales 0.10, 0.20, 0.30, 0.25 and 0.15.
func ObjectFixture() []domain.IncidentEvent {
	b := newBasis()
	mk := func(id int64, ns *string, kind, name string, scale float64, noise int) domain.IncidentEvent {
		return domain.IncidentEvent{
			ID: id, Name: "NodeDiskPressure", RemediationRequestID: "test-rr-obj", Namespace: ns,
			TargetResource: kind, TargetName: name, Status: ptr(domain.StatusCompleted), Severity: "warning",
			ActionType: "cleanup_disk", StartTime: FixtureNow.Add(-time.Duration(id-100) * time.Hour),
			Embedding: b.vector(family(FamilyNode, scale, noise), magnitudes[id%4]),
		}
	}
	// Noise directions 26–30 are unused by Fixture, so these rows stand apart from it.
	return []domain.IncidentEvent{
		mk(101, nil, "Node", "worker-09", 0.10, 26),
		mk(102, ptr(""), "Node", "worker-09", 0.20, 27),
		mk(103, nil, "node", "worker-09", 0.30, 28),
		mk(104, nil, "Node", "worker-10", 0.25, 29),
		mk(105, ptr("default"), "Node", "worker-09", 0.15, 30),
	}
}

func assertSearch(t *testing.T, repo ports.IncidentRepository, q domain.SemanticQuery, want []int64, wantSimilarity []float64) {
	t.Helper()
	found, _, err := repo.Search(t.Context(), q)
	require.NoError(t, err)
	assert.Equal(t, want, scoredIDs(found))
	if assert.Len(t, found, len(wantSimilarity)) {
		for i, f := range found {
			assert.InDelta(t, wantSimilarity[i], f.Similarity, similarityDelta, "incident %d", f.Incident.ID)
		}
	}
}

func ptr[T any](v T) *T { return &v }
