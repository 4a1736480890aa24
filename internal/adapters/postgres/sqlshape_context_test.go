package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// TestSQLShapeOfContextQueries checks the two conditions the context use cases add: the
// object exclusion compares namespaces NULL-safely, and every value is a placeholder.
func TestSQLShapeOfContextQueries(t *testing.T) {
	repo := dryRun(t)
	ns := injection
	for _, tc := range []struct {
		name string
		obj  domain.ObjectRef
		arg  any
	}{
		{"namespaced", domain.ObjectRef{Namespace: &ns, Kind: "deployment", Name: injection}, &ns},
		{"cluster-scoped", domain.ObjectRef{Kind: "node", Name: injection}, (*string)(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := repo.session(t.Context()).Scopes(joined, notOnObject(tc.obj)).
				Select(incidentColumns).Find(&[]incidentRecord{})
			require.NoError(t, db.Error)
			assert.Contains(t, db.Statement.SQL.String(),
				"WHERE NOT (rr.namespace IS NOT DISTINCT FROM $1 AND lower(rr.kind) = $2 AND rr.name = $3)")
			assert.Equal(t, []any{tc.arg, tc.obj.Kind, injection}, db.Statement.Vars)
			assert.NotContains(t, db.Statement.SQL.String(), "DROP TABLE")
		})
	}
	db := repo.countQuery(repo.session(t.Context()),
		domain.Filter{NullNamespace: true, Names: []string{injection}}).Select("COUNT(*)").Find(&[]int64{})
	require.NoError(t, db.Error)
	assert.Contains(t, db.Statement.SQL.String(), "WHERE rat.alert_name = $1 AND rr.namespace IS NULL")
	assert.Equal(t, []any{injection}, db.Statement.Vars)
}
