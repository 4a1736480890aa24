package logjson

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Handler writes JSON lines. Build it with New.
type Handler struct {
	w     *lockedWriter
	level slog.Leveler
	// std is slog's JSONHandler with the same attributes and groups, for what the fast
	// path does not encode.
	std slog.Handler
	// prefix holds the attributes of WithAttrs, encoded, each preceded by a comma.
	prefix []byte
	// fast is false once a group is open or an attribute of WithAttrs needed std.
	fast bool
}

// New returns a handler that writes to w as slog.NewJSONHandler(w, opts) would. Options
// the fast path does not implement (ReplaceAttr, AddSource) get slog's handler itself.
func New(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	if opts.ReplaceAttr != nil || opts.AddSource {
		return slog.NewJSONHandler(w, opts)
	}
	lw := &lockedWriter{w: w}
	level := opts.Level
	if level == nil {
		level = slog.LevelInfo
	}
	return &Handler{w: lw, level: level, std: slog.NewJSONHandler(lw, opts), fast: true}
}

// Enabled reports whether records at l are written, as slog's handler decides it.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

// Handle writes r as one line.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if !h.fast {
		return h.std.Handle(ctx, r)
	}
	buf := buffers.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledBuffer {
			buffers.Put(buf)
		}
	}()
	b, ok := h.encode((*buf)[:0], r)
	*buf = b
	if !ok {
		return h.std.Handle(ctx, r)
	}
	_, err := h.w.Write(b)
	return err
}

// encode appends r's line to b; false when a value needs slog's own encoding.
func (h *Handler) encode(b []byte, r slog.Record) ([]byte, bool) {
	b = append(b, '{')
	if !r.Time.IsZero() {
		t := r.Time.Round(0) // as slog does: no monotonic reading
		if !yearEncodable(t) {
			return b, false
		}
		b = append(b, `"time":`...)
		b = appendTime(b, t)
		b = append(b, ',')
	}
	b = append(b, `"level":`...)
	b = appendString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendString(b, r.Message)
	b = append(b, h.prefix...)
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		b, ok = appendAttr(b, a)
		return ok
	})
	if !ok {
		return b, false
	}
	return append(b, '}', '\n'), true
}

// WithAttrs returns a handler whose lines carry as after the message.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	next := &Handler{w: h.w, level: h.level, std: h.std.WithAttrs(as), fast: h.fast}
	if !next.fast {
		return next
	}
	prefix := append([]byte(nil), h.prefix...)
	for _, a := range as {
		var ok bool
		if prefix, ok = appendAttr(prefix, a); !ok {
			next.fast = false
			return next
		}
	}
	next.prefix = prefix
	return next
}

// WithGroup returns a handler that nests what follows under name; slog's handler does
// that, for every record after it.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{w: h.w, level: h.level, std: h.std.WithGroup(name), fast: false}
}

// appendAttr appends ,"key":value for the kinds a flat record holds; false for the
// others (and for an empty key, which slog treats specially), which slog encodes.
func appendAttr(b []byte, a slog.Attr) ([]byte, bool) {
	if a.Key == "" {
		return b, false
	}
	v := a.Value.Resolve()
	b = append(b, ',')
	b = appendString(b, a.Key)
	b = append(b, ':')
	switch v.Kind() {
	case slog.KindString:
		b = appendString(b, v.String())
	case slog.KindInt64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		b = strconv.AppendInt(b, int64(v.Duration()), 10) // what json.Marshal does
	case slog.KindTime:
		t := v.Time()
		if !yearEncodable(t) {
			return b, false
		}
		b = appendTime(b, t)
	default: // floats (encoding/json's format), groups, values of any other type
		return b, false
	}
	return b, true
}

// yearEncodable: RFC 3339 has four-digit years; slog reports others as an error.
func yearEncodable(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y < 10000
}

// maxPooledBuffer keeps a rare huge line from pinning its buffer in the pool.
const maxPooledBuffer = 16 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// lockedWriter serialises the lines of every handler derived from one New, slog's
// handler among them.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
