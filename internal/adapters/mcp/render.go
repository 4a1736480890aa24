package mcp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The text renderings are what a model reads first: counts, then the few most relevant
// rows, one line each. The structured content carries everything else.

// shownRows bounds the rows a rendering lists.
const shownRows = 5

// incidentLine is one incident in a line: "#123 HighMemoryUsage on Deployment
// payments/api: restart_pod, failed, 2026-12-01 10:22 UTC".
func incidentLine(inc Incident) string {
	ns := "(cluster)"
	if inc.Namespace != nil {
		ns = *inc.Namespace
	}
	line := fmt.Sprintf("#%d %s on %s %s/%s: %s, %s, %s", inc.ID, inc.Name, inc.TargetResource, ns, inc.TargetName,
		inc.ActionType, inc.Phase, inc.StartTime.UTC().Format("2006-01-02 15:04 UTC"))
	if inc.ErrorMessage != nil && *inc.ErrorMessage != "" {
		line += " (error: " + oneLine(*inc.ErrorMessage, 120) + ")"
	}
	return line
}

func renderList(l IncidentList) string {
	var b strings.Builder
	matches := count(l.Total, "incident") + " match"
	if l.Total == 1 {
		matches += "es"
	}
	if l.TotalIsEstimate {
		matches = "about " + matches
	}
	fmt.Fprintf(&b, "%s (showing %d)", matches, min(len(l.Incidents), shownRows))
	writeRows(&b, l.Incidents, func(inc Incident) string { return incidentLine(inc) })
	if l.NextCursor != nil {
		b.WriteString("\nMore incidents follow: call again with cursor " + strconv.Quote(*l.NextCursor) + ".")
	}
	return b.String()
}

func renderIncident(inc Incident) string {
	s := incidentLine(inc)
	if inc.Duration != nil {
		s += ", took " + (time.Duration(*inc.Duration) * time.Millisecond).String()
	}
	return s + ", severity " + inc.Severity + ", remediation request " + inc.RemediationRequestID
}

func renderSimilar(l SimilarList) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (showing %d)", count(len(l.Incidents), "similar incident"), min(len(l.Incidents), shownRows))
	writeRows(&b, l.Incidents, func(s SimilarIncident) string {
		return fmt.Sprintf("%.2f similar: %s", s.Similarity, incidentLine(s.Incident))
	})
	return b.String()
}

func renderRecovery(rc RecoveryContext) string {
	var b strings.Builder
	b.WriteString("Remediation request " + rc.Incident.RemediationRequestID + ", newest attempt: " + incidentLine(rc.Incident))
	fmt.Fprintf(&b, "\n%s for this alert", count(len(rc.PreviousAttempts), "previous attempt"))
	writeRows(&b, rc.PreviousAttempts, func(inc Incident) string { return incidentLine(inc) })
	if len(rc.SuggestedActions) == 0 {
		b.WriteString("\nNo action to suggest: none worked often enough without failing for this alert.")
	} else {
		b.WriteString("\nSuggested actions, best first:")
		writeRows(&b, rc.SuggestedActions, func(a SuggestedAction) string {
			return fmt.Sprintf("%s: %s success over %d finished incidents", a.ActionType, percent(a.SuccessRate), a.Samples)
		})
	}
	fmt.Fprintf(&b, "\n%s", count(len(rc.SimilarIncidents), "similar past incident"))
	writeRows(&b, rc.SimilarIncidents, func(s SimilarIncident) string {
		return fmt.Sprintf("%.2f similar: %s", s.Similarity, incidentLine(s.Incident))
	})
	return b.String()
}

func renderHistorical(in HistoricalInput, hc HistoricalContext) string {
	var b strings.Builder
	ns := in.Namespace
	if ns == "" {
		ns = "(cluster)"
	}
	actions := make([]string, 0, len(hc.SuccessRates))
	for a := range hc.SuccessRates {
		actions = append(actions, a)
	}
	// Most tried first: the actions that say the most about the object.
	sort.Slice(actions, func(i, j int) bool {
		x, y := hc.SuccessRates[actions[i]], hc.SuccessRates[actions[j]]
		if x.TotalAttempts != y.TotalAttempts {
			return x.TotalAttempts > y.TotalAttempts
		}
		return actions[i] < actions[j]
	})
	fmt.Fprintf(&b, "History of %s %s/%s: %s tried", in.Kind, ns, in.Name, count(len(actions), "action type"))
	writeRows(&b, actions, func(a string) string {
		r := hc.SuccessRates[a]
		return fmt.Sprintf("%s: %.1f%% success over %d attempts", a, r.SuccessRate, r.TotalAttempts)
	})
	fmt.Fprintf(&b, "\n%s on other objects", count(len(hc.SimilarIncidents), "similar incident"))
	writeRows(&b, hc.SimilarIncidents, func(h HistoricalIncident) string {
		return fmt.Sprintf("#%s %s, %s, %.2f similar, %s", h.IncidentID, h.RemediationAction, h.Outcome,
			h.SimilarityScore, h.Timestamp.UTC().Format("2006-01-02 15:04 UTC"))
	})
	names := make([]string, 0, len(hc.EnvironmentPatterns))
	for name := range hc.EnvironmentPatterns {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b.WriteString("\n" + name + ": " + hc.EnvironmentPatterns[name])
	}
	return b.String()
}

func renderRates(r SuccessRates) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d succeeded, %d failed, %d in progress; success rate %s. By %s (showing %d of %d):",
		count(r.Total, "incident"), r.Succeeded, r.Failed, r.InProgress, rate(r.SuccessRate), r.By, min(len(r.Groups), shownRows), len(r.Groups))
	writeRows(&b, r.Groups, func(g RateGroup) string {
		key := "(cluster-scoped)"
		if g.Key != nil {
			key = *g.Key
		}
		return fmt.Sprintf("%s: %s, %d succeeded, %d failed, success rate %s", key, count(g.Total, "incident"), g.Succeeded, g.Failed, rate(g.SuccessRate))
	})
	return b.String()
}

// writeRows writes the first shownRows rows, one per line.
func writeRows[T any](b *strings.Builder, rows []T, line func(T) string) {
	for _, r := range rows[:min(len(rows), shownRows)] {
		b.WriteString("\n- " + line(r))
	}
}

// count is "1 incident", "3 incidents".
func count[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(int64(n), 10) + " " + noun + "s"
}

func rate(r *float64) string {
	if r == nil {
		return "n/a (nothing finished)"
	}
	return percent(*r)
}

func percent(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + "%" }

// oneLine keeps a message on one line, at most n bytes of it.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// sortGroups orders groups largest first, then by key.
func sortGroups(gs []RateGroup) {
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Total != gs[j].Total {
			return gs[i].Total > gs[j].Total
		}
		return keyOf(gs[i]) < keyOf(gs[j])
	})
}

func keyOf(g RateGroup) string {
	if g.Key == nil {
		return ""
	}
	return *g.Key
}
