package cache

import (
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// merge adds up the groups of every part by group key, into new groups that share no
// memory with the parts (stored days stay immutable).
func merge(parts [][]domain.Group) []domain.Group {
	out := []domain.Group{}
	index := map[groupID]int{}
	for _, groups := range parts {
		for _, g := range groups {
			id := idOf(g.Key)
			i, ok := index[id]
			if !ok {
				i = len(out)
				index[id] = i
				out = append(out, cloneGroups([]domain.Group{{Key: g.Key}})[0])
			}
			out[i].Count += g.Count
			out[i].DurationSumMs += g.DurationSumMs
			out[i].DurationCount += g.DurationCount
		}
	}
	return out
}

// groupID is a comparable form of domain.GroupKey, whose nullable values are pointers.
type groupID struct {
	actionType, severity, name                  string
	status, namespace, environment, clusterName nullable
	day, hour                                   int64 // Unix seconds; the zero time (none) is year 1
}

type nullable struct {
	value string
	set   bool
}

func idOf(k domain.GroupKey) groupID {
	n := func(s *string) nullable {
		if s == nil {
			return nullable{}
		}
		return nullable{*s, true}
	}
	return groupID{actionType: k.ActionType, severity: k.Severity, name: k.Name, status: n(k.Status),
		namespace: n(k.Namespace), environment: n(k.Environment), clusterName: n(k.ClusterName),
		day: k.Day.Unix(), hour: k.Hour.Unix()}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
