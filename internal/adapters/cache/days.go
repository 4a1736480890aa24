package cache

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.AggregateRepository = (*days)(nil)

const (
	day  = 24 * time.Hour
	hour = time.Hour
	// minDays is the fewest closed days worth cutting a window for: below it, one query
	// over the whole window costs less than the parts' queries.
	minDays = 2
	// maxDays bounds the days one window may keep (trend's longest window is 365); a
	// longer one is answered by one query, as without day partials.
	maxDays = 400
)

// days answers aggregations whose window spans whole UTC days from partial aggregates
// kept per closed day, and per closed hour at the window's ends: the window is cut at
// midnights and at the hours around them into
//
//	[since, next hour)  fresh: the head's partial hour
//	closed hours        stored: the rest of since's day
//	closed days         stored
//	closed hours        stored: today up to the current hour (or until's day up to its hour)
//	[that hour, until)  fresh: the tail's partial hour, open-ended without until
//
// The stored parts a window lacks (or holds older than the TTL) are read in one query
// per run of days or hours, grouped by day or hour as well, and stored for the TTL; the
// partial hours are read fresh. Groups are additive (counts and duration sums), so the
// parts merge by group key into exactly the answer one query over the window would give
// when nothing changed in between: a window of the last 30 days that the cache has seen
// before costs two queries over at most an hour of rows each, not one over 30 days.
//
// A stored part is used only while younger than the TTL, so no part of an answer is
// older than the TTL: Read.AsOf says when its oldest part was read, and the cache keeps
// the answer fresh only until then plus the TTL. Rows written into closed days (late
// arrivals, status updates) show up within the TTL, as in any other cached answer.
type days struct {
	next ports.AggregateRepository
	r    *Repository // store, clock, TTL, flight group and metrics
}

// run is a span of whole units (days or hours) stored one entry per unit.
type run struct {
	from, to time.Time
	unit     time.Duration
}

// n is the number of units in the run.
func (r run) n() int { return int(r.to.Sub(r.from) / r.unit) }

// window is an aggregation's time window cut for the store: the runs kept per unit, and
// the partial hours read fresh (each a copy of the filter with its own time bounds).
type window struct {
	runs  []run
	fresh []domain.Filter
}

// ceil is t rounded up to a multiple of unit (UTC).
func ceil(t time.Time, unit time.Duration) time.Time {
	if c := t.Truncate(unit); c.Before(t) {
		return c.Add(unit)
	}
	return t
}

// cut splits f's window by now: false when it spans too few closed days (or too many,
// or has no start), so that one query is the better answer.
func cut(f domain.Filter, now time.Time) (window, bool) {
	if f.Since == nil {
		return window{}, false
	}
	since, now := f.Since.UTC(), now.UTC()
	first, end := ceil(since, day), now.Truncate(day) // today is not closed
	stop := now.Truncate(hour)                        // nor is this hour
	if f.Until != nil {
		until := f.Until.UTC()
		end, stop = minTime(end, until.Truncate(day)), minTime(stop, until.Truncate(hour))
	}
	whole := run{first, end, day}
	if n := whole.n(); n < minDays || n > maxDays {
		return window{}, false
	}
	part := func(from time.Time, to *time.Time) domain.Filter {
		p := f
		p.Since, p.Until = &from, to
		return p
	}
	var w window
	headHours := run{ceil(since, hour), first, hour}
	if since.Before(headHours.from) {
		w.fresh = append(w.fresh, part(since, &headHours.from))
	}
	for _, r := range []run{headHours, whole, {end, stop, hour}} {
		if r.from.Before(r.to) {
			w.runs = append(w.runs, r)
		}
	}
	if f.Until == nil || stop.Before(*f.Until) {
		w.fresh = append(w.fresh, part(stop, f.Until))
	}
	return w, true
}

// Aggregate answers q from the stored parts when its window spans enough closed days,
// else from the repository. The Read is a miss when some part had to be read, a hit
// when every closed day and hour was stored; either way without a version (nothing
// stores this very answer) and with AsOf, when its oldest part was read.
func (d *days) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	now := d.r.opts.Now()
	w, ok := cut(q.Filter, now)
	if !ok {
		return d.next.Aggregate(ctx, q)
	}
	base, ok := dayBaseKey(q)
	if !ok {
		return d.next.Aggregate(ctx, q)
	}
	// Stored units first; the span from the first to the last missing unit of each run
	// is read in one query.
	type runParts struct {
		run    run
		groups [][]domain.Group // by unit
		asOf   []time.Time
		load   run // empty when nothing is missing
		loaded *entry
		err    error
	}
	runs := make([]*runParts, len(w.runs))
	for ri, r := range w.runs {
		rp := &runParts{run: r, groups: make([][]domain.Group, r.n()), asOf: make([]time.Time, r.n())}
		var missing []int
		for i := range rp.groups {
			if e, found := d.r.store.Get(partKey(base, r.from.Add(time.Duration(i)*r.unit), r.unit)); found && now.Before(e.freshUntil) {
				rp.groups[i], rp.asOf[i] = e.value.([]domain.Group), e.asOf
				continue
			}
			missing = append(missing, i)
		}
		d.r.metrics.parts(r.unit, r.n()-len(missing), len(missing))
		if len(missing) > 0 {
			from, to := missing[0], missing[len(missing)-1]+1
			rp.load = run{r.from.Add(time.Duration(from) * r.unit), r.from.Add(time.Duration(to) * r.unit), r.unit}
		}
		runs[ri] = rp
	}
	// Loads and fresh parts are independent reads: run them side by side.
	fresh := make([][]domain.Group, len(w.fresh))
	freshErrs := make([]error, len(w.fresh))
	var wg sync.WaitGroup
	for _, rp := range runs {
		if rp.load.from.Before(rp.load.to) {
			wg.Go(func() { rp.loaded, rp.err = d.load(ctx, q, base, rp.load) })
		}
	}
	for i, f := range w.fresh {
		wg.Go(func() {
			fresh[i], _, freshErrs[i] = d.next.Aggregate(ctx, domain.AggregateQuery{Filter: f, GroupBy: q.GroupBy})
		})
	}
	wg.Wait()
	read := domain.Read{Source: domain.ReadHit}
	asOf := now
	var parts [][]domain.Group
	for _, rp := range runs {
		if rp.err != nil {
			return nil, domain.Read{}, rp.err
		}
		if rp.loaded != nil { // the span read replaces whatever of it was stored
			read.Source = domain.ReadMiss
			offset := int(rp.load.from.Sub(rp.run.from) / rp.run.unit)
			for i, groups := range rp.loaded.value.([][]domain.Group) {
				rp.groups[offset+i], rp.asOf[offset+i] = groups, rp.loaded.asOf
			}
		}
		for i, groups := range rp.groups {
			parts = append(parts, groups)
			asOf = minTime(asOf, rp.asOf[i])
		}
	}
	for _, err := range freshErrs {
		if err != nil {
			return nil, domain.Read{}, err
		}
	}
	read.AsOf = asOf
	return merge(append(parts, fresh...)), read, nil
}

// load reads the units of span in one query grouped by day or hour as well, keeps
// each unit's groups in the store for the TTL, and returns them by unit (in an entry
// whose asOf is when the read began). Concurrent loads of the same span share one query.
func (d *days) load(ctx context.Context, q domain.AggregateQuery, base string, span run) (*entry, error) {
	dim := domain.DimDay
	unitOf := func(k domain.GroupKey) time.Time { return k.Day }
	if span.unit == hour {
		dim, unitOf = domain.DimHour, func(k domain.GroupKey) time.Time { return k.Hour }
	}
	key := base + ":" + span.from.Format(time.RFC3339) + ".." + span.to.Format(time.RFC3339) + ":" + string(dim)
	return d.r.flights.Do(ctx, key, func(ctx context.Context) (*entry, error) {
		if e, ok := d.stored(base, span); ok {
			return e, nil // a load that ended since the caller looked stored them
		}
		start := d.r.opts.Now() // the rows read are at least this recent
		f := q.Filter
		f.Since, f.Until = &span.from, &span.to
		keep := slices.Contains(q.GroupBy, dim)
		by := q.GroupBy
		if !keep {
			by = append(slices.Clip(by), dim)
		}
		groups, _, err := d.next.Aggregate(ctx, domain.AggregateQuery{Filter: f, GroupBy: by})
		if err != nil {
			return nil, err
		}
		perUnit := make([][]domain.Group, span.n())
		for _, g := range groups {
			t := unitOf(g.Key)
			i := int(t.Sub(span.from) / span.unit)
			if t.Before(span.from) || i >= len(perUnit) {
				return nil, fmt.Errorf("cache: day partials: a group of %s outside [%s, %s)",
					t.Format(time.RFC3339), span.from.Format(time.RFC3339), span.to.Format(time.RFC3339))
			}
			if !keep {
				if dim == domain.DimDay {
					g.Key.Day = time.Time{}
				} else {
					g.Key.Hour = time.Time{}
				}
			}
			perUnit[i] = append(perUnit[i], g)
		}
		stored := false
		for i, groups := range perUnit {
			e := &entry{value: groups, asOf: start, freshUntil: start.Add(d.r.opts.TTL), staleUntil: start.Add(d.r.opts.TTL)}
			key := partKey(base, span.from.Add(time.Duration(i)*span.unit), span.unit)
			if ttl := e.freshUntil.Sub(d.r.opts.Now()); ttl > 0 {
				stored = d.r.store.SetWithTTL(key, e, groupsCost(groups)+int64(len(key)), ttl) || stored
			}
		}
		if stored {
			d.r.store.Wait() // callers arriving after this load find the parts
		}
		return &entry{value: perUnit, asOf: start}, nil
	})
}

// stored returns every unit of span from the store, when each is there and fresh.
func (d *days) stored(base string, span run) (*entry, bool) {
	now := d.r.opts.Now()
	out := &entry{asOf: now}
	perUnit := make([][]domain.Group, span.n())
	for i := range perUnit {
		e, found := d.r.store.Get(partKey(base, span.from.Add(time.Duration(i)*span.unit), span.unit))
		if !found || !now.Before(e.freshUntil) {
			return nil, false
		}
		perUnit[i], out.asOf = e.value.([]domain.Group), minTime(out.asOf, e.asOf)
	}
	out.value = perUnit
	return out, true
}
