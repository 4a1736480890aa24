package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
)

// BenchmarkTotal compares, in one run, the ways List can count a small result: an
// exact COUNT alone, the planner's estimate alone, and what total does (on a table this
// small, exact at once; on a large one the remembered estimate, then exact below the
// threshold).
func BenchmarkTotal(b *testing.B) {
	pg.Require(b)
	dsn := pg.NewDatabase(b)
	require.NoError(b, Load(b.Context(), dsn, Events(dataset.Demo(time.Now())), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(b, err)
	defer repo.Close()
	for _, f := range map[string]domain.Filter{
		"all":       {},
		"namespace": {Namespaces: []string{"checkout"}},
	} {
		b.Run("exact", func(b *testing.B) {
			sql, args, err := compose(repo.countQuery(repo.session(b.Context()), f).Select("COUNT(*)"))
			require.NoError(b, err)
			for b.Loop() {
				var n int64
				require.NoError(b, repo.queryRow(b.Context(), "count", sql, args, &n))
			}
		})
		b.Run("estimate", func(b *testing.B) {
			sql, args, err := compose(repo.countQuery(repo.session(b.Context()), f).Select("1"))
			require.NoError(b, err)
			for b.Loop() { // the planner's pass itself, never remembered
				_, err := repo.plannedRows(b.Context(), sql, args)
				require.NoError(b, err)
			}
		})
		b.Run("total", func(b *testing.B) {
			for b.Loop() {
				_, _, err := repo.total(b.Context(), f)
				require.NoError(b, err)
			}
		})
	}
}
