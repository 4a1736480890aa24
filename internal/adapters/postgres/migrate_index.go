package postgres

import (
	"fmt"
	"slices"
	"strings"
)

// step is one thing the runner does to build an index on the traces table. Online steps
// are a single statement outside any transaction (CREATE INDEX CONCURRENTLY and its
// kin), which may wait as long as it must for older transactions: it holds no lock a
// writer queues behind. The others run in one transaction under a short lock_timeout and
// are tried again when it expires, so a writer never waits long behind them.
type step struct {
	online bool
	sql    []string
	// effect is what the step does to the catalogue, for a dry run.
	effect func(*catalogue)
}

func online(sql string, effect func(*catalogue)) step {
	return step{online: true, sql: []string{sql}, effect: effect}
}

func brief(sql []string, effect func(*catalogue)) step {
	return step{sql: sql, effect: effect}
}

// plan returns the steps left to bring the index of action a to what its migration
// says, given the catalogue; none when it is there already.
func plan(c *catalogue, a action) ([]step, error) {
	if a.rebuild {
		return planRebuild(c, *a.index)
	}
	return planBuild(c, *a.index)
}

// planBuild creates d if it is missing or incomplete. On the partitioned table: the
// parent index ON ONLY the table (catalogue only, invalid while partitions lack theirs),
// then for each partition an index built CONCURRENTLY and attached to the parent, which
// turns valid when the last one is attached. What an interrupted run left is picked up:
// attached valid indexes are kept, our invalid ones dropped and built again, valid
// unattached ones attached.
func planBuild(c *catalogue, d indexDef) ([]step, error) {
	parent, err := c.onTable(d.name)
	if err != nil {
		return nil, err
	}
	switch {
	case c.kind == 0:
		return nil, fmt.Errorf("%s does not exist", tracesTable)
	case c.kind != 'p':
		if parent != nil && parent.valid {
			return nil, nil
		}
		var steps []step
		if parent != nil {
			steps = append(steps, dropIndex(c, parent))
		}
		return append(steps, online(createSQL(d, d.name, tracesTable, "CONCURRENTLY "),
			func(c *catalogue) { c.add(d.name, c.table.oid, true, d.options) })), nil
	}
	var steps []step
	if parent == nil {
		steps = append(steps, brief([]string{createSQL(d, d.name, "ONLY "+tracesTable, "")},
			func(c *catalogue) { c.add(d.name, c.table.oid, len(c.partitions) == 0, d.options) }))
	}
	attached := false
	for _, p := range c.partitions {
		if p.subpartitions {
			return nil, fmt.Errorf("partition %s is itself partitioned: not supported", p.name)
		}
		if ch := c.childOn(parent, p.oid); ch != nil {
			if !ch.valid {
				steps = append(steps, online("REINDEX INDEX CONCURRENTLY "+c.qualified(p, ch.name),
					func(c *catalogue) { c.indexes[ch.name].valid = true }))
			}
			continue
		}
		name := partitionIndexName(d.name, p)
		own := c.indexes[name]
		if own != nil && (own.table != p.oid || own.parent != 0) {
			return nil, fmt.Errorf("index %s exists, but not unattached on partition %s", name, p.name)
		}
		if own != nil && !own.valid { // an interrupted CREATE INDEX CONCURRENTLY
			steps = append(steps, dropIndex(c, own))
		}
		if own == nil || !own.valid {
			steps = append(steps, online(createSQL(d, name, c.qualified(p, p.name), "CONCURRENTLY "),
				func(c *catalogue) { c.add(name, p.oid, true, d.options) }))
		}
		steps = append(steps, attach(c, d.name, p, name))
		attached = true
	}
	if parent != nil && !parent.valid && !attached && len(c.partitions) > 0 {
		// Every partition has a valid index attached (one was just rebuilt by REINDEX),
		// yet the parent is invalid: attaching one again has PostgreSQL check the parent.
		p := c.partitions[0]
		steps = append(steps, attach(c, d.name, p, c.childOn(parent, p.oid).name))
	}
	return steps, nil
}

// planRebuild makes the index named d.name the one d defines when its storage options
// differ (a DROP INDEX + CREATE INDEX in the migration), without ever leaving the table
// without it: the new index is built beside the old under another name, as planBuild
// builds any index, then one short transaction drops the old and renames the new. With
// the options already right it only completes the index, if need be.
func planRebuild(c *catalogue, d indexDef) ([]step, error) {
	next := d
	next.name = derivedName(d.name, "new")
	cur, err := c.onTable(d.name)
	if err != nil {
		return nil, err
	}
	built, err := c.onTable(next.name)
	switch {
	case err != nil:
		return nil, err
	case cur != nil && slices.Equal(cur.options, d.options), cur == nil && built == nil:
		return planBuild(c, d)
	case built != nil && !slices.Equal(built.options, d.options):
		return []step{dropIndex(c, built)}, nil // left by a rebuild to other options
	}
	if steps, err := planBuild(c, next); err != nil || len(steps) > 0 {
		return steps, err
	}
	var swap []string
	if cur != nil {
		swap = append(swap, "DROP INDEX "+ident(d.name))
	}
	swap = append(swap, "ALTER INDEX "+ident(next.name)+" RENAME TO "+ident(d.name))
	renames := map[string]string{}
	for _, ch := range c.children(built) {
		p := c.partition(ch.table)
		want := partitionIndexName(d.name, p)
		if occupant := c.indexes[want]; occupant != nil && occupant != ch && (cur == nil || occupant.parent != cur.oid) {
			return []step{dropIndex(c, occupant)}, nil // a leftover holds the name
		}
		if ch.name != want {
			swap = append(swap, "ALTER INDEX "+c.qualified(p, ch.name)+" RENAME TO "+ident(want))
			renames[ch.name] = want
		}
	}
	return []step{brief(swap, func(c *catalogue) {
		c.drop(d.name)
		c.rename(next.name, d.name)
		for from, to := range renames {
			c.rename(from, to)
		}
	})}, nil
}

// createSQL writes the CREATE INDEX of d under name on target.
func createSQL(d indexDef, name, target, concurrently string) string {
	unique := ""
	if d.unique {
		unique = "UNIQUE "
	}
	return "CREATE " + unique + "INDEX " + concurrently + "IF NOT EXISTS " + ident(name) + " ON " + target + " " + d.def
}

// attach attaches the partition's index child to the partitioned index parent.
func attach(c *catalogue, parent string, p relation, child string) step {
	return brief([]string{"ALTER INDEX " + ident(parent) + " ATTACH PARTITION " + c.qualified(p, child)},
		func(c *catalogue) {
			c.indexes[child].parent = c.indexes[parent].oid
			c.validate(c.indexes[parent])
		})
}

// dropIndex drops an index: CONCURRENTLY where PostgreSQL can, which blocks no writer;
// a partitioned index cannot be, so it is a brief step.
func dropIndex(c *catalogue, ix *index) step {
	effect := func(c *catalogue) { c.drop(ix.name) }
	if ix.table == c.table.oid && c.kind == 'p' {
		return brief([]string{"DROP INDEX IF EXISTS " + ident(ix.name)}, effect)
	}
	return online("DROP INDEX CONCURRENTLY IF EXISTS "+c.qualified(c.partition(ix.table), ix.name), effect)
}

// render writes a step as the SQL the runner sends, for a dry run.
func (s step) render(b *strings.Builder, lockTimeout string) {
	if !s.online {
		b.WriteString("BEGIN;\nSET LOCAL lock_timeout = '" + lockTimeout + "';\n")
	}
	for _, q := range s.sql {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(q), ";") + ";\n")
	}
	if !s.online {
		b.WriteString("COMMIT;\n")
	}
}
