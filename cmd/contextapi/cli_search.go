package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/client"
)

// newSearchCommand is a semantic search with another incident's embedding: unlike
// `incidents similar`, the incident itself is found too when the filters admit it,
// which the filters are there to decide (the same trouble in other namespaces).
func newSearchCommand(con *console) *cobra.Command {
	var (
		like  int64
		limit int
	)
	cmd := &cobra.Command{
		Use:   "search --like ID [filters]",
		Short: "Semantic search with an incident's embedding (asks a running service)",
		Long: "Semantic search with an incident's embedding: fetches incident ID with its embedding,\n" +
			"then searches the incidents nearest to it that the filters admit. The incident itself\n" +
			"is among the answers when the filters admit it (`incidents similar` leaves it out).",
		Example: "  contextapi search --like 288 --namespace payments --namespace search --limit 3 --threshold 0.8",
		Args:    noArgs,
	}
	c := newCLI(con, cmd)
	f := addFilterFlags(cmd, con)
	cmd.Flags().Int64Var(&like, "like", 0, "the incident whose embedding to search with (required)")
	addSearchFlags(cmd.Flags(), &limit)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if !cmd.Flags().Changed("like") {
			return usageError{errors.New("search needs --like ID: the incident whose embedding to search with")}
		}
		if like <= 0 {
			return usageError{fmt.Errorf("--like %d: must be a positive incident ID", like)}
		}
		req := client.SemanticSearchRequest{Limit: limit, Threshold: threshold(cmd.Flags()), Filters: f.filters()}
		return c.call(cmd, func(ctx context.Context, api *client.Client, v *view) error {
			inc, err := api.GetIncident(ctx, like, client.GetOptions{IncludeEmbedding: true})
			if err != nil {
				return notFound(err, "no incident has ID %d", like)
			}
			if len(inc.Embedding) == 0 {
				return fmt.Errorf("incident %d has no embedding to search with", like)
			}
			req.Embedding = inc.Embedding
			res, err := api.SemanticSearch(ctx, req)
			if err != nil {
				return err
			}
			return v.print(res, func() { printSimilar(v, res.Incidents) })
		})
	}
	return cmd
}
