package logjson

import (
	"log/slog"
	"strconv"
	"time"
)

// Line builds one flat JSON line field by field, for a hot path that logs the same
// shape on every call (the request log): no slog.Record, no boxed values, no closure per
// attribute. The bytes are those Handle writes for the same record, hence slog's.
type Line struct {
	h   *Handler
	buf *[]byte
}

// Line starts a line at t with level and msg, and the attributes given With. It is
// false when only slog's handler can write the line (a group is open, an attribute given
// With needed slog, or t's year has not four digits); the caller then logs a Record.
// Check Enabled first: Line writes whatever it is given.
func (h *Handler) Line(t time.Time, level slog.Level, msg string) (Line, bool) {
	t = t.Round(0) // as slog does: no monotonic reading
	if !h.fast || t.IsZero() || !yearEncodable(t) {
		return Line{}, false
	}
	buf := buffers.Get().(*[]byte)
	b := append((*buf)[:0], `{"time":`...)
	b = appendTime(b, t)
	b = append(b, `,"level":`...)
	b = appendString(b, level.String())
	b = append(b, `,"msg":`...)
	b = appendString(b, msg)
	*buf = append(b, h.prefix...)
	return Line{h: h, buf: buf}, true
}

// String adds "key":value. key must not be empty (slog treats an empty key specially).
func (l *Line) String(key, value string) {
	*l.buf = appendString(l.key(key), value)
}

// Int adds "key":n.
func (l *Line) Int(key string, n int64) {
	*l.buf = strconv.AppendInt(l.key(key), n, 10)
}

// Duration adds "key":d in nanoseconds, as slog's JSON handler writes a Duration.
func (l *Line) Duration(key string, d time.Duration) {
	*l.buf = strconv.AppendInt(l.key(key), int64(d), 10)
}

func (l *Line) key(key string) []byte {
	b := append(*l.buf, ',')
	b = appendString(b, key)
	return append(b, ':')
}

// Write ends the line and writes it; the Line must not be used after.
func (l *Line) Write() error {
	b := append(*l.buf, '}', '\n')
	_, err := l.h.w.Write(b)
	*l.buf = b
	if cap(b) <= maxPooledBuffer {
		buffers.Put(l.buf)
	}
	l.buf = nil
	return err
}
