package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// catalogue is what the index planner needs to know of the traces table: its kind, its
// partitions and the indexes on it and on them. Live runs read it again after each
// batch of steps; a dry run reads it once and applies each step's effect to it.
type catalogue struct {
	table      relation
	kind       byte // 'p' partitioned, 'r' plain, 0 missing
	partitions []relation
	indexes    map[string]*index // by name
	nextOID    uint32            // for indexes a dry run pretends to create
}

type relation struct {
	oid           uint32
	schema, name  string
	subpartitions bool // a partition that is itself partitioned
}

type index struct {
	oid     uint32
	name    string
	table   uint32 // pg_index.indrelid
	parent  uint32 // the partitioned index it is attached to, 0 if none
	valid   bool
	options []string // pg_class.reloptions, sorted
}

// loadCatalogue reads the traces table, its partitions and their indexes.
func loadCatalogue(ctx context.Context, q querier) (*catalogue, error) {
	c := &catalogue{indexes: map[string]*index{}, nextOID: 1 << 31}
	var kind string
	err := q.QueryRow(ctx, `SELECT c.oid, n.nspname, c.relname, c.relkind::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`, tracesTable).
		Scan(&c.table.oid, &c.table.schema, &c.table.name, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	} else if err != nil {
		return nil, err
	}
	c.kind = kind[0]
	rows, err := q.Query(ctx, `SELECT c.oid, n.nspname, c.relname, c.relkind = 'p' FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE i.inhparent = $1 ORDER BY c.relname`, c.table.oid)
	if err != nil {
		return nil, err
	}
	tables := []uint32{c.table.oid}
	var p relation
	_, err = pgx.ForEachRow(rows, []any{&p.oid, &p.schema, &p.name, &p.subpartitions}, func() error {
		c.partitions = append(c.partitions, p)
		tables = append(tables, p.oid)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT c.oid, c.relname, x.indrelid, COALESCE(i.inhparent, 0), x.indisvalid,
			COALESCE(c.reloptions, '{}')
		FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		LEFT JOIN pg_inherits i ON i.inhrelid = x.indexrelid
		WHERE x.indrelid = ANY($1::oid[]) AND x.indislive`, tables)
	if err != nil {
		return nil, err
	}
	var ix index
	_, err = pgx.ForEachRow(rows, []any{&ix.oid, &ix.name, &ix.table, &ix.parent, &ix.valid, &ix.options}, func() error {
		found := ix
		found.options = slices.Sorted(slices.Values(ix.options))
		c.indexes[found.name] = &found
		return nil
	})
	return c, err
}

// querier is what loadCatalogue needs of a connection or transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// onTable returns the index of that name on the traces table itself, or an error when
// the name belongs to an index of another table.
func (c *catalogue) onTable(name string) (*index, error) {
	ix := c.indexes[name]
	if ix != nil && ix.table != c.table.oid {
		return nil, fmt.Errorf("index %s exists, but not on %s", name, tracesTable)
	}
	return ix, nil
}

// childOn returns the index attached to parent on the partition, or nil.
func (c *catalogue) childOn(parent *index, partition uint32) *index {
	if parent == nil {
		return nil
	}
	for _, ix := range c.indexes {
		if ix.parent == parent.oid && ix.table == partition {
			return ix
		}
	}
	return nil
}

// children returns the indexes attached to parent, by name.
func (c *catalogue) children(parent *index) []*index {
	var out []*index
	for _, ix := range c.indexes {
		if ix.parent == parent.oid {
			out = append(out, ix)
		}
	}
	slices.SortFunc(out, func(a, b *index) int { return strings.Compare(a.name, b.name) })
	return out
}

// partition returns the partition with that oid.
func (c *catalogue) partition(oid uint32) relation {
	i := slices.IndexFunc(c.partitions, func(p relation) bool { return p.oid == oid })
	if i < 0 {
		return relation{oid: oid, name: fmt.Sprint(oid)}
	}
	return c.partitions[i]
}

// add records an index a dry run pretends to have created.
func (c *catalogue) add(name string, table uint32, valid bool, options []string) *index {
	c.nextOID++
	ix := &index{oid: c.nextOID, name: name, table: table, valid: valid, options: options}
	c.indexes[name] = ix
	return ix
}

// drop forgets an index and, for a partitioned one, the indexes attached to it.
func (c *catalogue) drop(name string) {
	if ix := c.indexes[name]; ix != nil {
		for _, ch := range c.children(ix) {
			delete(c.indexes, ch.name)
		}
		delete(c.indexes, name)
	}
}

// rename gives an index another name.
func (c *catalogue) rename(from, to string) {
	ix := c.indexes[from]
	delete(c.indexes, from)
	ix.name = to
	c.indexes[to] = ix
}

// validate marks a partitioned index valid once every partition has a valid index
// attached to it, as PostgreSQL does when the last one is attached.
func (c *catalogue) validate(parent *index) {
	for _, p := range c.partitions {
		if ch := c.childOn(parent, p.oid); ch == nil || !ch.valid {
			return
		}
	}
	parent.valid = true
}

// maxIdentifier is PostgreSQL's NAMEDATALEN - 1, in bytes.
const maxIdentifier = 63

// derivedName names the index of one partition (or a replacement index): base_suffix,
// cut to 63 bytes with a hash of the whole keeping it unique and deterministic.
func derivedName(base, suffix string) string {
	s := base + "_" + suffix
	if len(s) <= maxIdentifier {
		return s
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(s)) // a hash's Write never fails
	return strings.ToValidUTF8(s[:maxIdentifier-9], "") + fmt.Sprintf("_%08x", h.Sum32())
}

// partitionIndexName is the deterministic name of index's copy on a partition:
// idx_rat_timeline on resource_action_traces_y2025m07 is idx_rat_timeline_y2025m07.
func partitionIndexName(index string, p relation) string {
	suffix := strings.TrimPrefix(p.name, tracesTable+"_")
	if suffix == "" {
		suffix = p.name
	}
	return derivedName(index, suffix)
}

var plainIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ident quotes an identifier from the catalogue when it needs quoting.
func ident(name string) string {
	if plainIdentifier.MatchString(name) {
		return name
	}
	return pgx.Identifier{name}.Sanitize()
}

// qualified names a partition, or an index on it, schema-qualified when the partition
// lives in another schema than the traces table.
func (c *catalogue) qualified(p relation, name string) string {
	if p.schema == "" || p.schema == c.table.schema {
		return ident(name)
	}
	return ident(p.schema) + "." + ident(name)
}
