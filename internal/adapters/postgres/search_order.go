package postgres

import (
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm/clause"
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
