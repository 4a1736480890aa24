// Package logjson is a slog handler that writes the same bytes as slog.JSONHandler for
// flat records — the only kind the service logs on its hot path, one request line per
// request — at a fraction of the cost. slog's generic handler was the largest cost of
// answering a cached request after the socket write; this one encodes the few value
// kinds a flat record holds directly and leaves everything else (groups, floats, values
// of any other type) to slog's own handler, record by record.
package logjson
