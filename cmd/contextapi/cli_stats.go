package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/client"
)

// statsKinds are the aggregations `stats` prints, with what each is.
var statsKinds = []cobra.Completion{
	cobra.CompletionWithDesc("success-rate", "success rate, overall and per action type"),
	cobra.CompletionWithDesc("namespaces", "incidents per namespace"),
	cobra.CompletionWithDesc("severity", "incidents per severity"),
	cobra.CompletionWithDesc("trend", "incidents per UTC day (--days)"),
}

func newStatsCommand(con *console) *cobra.Command {
	var days int
	cmd := &cobra.Command{
		Use:   "stats success-rate|namespaces|severity|trend [filters]",
		Short: "Aggregations over the incidents the filters select (asks a running service)",
		Example: "  contextapi stats success-rate --namespace checkout\n" +
			"  contextapi stats namespaces\n" +
			"  contextapi stats severity --since 7d\n" +
			"  contextapi stats trend --days 7",
		Args: statsArgs,
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return statsKinds, cobra.ShellCompDirectiveNoFileComp
		},
	}
	c := newCLI(con, cmd)
	f := addFilterFlags(cmd, con)
	cmd.Flags().IntVar(&days, "days", 0, "trend only: UTC days ending today, 1 to 365 (default: the service's 30)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		kind := args[0]
		if cmd.Flags().Changed("days") && kind != "trend" {
			return usageError{errors.New("--days applies to stats trend only")}
		}
		filters := f.filters()
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			switch kind {
			case "success-rate":
				sr, err := api.SuccessRate(ctx, filters)
				if err != nil {
					return err
				}
				return v.print(sr, func() { successRateTable(v, sr) })
			case "namespaces":
				nc, err := api.NamespaceCounts(ctx, filters)
				if err != nil {
					return err
				}
				return v.print(nc, func() { namespaceTable(v, nc) })
			case "severity":
				sc, err := api.SeverityCounts(ctx, filters)
				if err != nil {
					return err
				}
				return v.print(sc, func() { severityTable(v, sc) })
			}
			tr, err := api.Trend(ctx, client.TrendOptions{Filters: filters, Days: days})
			if err != nil {
				return err
			}
			return v.print(tr, func() { trendTable(v, tr) })
		})
	}
	return cmd
}

// statsArgs accepts exactly one kind of aggregation.
func statsArgs(_ *cobra.Command, args []string) error {
	var names []string
	for _, k := range statsKinds {
		name, _, _ := strings.Cut(k, "\t")
		names = append(names, name)
	}
	if len(args) != 1 || !slices.Contains(names, args[0]) {
		return usageError{fmt.Errorf("stats needs one of %s", strings.Join(names, ", "))}
	}
	return nil
}

func successRateTable(v *view, sr *client.SuccessRate) {
	fmt.Fprintf(v.w, "%d incidents: %d succeeded, %d failed, %d in progress; success rate %s\n",
		sr.Total, sr.Succeeded, sr.Failed, sr.InProgress, percent(sr.Rate))
	if len(sr.ByActionType) == 0 {
		return
	}
	fmt.Fprintln(v.w)
	t := &table{cols: []column{
		{header: "ACTION", rank: 0, min: 10}, {header: "TOTAL", rank: 2, right: true},
		{header: "SUCCEEDED", rank: 3, right: true}, {header: "FAILED", rank: 3, right: true},
		{header: "SUCCESS RATE", rank: 1, right: true}, {header: "AVG DURATION", rank: 4, right: true},
	}}
	for _, a := range sr.ByActionType {
		var avg *int64
		if a.AvgDurationMs != nil {
			ms := int64(*a.AvgDurationMs)
			avg = &ms
		}
		t.add(plain(a.ActionType), plain(itoa(a.Total)), plain(itoa(a.Succeeded)), plain(itoa(a.Failed)),
			plain(percent(a.Rate)), plain(millis(avg)))
	}
	t.render(v)
}

func namespaceTable(v *view, nc *client.NamespaceCounts) {
	if len(nc.Groups) == 0 {
		v.note("No incidents match.")
		return
	}
	t := &table{cols: []column{
		{header: "NAMESPACE", rank: 0, min: 10}, {header: "INCIDENTS", rank: 1, right: true},
		{header: "SUCCEEDED", rank: 3, right: true}, {header: "FAILED", rank: 3, right: true},
		{header: "SUCCESS RATE", rank: 2, right: true},
	}}
	for _, g := range nc.Groups {
		ns := "(cluster-scoped)"
		if g.Namespace != nil {
			ns = *g.Namespace
		}
		t.add(plain(ns), plain(itoa(g.Count)), plain(itoa(g.Succeeded)), plain(itoa(g.Failed)), plain(percent(ratio(g.Succeeded, g.Failed))))
	}
	t.render(v)
}

func severityTable(v *view, sc *client.SeverityCounts) {
	if len(sc.Distribution) == 0 {
		v.note("No incidents match.")
		return
	}
	var total int64
	for _, n := range sc.Distribution {
		total += n
	}
	// Largest first, then by name: a stable order whatever the map's.
	names := slices.SortedFunc(maps.Keys(sc.Distribution), func(a, b string) int {
		return cmp.Or(cmp.Compare(sc.Distribution[b], sc.Distribution[a]), cmp.Compare(a, b))
	})
	t := &table{cols: []column{
		{header: "SEVERITY", rank: 0, min: 8}, {header: "INCIDENTS", rank: 1, right: true}, {header: "SHARE", rank: 2, right: true},
	}}
	for _, name := range names {
		share := float64(sc.Distribution[name]) / float64(total)
		t.add(plain(name), plain(itoa(sc.Distribution[name])), plain(percent(&share)))
	}
	t.render(v)
}

// maxBar is the longest bar of the trend, in characters.
const maxBar = 40

func trendTable(v *view, tr *client.Trend) {
	var most int64
	for _, p := range tr.Points {
		most = max(most, p.Count)
	}
	bar := maxBar
	if v.width > 0 {
		bar = min(bar, v.width-len("2006-01-02")-len("INCIDENTS")-2*len(gap))
	}
	t := &table{cols: []column{{header: "DATE", rank: 0}, {header: "INCIDENTS", rank: 1, right: true}, {header: "", rank: 2}}}
	for _, p := range tr.Points {
		n := 0
		if most > 0 && bar > 0 {
			n = int((p.Count*int64(bar) + most - 1) / most) // a day with incidents gets at least one block
		}
		t.add(plain(p.Date.Format("2006-01-02")), plain(strconv.FormatInt(p.Count, 10)), plain(strings.Repeat("█", n)))
	}
	t.render(v)
}
