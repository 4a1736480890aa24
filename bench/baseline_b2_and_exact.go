package main

import (
	"errors"
	"io"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
)

// b2Server is baseline B2, PostgREST-style: one statement builds the page and total as
// JSON in PostgreSQL, and the handler returns its text as is.
type b2Server struct {
	pool *pgxpool.Pool
}

func (b *b2Server) list(w http.ResponseWriter, r *http.Request) {
	q, err := parseListQuery(r.URL.Query())
	if err != nil || q.after != nil {
		httpError(w, http.StatusBadRequest, errors.Join(err, errors.New("B2 pages by offset only")))
		return
	}
	sql, args := b2ListSQL(q.f, q.limit, q.offset)
	var body []byte
	if err := b.pool.QueryRow(r.Context(), sql, args...).Scan(&body); err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// exServer is baseline EX: the exact vector search, every filtered row compared.
type exServer struct {
	pool *pgxpool.Pool
}

func (e *exServer) search(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	q, err := parseSearch(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	items, err := vectorSearch(r.Context(), e.pool, q, true, func(string) {})
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSONBody(w, searchAnswer(items, q.limit))
}
