package app

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/contextapi/contextapi/internal/domain"
)

// The names of the facts in environment_patterns.
const (
	PatternEnvironment          = "environment"
	PatternCluster              = "cluster"
	PatternMostFrequentAlert    = "most_frequent_alert"
	PatternMostSuccessfulAction = "most_successful_action"
)

// patterns states what the object's history (groups by action type, status, alert,
// environment and cluster over the last `window`) shows, one short sentence per fact.
// The consumer hands these to a language model, so they are plain sentences that carry
// their own numbers.
func patterns(groups []domain.Group, window string) map[string]string {
	var total int64
	envs, clusters, alerts := counter{}, counter{}, counter{}
	for _, g := range groups {
		total += g.Count
		envs.add(g.Key.Environment, g.Count)
		clusters.add(g.Key.ClusterName, g.Count)
		alerts.add(&g.Key.Name, g.Count)
	}
	return map[string]string{
		PatternEnvironment: spread(envs.ranked(), total, window, "in", "in an unrecorded environment"),
		PatternCluster: spread(clusters.ranked(), total, window, "on cluster",
			"on an unrecorded cluster"),
		PatternMostFrequentAlert:    mostFrequentAlert(alerts.ranked(), total, window),
		PatternMostSuccessfulAction: mostSuccessfulAction(successRates(groups).ByActionType, window),
	}
}

// counter counts incidents per value of a nullable property; "" stands for NULL, which
// no environment, cluster or alert name is.
type counter map[string]int64

func (c counter) add(v *string, n int64) {
	if v == nil {
		c[""] += n
		return
	}
	c[*v] += n
}

// count is one value of a property and its number of incidents.
type count struct {
	value string // "" for NULL
	n     int64
}

// ranked lists the values most frequent first, then by name, NULL last among equals.
func (c counter) ranked() []count {
	out := make([]count, 0, len(c))
	for v, n := range c {
		out = append(out, count{v, n})
	}
	slices.SortFunc(out, func(a, b count) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		if (a.value == "") != (b.value == "") {
			if a.value == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.value, b.value)
	})
	return out
}

// spread says how the incidents are spread over the values of one property, e.g.
// "5 of 6 incidents in the last 30 days were in production, 1 in staging."
func spread(values []count, total int64, window, prep, unrecorded string) string {
	phrase := func(c count) string {
		if c.value == "" {
			return unrecorded
		}
		return prep + " " + c.value
	}
	switch {
	case total == 1:
		return fmt.Sprintf("Its only incident in the last %s was %s.", window, phrase(values[0]))
	case len(values) == 1:
		return fmt.Sprintf("%s in the last %s were %s.", capitalise(allOf(total)), window, phrase(values[0]))
	}
	rest := make([]string, 0, len(values)-1)
	for _, c := range values[1:] {
		rest = append(rest, fmt.Sprintf("%d %s", c.n, phrase(c)))
	}
	return fmt.Sprintf("%d of %d incidents in the last %s were %s, %s.",
		values[0].n, total, window, phrase(values[0]), strings.Join(rest, ", "))
}

func mostFrequentAlert(alerts []count, total int64, window string) string {
	top := alerts[0]
	switch {
	case total == 1:
		return fmt.Sprintf("%s raised its only incident in the last %s.", top.value, window)
	case len(alerts) == 1:
		return fmt.Sprintf("%s raised %s in the last %s.", top.value, allOf(total), window)
	}
	return fmt.Sprintf("%s is its most frequent alert: %d of %d incidents in the last %s.", top.value, top.n, total, window)
}

// mostSuccessfulAction names the action type that fixed the object most often: most
// successes, then the higher rate, then by name.
func mostSuccessfulAction(rates []domain.ActionTypeRate, window string) string {
	var best *domain.ActionTypeRate
	for i := range rates {
		a := &rates[i]
		if a.Succeeded == 0 {
			continue
		}
		if best == nil || a.Succeeded > best.Succeeded ||
			a.Succeeded == best.Succeeded && (*a.Rate > *best.Rate || *a.Rate == *best.Rate && a.ActionType < best.ActionType) {
			best = a
		}
	}
	if best == nil {
		return fmt.Sprintf("No remediation succeeded in the last %s.", window)
	}
	finished := best.Succeeded + best.Failed
	if finished == 1 {
		return fmt.Sprintf("%s fixed it most often: its only finished attempt in the last %s succeeded.", best.ActionType, window)
	}
	return fmt.Sprintf("%s fixed it most often: %d of %d finished attempts in the last %s succeeded.",
		best.ActionType, best.Succeeded, finished, window)
}

// allOf says "all N incidents", or "both incidents" for two.
func allOf(total int64) string {
	if total == 2 {
		return "both incidents"
	}
	return fmt.Sprintf("all %d incidents", total)
}

func capitalise(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
