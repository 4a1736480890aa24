package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// TestSQLShapeOfSearches renders the search statements: by the index (unfiltered, with
// its limit in the text; filtered, with a placeholder) and exact.
func TestSQLShapeOfSearches(t *testing.T) {
	repo := dryRun(t)
	vec := make([]float32, domain.EmbeddingDimensions)
	vec[0] = 1
	obj := domain.ObjectRef{Kind: "node", Name: "worker-1"} // cluster-scoped: a nil namespace renders the same every run
	build := func(q domain.SemanticQuery, exact bool) *gorm.DB {
		return searchQuery(repo.session(t.Context()), q, incidentColumns, exact).Find(&[]incidentRecord{})
	}
	filter := domain.Filter{Namespaces: []string{injection}, Severities: []string{"critical"}}
	cases := map[string]*gorm.DB{
		"search_index": build(domain.SemanticQuery{Embedding: vec, Limit: 10, Threshold: 0.7}, false),
		"search_index_similar": build(domain.SemanticQuery{Embedding: vec, Limit: 5, Threshold: 0.8,
			ExcludeIDs: []int64{42, 43}, ExcludeObject: &obj}, false),
		"search_index_filtered": build(domain.SemanticQuery{Embedding: vec, Limit: 10, Threshold: 0.7, Filter: filter}, false),
		"search_exact":          build(domain.SemanticQuery{Embedding: vec, Limit: 10, Threshold: 0.7, Filter: filter}, true),
	}
	for name, db := range cases {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, db.Error)
			assert.NotContains(t, db.Statement.SQL.String(), "DROP TABLE", "values travel as arguments only")
			golden(t, name, render(db.Statement))
		})
	}
}
