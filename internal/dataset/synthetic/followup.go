package synthetic

import "container/heap"

// occurrence is one firing of an alert on one object, followed through its attempts.
type occurrence struct {
	alert       int
	obj         object
	cluster     int
	severity    string
	fingerprint string // "" when the alert came without one
	attempt     int    // 1 for the first trace
	tried       uint8  // bit i: the alert's choice i was tried and failed
	last        int    // choice index of the previous attempt
	lastFailed  bool
	request     string // remediation request id of the previous attempt
}

// followUp is an attempt scheduled for later: a retry after a failure, or the alert
// firing again after a fix that did not hold.
type followUp struct {
	due int64  // µs since the window's start
	seq uint64 // scheduling order, to break ties deterministically
	occ occurrence
}

// queue is a min-heap of follow-ups by due time. Its size is bounded by the follow-ups
// scheduled within the longest delay (36 h), a few thousand even at 1M rows.
type queue []followUp

// Len is heap.Interface's.
func (q queue) Len() int { return len(q) }

// Less orders by due time, then by scheduling order.
func (q queue) Less(i, j int) bool {
	if q[i].due != q[j].due {
		return q[i].due < q[j].due
	}
	return q[i].seq < q[j].seq
}

// Swap is heap.Interface's.
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// Push is heap.Interface's; use schedule.
func (q *queue) Push(x any) { *q = append(*q, x.(followUp)) }

// Pop is heap.Interface's; use due.
func (q *queue) Pop() any {
	old := *q
	f := old[len(old)-1]
	*q = old[:len(old)-1]
	return f
}

func (q *queue) schedule(f followUp) { heap.Push(q, f) }

// popDue removes and returns the earliest follow-up when it is due by now (µs).
func (q *queue) popDue(now int64) (occurrence, bool) {
	if len(*q) == 0 || (*q)[0].due > now {
		return occurrence{}, false
	}
	return heap.Pop(q).(followUp).occ, true
}
