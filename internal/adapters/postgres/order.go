package postgres

import (
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm/clause"
)

// clauseDistance orders by cosine distance to vec, the shape the HNSW index serves.
func clauseDistance(vec pgvector.Vector) clause.OrderBy {
	return clause.OrderBy{Expression: clause.Expr{SQL: "rat.embedding <=> ?", Vars: []any{vec}, WithoutParentheses: true}}
}
