package logjson

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestLine writes the service's request line through Line and returns whether it could.
func requestLine(h slog.Handler, t time.Time, fields requestFields) bool {
	line, ok := h.(*Handler).Line(t, slog.LevelInfo, "request")
	if !ok {
		return false
	}
	line.String("method", fields.method)
	line.String("path", fields.path)
	line.Int("status", fields.status)
	line.Duration("latency", fields.latency)
	return line.Write() == nil
}

type requestFields struct {
	method, path string
	status       int64
	latency      time.Duration
}

func (f requestFields) attrs() []slog.Attr {
	return []slog.Attr{slog.String("method", f.method), slog.String("path", f.path),
		slog.Int64("status", f.status), slog.Duration("latency", f.latency)}
}

// A line built field by field is the line slog writes for the same record.
func TestLineIsSlogsLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 2000 {
		var lineB, stdB bytes.Buffer
		lineH, std := New(&lineB, nil), slog.Handler(slog.NewJSONHandler(&stdB, nil))
		if rng.IntN(3) == 0 {
			with := randomAttrs(rng)
			lineH, std = lineH.WithAttrs(with), std.WithAttrs(with)
		}
		at := time.Unix(rng.Int64N(1<<35), rng.Int64N(1e9)).In(time.FixedZone("z", rng.IntN(100000)-50000))
		fields := requestFields{randomString(rng), randomString(rng), rng.Int64() - rng.Int64(), time.Duration(rng.Int64())}
		if !requestLine(lineH, at, fields) {
			continue // an attribute given With needs slog: Handle falls back the same way
		}
		r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
		r.AddAttrs(fields.attrs()...)
		require.NoError(t, std.Handle(context.Background(), r))
		require.Equal(t, stdB.String(), lineB.String(), "line %d", i)
	}
}

// Where only slog can write the line, Line says so and writes nothing.
func TestLineDeclinesWhatSlogMustWrite(t *testing.T) {
	var b bytes.Buffer
	h := New(&b, nil)
	_, ok := h.WithGroup("g").(*Handler).Line(time.Now(), slog.LevelInfo, "request")
	assert.False(t, ok, "inside a group")
	_, ok = h.WithAttrs([]slog.Attr{slog.Float64("f", 1)}).(*Handler).Line(time.Now(), slog.LevelInfo, "request")
	assert.False(t, ok, "an attribute given With that slog encodes")
	_, ok = h.(*Handler).Line(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "request")
	assert.False(t, ok, "a five-digit year")
	_, ok = h.(*Handler).Line(time.Time{}, slog.LevelInfo, "request")
	assert.False(t, ok, "no time")
	assert.Empty(t, b.String())
}

// appendTime is time.RFC3339Nano's format, for every year slog writes, any nanosecond and
// any zone offset (seconds of an offset included).
func TestTimeIsRFC3339Nano(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	edges := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 12, 6, 16, 0, 0, 100, time.FixedZone("", -(3*3600+30*60))),
		time.Date(2026, 12, 6, 16, 0, 0, 120000000, time.FixedZone("", 5*3600+45*60+17)),
		time.Date(2026, 12, 6, 16, 0, 0, 0, time.FixedZone("", -59)),
		time.Date(2026, 12, 6, 16, 0, 0, 1, time.Local),
	}
	for i := range 20000 {
		at := time.Unix(rng.Int64N(253402300800+62135596800)-62135596800, rng.Int64N(1e9))
		if rng.IntN(2) == 0 {
			at = at.Truncate(time.Duration(rng.IntN(10)) * time.Millisecond)
		}
		at = at.In(time.FixedZone("z", rng.IntN(200000)-100000))
		if i < len(edges) {
			at = edges[i]
		}
		want := `"` + at.Format(time.RFC3339Nano) + `"`
		require.Equal(t, want, string(appendTime(nil, at)), "%v", at)
	}
}

func BenchmarkLine(b *testing.B) {
	h := New(discard{}, nil).(*Handler)
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		line, _ := h.Line(at, slog.LevelInfo, "request")
		line.String("method", "GET")
		line.String("route", "/api/v1/incidents/:id")
		line.String("path", "/api/v1/incidents/5")
		line.Int("status", 200)
		line.Duration("latency", 123456)
		line.String("request_id", "7a235c45-d239-4176-b5dd-c83f7bf4fb5c")
		line.Int("bytes", 1553)
		line.String("principal", "alice")
		_ = line.Write()
	}
}
