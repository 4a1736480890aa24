package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/client"
)

// defaultPageSize is how many incidents `incidents list` shows without --limit: a
// screenful.
const defaultPageSize = 20

func newIncidentsCommand(con *console) *cobra.Command {
	cmd := commandGroup("incidents", "List, show and compare past incidents (asks a running service)")
	c := newCLI(con, cmd)
	cmd.AddCommand(newIncidentsListCommand(c), newIncidentsGetCommand(c), newIncidentsSimilarCommand(c))
	return cmd
}

func newIncidentsListCommand(c *cli) *cobra.Command {
	var (
		limit, offset int
		cursor        string
		all           bool
	)
	cmd := &cobra.Command{
		Use:   "list [filters]",
		Short: "List incidents, newest first",
		Long: "List incidents, newest first: one page (--limit, default 20), or with --all every page.\n" +
			"With --all, --limit is the page size fetched (default 100); -o json then prints\n" +
			"{\"incidents\": [...], \"total\": N} holding every page.",
		Example: "  contextapi incidents list --namespace checkout --limit 3\n" +
			"  contextapi incidents list --severity critical --phase failed --since 7d --all",
		Args: noArgs,
	}
	f := addFilterFlags(cmd, c.con)
	fs := cmd.Flags()
	fs.IntVar(&limit, "limit", 0, "incidents per page, 1 to 100 (default 20; with --all, 100)")
	fs.IntVar(&offset, "offset", 0, "skip this many incidents first, up to 10000")
	fs.StringVar(&cursor, "cursor", "", "start at this next_cursor of an earlier page (same filters and --limit)")
	fs.BoolVar(&all, "all", false, "follow every page to the end")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		opts := client.ListOptions{Filters: f.filters(), Limit: limit, Offset: offset, Cursor: cursor}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			if all {
				return listAll(ctx, api, opts, v)
			}
			if opts.Limit == 0 {
				opts.Limit = defaultPageSize
			}
			page, err := api.ListIncidents(ctx, opts)
			if err != nil {
				return err
			}
			return v.print(page, func() {
				if len(page.Incidents) == 0 {
					v.note("No incidents match.")
					return
				}
				incidentTable(page.Incidents, v.now).render(v)
				if page.NextCursor != nil {
					of := strconv.FormatInt(page.Total, 10)
					if page.TotalIsEstimate {
						of = "about " + of
					}
					v.note("showing %d of %s; --all for every page", page.Offset+len(page.Incidents), of)
				}
			})
		})
	}
	return cmd
}

// allPages is what `incidents list --all -o json` prints: every page's incidents.
type allPages struct {
	Incidents []client.Incident `json:"incidents"`
	Total     int               `json:"total"`
}

// listAll walks every page with the client's iterator.
func listAll(ctx context.Context, api *client.Client, opts client.ListOptions, v *view) error {
	out := allPages{Incidents: []client.Incident{}}
	for inc, err := range api.Incidents(ctx, opts) {
		if err != nil {
			return err
		}
		out.Incidents = append(out.Incidents, inc)
	}
	out.Total = len(out.Incidents)
	return v.print(out, func() {
		if len(out.Incidents) == 0 {
			v.note("No incidents match.")
			return
		}
		incidentTable(out.Incidents, v.now).render(v)
	})
}

func newIncidentsGetCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "get ID",
		Short:   "Show one incident",
		Example: "  contextapi incidents get 288",
		Args:    exactlyOne("an incident ID"),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID(args[0])
		if err != nil {
			return err
		}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			inc, err := api.GetIncident(ctx, id, client.GetOptions{})
			if err != nil {
				return notFound(err, "no incident has ID %d", id)
			}
			return v.print(inc, func() { incidentDetails(v, inc) })
		})
	}
	return cmd
}

func newIncidentsSimilarCommand(c *cli) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "similar ID [filters]",
		Short: "The incidents nearest to one incident by embedding, the incident itself left out",
		Example: "  contextapi incidents similar 281 --limit 3 --threshold 0.8\n" +
			"  contextapi incidents similar 281 --namespace payments --status completed",
		Args: exactlyOne("an incident ID"),
	}
	f := addFilterFlags(cmd, c.con)
	addSearchFlags(cmd.Flags(), &limit)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID(args[0])
		if err != nil {
			return err
		}
		opts := client.SimilarOptions{Filters: f.filters(), Limit: limit, Threshold: threshold(cmd.Flags())}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			res, err := api.SimilarIncidents(ctx, id, opts)
			if err != nil {
				return notFound(err, "no incident has ID %d", id)
			}
			return v.print(res, func() { printSimilar(v, res.Incidents) })
		})
	}
	return cmd
}

// printSimilar writes found incidents, or says that none was.
func printSimilar(v *view, found []client.SimilarIncident) {
	if len(found) == 0 {
		v.note("No incident is similar enough (try a lower --threshold).")
		return
	}
	similarTable(found, v.now).render(v)
}

// incidentColumns are the columns of an incident, for people.
var incidentColumns = []column{
	{header: "ID", rank: 0, right: true},
	{header: "AGE", rank: 3},
	{header: "NAMESPACE", rank: 6, min: 8},
	{header: "TARGET", rank: 2, min: 12},
	{header: "ALERT", rank: 5, min: 10},
	{header: "ACTION", rank: 4, min: 10},
	{header: "STATUS", rank: 1},
	{header: "DURATION", rank: 7, right: true},
}

// incidentCells are an incident's cells in incidentColumns' order.
func incidentCells(inc *client.Incident, now time.Time) []cell {
	st := status(inc)
	return []cell{
		plain(strconv.FormatInt(inc.ID, 10)), plain(age(now, inc.StartTime)), plain(orDash(inc.Namespace)),
		{text: target(inc), short: inc.TargetName}, plain(inc.Name), plain(inc.ActionType), {text: st, colour: statusColour(st)},
		plain(millis(inc.DurationMs)),
	}
}

// incidentTable lays incidents out, one a row.
func incidentTable(incs []client.Incident, now time.Time) *table {
	t := &table{cols: incidentColumns}
	for i := range incs {
		t.add(incidentCells(&incs[i], now)...)
	}
	return t
}

// similarTable lays found incidents out with their similarity.
func similarTable(found []client.SimilarIncident, now time.Time) *table {
	cols := append([]column{incidentColumns[0], {header: "SIMILARITY", rank: 1, right: true}}, incidentColumns[1:]...)
	t := &table{cols: cols}
	for i := range found {
		cells := incidentCells(&found[i].Incident, now)
		t.add(append([]cell{cells[0], plain(similarity(found[i].Similarity))}, cells[1:]...)...)
	}
	return t
}

// incidentDetails writes one incident, a field a line.
func incidentDetails(v *view, inc *client.Incident) {
	st := status(inc)
	started := inc.StartTime.UTC().Format(timeLayout) + " (" + age(v.now, inc.StartTime) + ")"
	ended := "-"
	if inc.EndTime != nil {
		ended = inc.EndTime.UTC().Format(timeLayout)
	}
	where := orDash(inc.Namespace)
	if inc.ClusterName != nil {
		where += " on " + *inc.ClusterName
	}
	if inc.Environment != nil {
		where += " (" + *inc.Environment + ")"
	}
	rows := [][2]string{
		{"ID", strconv.FormatInt(inc.ID, 10)},
		{"Alert", inc.Name + " (" + inc.Severity + ")"},
		{"Fingerprint", orDash(inc.AlertFingerprint)},
		{"Target", target(inc)},
		{"Namespace", where},
		{"Action", inc.ActionType},
		{"Status", v.paint(st, statusColour(st)) + " (phase " + inc.Phase + ")"},
		{"Started", started},
		{"Ended", ended},
		{"Duration", millis(inc.DurationMs)},
		{"Remediation", inc.RemediationRequestID},
	}
	if inc.ErrorMessage != nil {
		rows = append(rows, [2]string{"Error", *inc.ErrorMessage})
	}
	v.pairs(rows)
	if len(inc.Metadata) > 0 {
		fmt.Fprintln(v.w, "Metadata:")
		for _, l := range metadataLines(inc.Metadata) {
			fmt.Fprintln(v.w, "  "+l)
		}
	}
}

// timeLayout writes absolute times for people, in UTC.
const timeLayout = "2006-01-02 15:04:05 UTC"
