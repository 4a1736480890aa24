package postgres

import (
	"reflect"
	"strconv"

	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/contextapi/contextapi/internal/domain"
)

// orderByDistance orders by cosine distance to vec: in the shape the HNSW index serves,
// or, when exact, as an expression no index matches, so the planner computes every
// filtered row's distance instead.
func orderByDistance(vec pgvector.Vector, exact bool) clause.OrderBy {
	sql := "rat.embedding <=> ?"
	if exact {
		sql = "(rat.embedding <=> ?) + 0"
	}
	return clause.OrderBy{Expression: clause.Expr{SQL: sql, Vars: []any{vec}, WithoutParentheses: true}}
}

// byIndex orders db by distance as the HNSW index serves and keeps the first limit rows.
//
// Unfiltered, the limit is written into the statement's text rather than sent as a
// placeholder, so that PostgreSQL plans the search once per session instead of at every
// execution. A prepared statement is planned with its values (a custom plan) five times,
// then kept as one generic plan when that costs no more; but a generic plan must guess a
// LIMIT placeholder at a tenth of the rows, which costs it above any custom plan, so a
// search with a placeholder is planned anew each time: 0.7-1.3 ms over six partitions,
// at 100k traces as at 1M, and more on a loaded machine (issue 15, P5). With the number in the text, the generic plan is the custom
// plan, since no other value of an unfiltered search moves an estimate (the distance
// bound is costed at a default selectivity either way). Filtered searches keep the
// placeholder and their custom plans: a generic plan cannot see how many rows a filter
// value matches, and could trade the index for a sort of every row it wrongly expects
// few of. The number is an int the program holds, never text from a request; each limit
// is one more prepared statement per connection (the API allows 1-50).
func byIndex(db *gorm.DB, vec pgvector.Vector, limit int, unfiltered bool) *gorm.DB {
	db = db.Order(orderByDistance(vec, false))
	if unfiltered {
		return db.Clauses(literalLimit(limit))
	}
	return db.Limit(limit)
}

// literalLimit is a LIMIT clause with its number in the SQL text (see byIndex).
type literalLimit int

// Name is the clause GORM builds it as: LIMIT, in place of clause.Limit.
func (literalLimit) Name() string { return "LIMIT" }

// Build writes the clause (GORM's builder writes to memory and never fails).
func (l literalLimit) Build(b clause.Builder) { _, _ = b.WriteString("LIMIT " + strconv.Itoa(int(l))) }

// MergeClause makes it the statement's LIMIT clause.
func (l literalLimit) MergeClause(c *clause.Clause) {
	c.Name = ""
	c.Expression = l
}

// searchQuery is the statement of a search on db selecting cols and the distance: by
// the HNSW index or, when exact, comparing every row the filters keep. The threshold is
// on the exact cosine distance either way.
func searchQuery(db *gorm.DB, q domain.SemanticQuery, cols string, exact bool) *gorm.DB {
	vec := pgvector.NewVector(q.Embedding)
	scopes := append([]scope{joined}, filterScopes(q.Filter)...)
	if len(q.ExcludeIDs) > 0 {
		scopes = append(scopes, excluding(q.ExcludeIDs))
	}
	if q.ExcludeObject != nil {
		scopes = append(scopes, notOnObject(*q.ExcludeObject))
	}
	db = db.Scopes(scopes...).
		Select(cols+", rat.embedding <=> ? AS distance", vec).
		Where("rat.embedding IS NOT NULL").
		Where("rat.embedding <=> ? <= ?", vec, 1-q.Threshold)
	if exact {
		return db.Order(orderByDistance(vec, true)).Limit(q.Limit)
	}
	return byIndex(db, vec, q.Limit, reflect.ValueOf(q.Filter).IsZero())
}
