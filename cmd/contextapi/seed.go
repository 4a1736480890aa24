package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/dataset/synthetic"
)

func newSeedCommand() *cobra.Command {
	var (
		name    string
		rows    int
		seed    uint64
		replace bool
	)
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Load the demo or a synthetic data set into the configured database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			now := time.Now().UTC()
			var src postgres.Source
			switch name {
			case "demo":
				src = postgres.Events(dataset.Demo(now))
			case "synthetic":
				if rows < 1 || rows > 10_000_000 {
					return &contextapi.ConfigError{Key: "rows", Reason: "must be between 1 and 10000000"}
				}
				src = synthetic.Generate(rows, seed, now)
			default:
				return &contextapi.ConfigError{Key: "dataset", Reason: "must be demo or synthetic"}
			}
			bar := progressbar.NewOptions(src.Len(),
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription("loading traces"),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetVisibility(src.Len() >= 50_000))
			start := time.Now()
			err = postgres.Load(cmd.Context(), cfg.DatabaseURL, src, postgres.LoadOptions{
				Replace:     replace,
				Progress:    func(done, _ int) { _ = bar.Set(done) },
				IndexMemory: "2GB",
			})
			_ = bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nloaded %d traces (%s data set) in %s\n", src.Len(), name, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	addConfigFlags(cmd.Flags(), "database_url")
	cmd.Flags().StringVar(&name, "dataset", "demo", "demo (the built-in set) or synthetic")
	cmd.Flags().IntVar(&rows, "rows", 100_000, "number of traces of the synthetic set")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the synthetic set (same seed, same data)")
	cmd.Flags().BoolVar(&replace, "replace", false, "empty the tables first instead of refusing non-empty ones")
	return cmd
}
