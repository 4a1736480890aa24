package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
)

// BenchmarkScanPath compares, in one run, reading the same list page through GORM's
// reflection-based scan and through pgx directly (fetch):
//
//	CONTEXTAPI_TEST_DATABASE_URL=... go test -run '^$' -bench ScanPath ./internal/adapters/postgres/
func BenchmarkScanPath(b *testing.B) {
	pg.Require(b)
	dsn := pg.NewDatabase(b)
	require.NoError(b, Load(b.Context(), dsn, Events(dataset.Demo(time.Now())), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(b, err)
	defer repo.Close()
	q := domain.ListQuery{Limit: 50}
	page := func() *gorm.DB { return repo.pageQuery(repo.session(b.Context()), q, incidentColumns) }
	b.Run("gorm-scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var records []incidentRecord
			require.NoError(b, page().Find(&records).Error)
			require.Len(b, records, 51)
		}
	})
	b.Run("pgx-scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			records, err := repo.fetch(b.Context(), "list", page(), false, false)
			require.NoError(b, err)
			require.Len(b, records, 51)
		}
	})
}
