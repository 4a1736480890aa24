package contenders

import (
	"io"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// exactSearch is baseline EX: the exact vector search, every filtered row compared.
type exactSearch struct {
	pool *pgxpool.Pool
	sql  *statements.Set
}

func (e *exactSearch) search(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	q, err := ParseSearch(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	items, err := vectorSearch(r.Context(), e.pool, e.sql, q, true, func(string) {})
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSONBody(w, searchAnswer(items, q.Limit))
}
