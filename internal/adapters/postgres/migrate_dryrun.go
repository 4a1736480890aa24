package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3/lock"
)

// MigrateDryRun returns the SQL that Migrate would run for the pending migrations,
// changing nothing: each file's ordinary statements as written, and for each index of
// the traces table the steps planned from the catalogue as it stands, partition by
// partition. Planning assumes what earlier pending index steps would have done; what
// earlier pending ordinary statements would create (a table, partitions) it cannot know.
func MigrateDryRun(ctx context.Context, dsn string, opts MigrateOptions) (string, error) {
	r, err := newRunner(dsn, opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = r.readOnly(ctx, func(tx pgx.Tx, files []migrationFile) error { return r.dryRun(ctx, tx, files, &b) })
	return b.String(), err
}

func (r *runner) dryRun(ctx context.Context, tx pgx.Tx, files []migrationFile, b *strings.Builder) error {
	states, err := status(ctx, tx, files)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(states, func(s MigrationStatus) bool { return !s.Applied }) {
		b.WriteString("-- nothing pending: the schema is up to date\n")
		return nil
	}
	c, err := loadCatalogue(ctx, tx)
	if err != nil {
		return err
	}
	b.WriteString("-- contextapi migrate --dry-run: the SQL of the pending migrations, in order, each on a session\n" +
		"-- of its own. Each BEGIN ... COMMIT is tried again, after a pause, when its lock_timeout expires.\n")
	var underWay bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND classid = 0 AND objid::bigint = $1 AND objsubid = 1)`, lock.DefaultLockID).Scan(&underWay); err != nil {
		return err
	}
	if underWay {
		b.WriteString("-- A migrate is under way (it holds the advisory lock): its work in progress shows as left to do.\n")
	}
	if c.kind == 0 {
		b.WriteString("-- " + tracesTable + " does not exist yet: its indexes are planned as on a table without partitions.\n")
		c.kind = 'p'
	}
	// The steps act on the catalogue read above, so later ones see what earlier ones did.
	load := func() (*catalogue, error) { return c, nil }
	run := func(s step) error {
		s.render(b, r.lockTimeoutSetting())
		if s.effect != nil {
			s.effect(c)
		}
		return nil
	}
	for i, f := range files {
		if states[i].Applied {
			continue
		}
		b.WriteString("\n-- " + f.name + "\n")
		for _, s := range migrationSession {
			b.WriteString(s + ";\n")
		}
		for _, a := range f.up {
			if err := converge(a, load, run); err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
		}
	}
	return nil
}
