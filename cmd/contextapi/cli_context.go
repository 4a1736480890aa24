package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/client"
)

func newContextCommand(con *console) *cobra.Command {
	cmd := commandGroup("context", "Recovery and historical context (asks a running service)")
	c := newCLI(con, cmd)
	cmd.AddCommand(newRecoveryCommand(c), newHistoricalCommand(c))
	return cmd
}

func newRecoveryCommand(c *cli) *cobra.Command {
	var limit, minSamples int
	cmd := &cobra.Command{
		Use:   "recovery REMEDIATION_REQUEST_ID",
		Short: "What to try after a failed remediation: earlier attempts, similar incidents, outcomes, suggestions",
		Example: "  contextapi context recovery fcd503bc-3367-498c-8af8-26ac6d657b18\n" +
			"  contextapi context recovery ddca5de0-be5e-4514-8d5a-6c1bf46fe5d3 --min-samples 2",
		Args: exactlyOne("a remediation request ID"),
	}
	fs := cmd.Flags()
	fs.IntVar(&limit, "limit", 0, "most similar incidents, 1 to 50 (default: the service's 10)")
	fs.Float64("threshold", 0, "least similarity of the similar incidents, 0 to 1 (default: the service's 0.7)")
	fs.IntVar(&minSamples, "min-samples", 0, "finished incidents an action type needs to be suggested, 1 to 1000 (default: the service's 3)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts := client.RecoveryOptions{Limit: limit, Threshold: threshold(cmd.Flags()), MinSamples: minSamples}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			rc, err := api.RecoveryContext(ctx, args[0], opts)
			if err != nil {
				return notFound(err, "no incident carries remediation request ID %s", args[0])
			}
			return v.print(rc, func() { recoveryTables(v, rc) })
		})
	}
	return cmd
}

// recoveryTables writes a recovery context in sections.
func recoveryTables(v *view, rc *client.RecoveryContext) {
	v.heading(true, "Incident (the request's newest trace):")
	incidentTable([]client.Incident{rc.Incident}, v.now).render(v)

	if len(rc.PreviousAttempts) == 0 {
		v.heading(false, "Previous attempts of this alert: none")
	} else {
		v.heading(false, "Previous attempts of this alert (%d):", len(rc.PreviousAttempts))
		incidentTable(rc.PreviousAttempts, v.now).render(v)
	}

	if len(rc.SimilarIncidents) == 0 {
		v.heading(false, "Similar incidents: none")
	} else {
		v.heading(false, "Similar incidents (%d):", len(rc.SimilarIncidents))
		similarTable(rc.SimilarIncidents, v.now).render(v)
	}

	if len(rc.ActionOutcomes) == 0 {
		v.heading(false, "Outcomes per action type: none")
	} else {
		v.heading(false, "Outcomes per action type, over both:")
		t := &table{cols: []column{
			{header: "ACTION", rank: 0, min: 10}, {header: "TOTAL", rank: 2, right: true},
			{header: "SUCCEEDED", rank: 3, right: true}, {header: "FAILED", rank: 3, right: true},
			{header: "SUCCESS RATE", rank: 1, right: true},
		}}
		for _, o := range rc.ActionOutcomes {
			t.add(plain(o.ActionType), plain(itoa(o.Total)), plain(itoa(o.Succeeded)), plain(itoa(o.Failed)), plain(percent(o.Rate)))
		}
		t.render(v)
	}

	if len(rc.SuggestedActions) == 0 {
		v.heading(false, "Suggested actions: none (no action type has enough finished samples without failing for this alert; see --min-samples)")
		return
	}
	v.heading(false, "Suggested actions, best first:")
	t := &table{cols: []column{
		{header: "ACTION", rank: 0, min: 10}, {header: "SUCCESS RATE", rank: 1, right: true}, {header: "SAMPLES", rank: 2, right: true},
	}}
	for _, s := range rc.SuggestedActions {
		t.add(plain(s.ActionType), plain(percent(&s.Rate)), plain(itoa(s.Samples)))
	}
	t.render(v)
}

func newHistoricalCommand(c *cli) *cobra.Command {
	var (
		namespace, kind, name string
		timeRange             spanFlag
		noSimilar             bool
	)
	cmd := &cobra.Command{
		Use:   "historical --kind KIND --name NAME [--namespace NAMESPACE]",
		Short: "One Kubernetes object's history: success rates per action, similar incidents, patterns",
		Long: "One Kubernetes object's history, as HolmesGPT-API asks for it: success rates per action\n" +
			"type, incidents on other objects like its latest, and patterns of its incidents.\n" +
			"Leave --namespace out for a cluster-scoped object (a node).",
		Example: "  contextapi context historical --namespace checkout --kind deployment --name checkout-api\n" +
			"  contextapi context historical --kind node --name worker-3 --time-range 7d",
		Args: noArgs,
	}
	fs := cmd.Flags()
	fs.StringVarP(&namespace, "namespace", "n", "", "the object's namespace (none: a cluster-scoped object)")
	fs.StringVar(&kind, "kind", "", "the object's kind, in any case: deployment, statefulset, node, ... (required)")
	fs.StringVar(&name, "name", "", "the object's name (required)")
	fs.Var(&timeRange, "time-range", "how far back to look: 12h, 30d, at most 365d (default: the service's 30d)")
	fs.BoolVar(&noSimilar, "no-similar", false, "skip the search for similar incidents on other objects")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var missing []string
		if kind == "" {
			missing = append(missing, "--kind")
		}
		if name == "" {
			missing = append(missing, "--name")
		}
		if len(missing) > 0 {
			return usageError{fmt.Errorf("context historical needs %s", joinAnd(missing))}
		}
		q := client.HistoricalQuery{Namespace: namespace, TargetType: kind, TargetName: name, TimeRange: timeRange.d, WithoutSimilar: noSimilar}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			hc, err := api.HistoricalContext(ctx, q)
			if err != nil {
				return notFound(err, "no history: %s %s%s has no incidents in the last %s", kind, name, inNamespace(namespace), orDefault(timeRange.raw, "30d"))
			}
			return v.print(hc, func() { historicalTables(v, hc, orDefault(timeRange.raw, "30d"), !noSimilar) })
		})
	}
	return cmd
}

// patternOrder lists the environment patterns the service writes, in reading order;
// others follow by name.
var patternOrder = []string{"environment", "cluster", "most_frequent_alert", "most_successful_action"}

// historicalTables writes an object's history in sections; similar: the similar
// incidents were asked for.
func historicalTables(v *view, hc *client.HistoricalContext, rangeText string, similar bool) {
	v.heading(true, "Success rates per action type, last %s:", rangeText)
	t := &table{cols: []column{
		{header: "ACTION", rank: 0, min: 10}, {header: "SUCCESS RATE", rank: 1, right: true},
		{header: "ATTEMPTS", rank: 2, right: true}, {header: "AVG DURATION", rank: 3, right: true},
	}}
	for _, action := range slices.Sorted(maps.Keys(hc.SuccessRates)) {
		r := hc.SuccessRates[action]
		rate := strconv.FormatFloat(r.SuccessPercent, 'f', 1, 64) + "%"
		t.add(plain(action), plain(rate), plain(itoa(r.TotalAttempts)), plain(seconds(r.AvgDurationSeconds)))
	}
	t.render(v)

	switch {
	case !similar:
		// --no-similar: not searched, so nothing to say about them.
	case len(hc.SimilarIncidents) == 0:
		v.heading(false, "Similar incidents on other objects: none")
	default:
		v.heading(false, "Similar incidents on other objects (%d):", len(hc.SimilarIncidents))
		s := &table{cols: []column{
			{header: "ID", rank: 0, right: true}, {header: "SIMILARITY", rank: 1, right: true},
			{header: "AGE", rank: 3}, {header: "ACTION", rank: 2, min: 10}, {header: "OUTCOME", rank: 1},
		}}
		for _, si := range hc.SimilarIncidents {
			s.add(plain(itoa(si.IncidentID)), plain(similarity(si.SimilarityScore)), plain(age(v.now, si.Timestamp)),
				plain(si.RemediationAction), cell{text: si.Outcome, colour: statusColour(si.Outcome)})
		}
		s.render(v)
	}

	if len(hc.EnvironmentPatterns) == 0 {
		return
	}
	v.heading(false, "Patterns:")
	var rows [][2]string
	for _, k := range patternOrder {
		if p, ok := hc.EnvironmentPatterns[k]; ok {
			rows = append(rows, [2]string{"  " + patternLabel(k), p})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(hc.EnvironmentPatterns)) {
		if !slices.Contains(patternOrder, k) {
			rows = append(rows, [2]string{"  " + patternLabel(k), hc.EnvironmentPatterns[k]})
		}
	}
	v.pairs(rows)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func inNamespace(ns string) string {
	if ns == "" {
		return " (cluster-scoped)"
	}
	return " in " + ns
}

// joinAnd joins words with commas and a final "and".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	out := words[0]
	for _, w := range words[1 : len(words)-1] {
		out += ", " + w
	}
	return out + " and " + words[len(words)-1]
}
