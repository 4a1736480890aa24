package postgres

import (
	"iter"
	"slices"

	"github.com/contextapi/contextapi/internal/domain"
)

// Source is a data set Load can read twice: once for the objects and months it
// touches, once to copy its traces. Large synthetic sets generate rows on the fly
// rather than hold them all.
type Source interface {
	Len() int
	All() iter.Seq[domain.IncidentEvent]
}

// Events adapts a slice to a Source.
type Events []domain.IncidentEvent

// Len is the number of events.
func (e Events) Len() int { return len(e) }

// All yields the events in order.
func (e Events) All() iter.Seq[domain.IncidentEvent] { return slices.Values(e) }
