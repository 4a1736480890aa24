package synthetic

import (
	"math"
	"math/rand/v2"
	"time"
)

const (
	// window is how far back a synthetic set reaches (four monthly partitions).
	window   = 90 * 24 * time.Hour
	windowUS = int64(window / time.Microsecond)
	hours    = int(window / time.Hour)
	hourUS   = float64(time.Hour / time.Microsecond)
)

// clock places N start times in the window without ever sorting them: slot i gets the
// time at which the cumulative incident intensity reaches (i + jitter)/N of its total,
// so times rise monotonically, the count is exact, and the density follows the intensity.
// The intensity is kept per hour (2,160 numbers).
type clock struct {
	cum []float64 // cum[k]: intensity before hour k of the window; cum[hours] is the total
}

// newClock shapes the intensity of the window starting at start. Its factors:
//   - growth: 0.55 at the oldest end to 1.45 now, because incident volume grows with the
//     fleet and because recent data is what users query most;
//   - a UTC working day: peak at 14:00 (deploys cause incidents), trough at 02:00 at 38% of it;
//   - a working week: Saturdays at 55%, Sundays at 50%;
//   - per-day variation (log-normal, σ = 0.2), and a storm day (×2) one day in 16.
func newClock(start time.Time, seed uint64) *clock {
	r := rand.New(rand.NewPCG(seed, streamDays))
	day0 := start.Truncate(24 * time.Hour)
	days := make([]float64, int(window/(24*time.Hour))+2)
	for d := range days {
		days[d] = math.Exp(0.2 * r.NormFloat64())
		if r.Float64() < 1.0/16 {
			days[d] *= 2
		}
	}
	c := &clock{cum: make([]float64, hours+1)}
	for k := range hours {
		mid := start.Add(time.Duration(k)*time.Hour + 30*time.Minute)
		growth := 0.55 + 0.9*(float64(k)+0.5)/float64(hours)
		hod := float64(mid.Hour()) + float64(mid.Minute())/60
		diurnal := 0.55 + 0.45*(1+math.Cos(2*math.Pi*(hod-14)/24))
		weekly := 1.0
		switch mid.Weekday() {
		case time.Saturday:
			weekly = 0.55
		case time.Sunday:
			weekly = 0.5
		}
		w := growth * diurnal * weekly * days[int(mid.Sub(day0)/(24*time.Hour))]
		c.cum[k+1] = c.cum[k] + w
	}
	return c
}

// ticker walks the clock's slots in order; it keeps the hour it reached, so a pass over
// all slots costs O(N + hours).
type ticker struct {
	c    *clock
	r    *rand.Rand
	n    int
	hour int
	prev int64
}

// offset returns slot i's start time in microseconds since the window's start:
// non-decreasing in i (strictly increasing while slots are more than 1 µs apart), in
// [0, windowUS).
func (t *ticker) offset(i int) int64 {
	total := t.c.cum[hours]
	u := (float64(i) + t.r.Float64()) / float64(t.n) * total
	for t.hour < hours-1 && t.c.cum[t.hour+1] <= u {
		t.hour++
	}
	lo, hi := t.c.cum[t.hour], t.c.cum[t.hour+1]
	frac := min(max((u-lo)/(hi-lo), 0), 1)
	off := int64((float64(t.hour) + frac) * hourUS)
	if i > 0 && off <= t.prev {
		off = t.prev + 1
	}
	off = min(off, windowUS-1)
	t.prev = off
	return off
}
