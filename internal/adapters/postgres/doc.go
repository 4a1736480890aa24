// Package postgres reads incidents from the Data Storage schema in PostgreSQL with
// pgvector: resource_action_traces (rat) joined to action_histories (ah) and
// resource_references (rr). Queries are composed with GORM scopes; every value reaches
// the database through placeholders. It also applies the project's migrations and loads
// data sets for `contextapi migrate` and `contextapi seed`; the service itself never writes.
package postgres
