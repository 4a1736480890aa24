package logjson

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pair logs each record through this handler and slog's JSONHandler side by side.
type pair struct {
	fastB, stdB *bytes.Buffer
	fast, std   slog.Handler
}

func newPair(opts *slog.HandlerOptions) *pair {
	p := &pair{fastB: &bytes.Buffer{}, stdB: &bytes.Buffer{}}
	p.fast, p.std = New(p.fastB, opts), slog.NewJSONHandler(p.stdB, opts)
	return p
}

func (p *pair) with(f func(slog.Handler) slog.Handler) *pair {
	q := *p
	q.fast, q.std = f(p.fast), f(p.std)
	return &q
}

// log hands both handlers the same record, as a Logger would.
func (p *pair) log(level slog.Level, msg string, attrs ...slog.Attr) {
	ctx := context.Background()
	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(attrs...)
	for _, h := range []slog.Handler{p.fast, p.std} {
		if h.Enabled(ctx, level) {
			_ = h.Handle(ctx, r.Clone())
		}
	}
}

func withAttrs(attrs ...slog.Attr) func(slog.Handler) slog.Handler {
	return func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) }
}

// withGroup opens a group as Logger.WithGroup does: an empty name opens none (slog's
// JSONHandler would open a group named "" if asked directly).
func withGroup(name string) func(slog.Handler) slog.Handler {
	return func(h slog.Handler) slog.Handler {
		if name == "" {
			return h
		}
		return h.WithGroup(name)
	}
}

// The request line as the service writes it: the same bytes as slog's handler.
func TestRequestLineIsSlogsLine(t *testing.T) {
	p := newPair(nil)
	p.log(slog.LevelInfo, "request",
		slog.String("method", "GET"), slog.String("route", "/api/v1/incidents/:id"),
		slog.String("path", "/api/v1/incidents/5"), slog.Int("status", 200),
		slog.Duration("latency", 123456*time.Nanosecond), slog.String("request_id", "7a235c45-d239"),
		slog.Int64("bytes", 1553), slog.String("principal", "alice"))
	require.NotEmpty(t, p.stdB.String())
	assert.Equal(t, p.stdB.String(), p.fastB.String())
	assert.Contains(t, p.fastB.String(), `"latency":123456,`)
}

// What the fast path leaves to slog — groups, floats, errors, any other value, an empty
// key, a year beyond 9999, attributes given With — still comes out as slog writes it.
func TestEveryKindMatchesSlog(t *testing.T) {
	far := time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string][]slog.Attr{
		"float":         {slog.Float64("f", 0.1), slog.Float64("big", 1e21)},
		"group":         {slog.Group("g", slog.Int("a", 1), slog.String("b", "x"))},
		"inline group":  {slog.Group("", slog.Int("a", 1))},
		"empty group":   {slog.Group("g")},
		"error":         {slog.Any("err", errors.New("boom \"quoted\""))},
		"any":           {slog.Any("m", map[string]int{"a": 1}), slog.Any("nil", nil)},
		"empty key":     {slog.String("", "v"), slog.Attr{}},
		"time":          {slog.Time("t", time.Date(2026, 12, 6, 13, 6, 29, 120000000, time.FixedZone("x", 3600)))},
		"far time":      {slog.Time("t", far)},
		"uint and bool": {slog.Uint64("u", math.MaxUint64), slog.Bool("b", true), slog.Int64("n", math.MinInt64)},
		"log valuer":    {slog.Any("v", valuer{}), slog.Any("gv", groupValuer{})},
		"no attrs":      nil,
	}
	for name, attrs := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPair(nil)
			p.log(slog.LevelWarn, "msg", attrs...)
			p.with(withAttrs(slog.Int("k", 1))).log(slog.LevelInfo, "after with", attrs...)
			p.with(withGroup("grp")).with(withAttrs(slog.Int("k", 1))).log(slog.LevelError, "in group", attrs...)
			p.with(withAttrs(attrs...)).log(slog.LevelInfo, "attrs given With")
			assert.Equal(t, p.stdB.String(), p.fastB.String())
		})
	}
}

func TestLevelAndOptions(t *testing.T) {
	var level slog.LevelVar
	level.Set(slog.LevelWarn)
	p := newPair(&slog.HandlerOptions{Level: &level})
	p.log(slog.LevelInfo, "dropped")
	p.log(slog.LevelWarn+2, "custom level")
	level.Set(slog.LevelDebug)
	p.log(slog.LevelDebug, "now shown")
	assert.Equal(t, p.stdB.String(), p.fastB.String())
	assert.NotContains(t, p.fastB.String(), "dropped")

	replace := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return a }}
	_, isSlogs := New(&bytes.Buffer{}, replace).(*slog.JSONHandler)
	assert.True(t, isSlogs, "ReplaceAttr is slog's to apply")
}

// Random records, strings and handler chains: the bytes must be slog's, always.
func TestRandomRecordsMatchSlog(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	for i := range 5000 {
		p := newPair(nil)
		if rng.IntN(4) == 0 {
			p = p.with(withAttrs(randomAttrs(rng)...))
		}
		if rng.IntN(10) == 0 {
			p = p.with(withGroup(randomString(rng)))
		}
		p.log(slog.Level(rng.IntN(16)-4), randomString(rng), randomAttrs(rng)...)
		require.Equal(t, p.stdB.String(), p.fastB.String(), "record %d", i)
	}
}

func FuzzStringsMatchSlog(f *testing.F) {
	f.Add("request", "path", "/api/v1/incidents?x=\"<&>\"\u2028\x00\xff")
	f.Fuzz(func(t *testing.T, msg, key, value string) {
		p := newPair(nil)
		p.log(slog.LevelInfo, msg, slog.String(key, value), slog.String("k", key))
		require.Equal(t, p.stdB.String(), p.fastB.String())
	})
}

func BenchmarkRequestLine(b *testing.B) {
	for _, h := range []struct {
		name string
		new  func() slog.Handler
	}{
		{"slog", func() slog.Handler { return slog.NewJSONHandler(discard{}, nil) }},
		{"logjson", func() slog.Handler { return New(discard{}, nil) }},
	} {
		b.Run(h.name, func(b *testing.B) {
			logger := slog.New(h.new())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				logger.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("method", "GET"), slog.String("route", "/api/v1/incidents/:id"),
					slog.String("path", "/api/v1/incidents/5"), slog.Int("status", 200),
					slog.Duration("latency", 123456), slog.String("request_id", "7a235c45-d239-4176-b5dd-c83f7bf4fb5c"),
					slog.Int64("bytes", 1553), slog.String("principal", "alice"))
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("resolved") }

type groupValuer struct{}

func (groupValuer) LogValue() slog.Value { return slog.GroupValue(slog.Int("x", 1)) }

func randomAttrs(rng *rand.Rand) []slog.Attr {
	attrs := make([]slog.Attr, rng.IntN(10))
	for i := range attrs {
		key := randomString(rng)
		switch rng.IntN(11) {
		case 0:
			attrs[i] = slog.Int64(key, rng.Int64()-rng.Int64())
		case 1:
			attrs[i] = slog.Uint64(key, rng.Uint64())
		case 2:
			attrs[i] = slog.Bool(key, rng.IntN(2) == 0)
		case 3:
			attrs[i] = slog.Duration(key, time.Duration(rng.Int64()))
		case 4:
			attrs[i] = slog.Time(key, time.Unix(rng.Int64N(1<<35), rng.Int64N(1e9)).In(time.FixedZone("z", rng.IntN(50000)-25000)))
		case 5:
			attrs[i] = slog.Float64(key, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)))
		case 6:
			attrs[i] = slog.Group(key, slog.String(randomString(rng), randomString(rng)))
		case 7:
			attrs[i] = slog.Any(key, fmt.Errorf("e%d", rng.IntN(9)))
		default:
			attrs[i] = slog.String(key, randomString(rng))
		}
	}
	return attrs
}

// randomString mixes the bytes JSON escaping cares about: quotes, backslashes, control
// characters, DEL, HTML characters, multi-byte runes, U+2028/2029 and invalid UTF-8.
func randomString(rng *rand.Rand) string {
	pieces := []string{"a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"é", "€", "😀", "\u2028", "\u2029", "\xff", "\xe2\x82", "/", "route", "=", ":"}
	var b []byte
	for range rng.IntN(12) {
		b = append(b, pieces[rng.IntN(len(pieces))]...)
	}
	return string(b)
}
