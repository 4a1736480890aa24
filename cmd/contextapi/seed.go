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
			progress, finish := newProgress(src.Len())
			start := time.Now()
			err = postgres.Load(cmd.Context(), cfg.DatabaseURL, src, postgres.LoadOptions{
				Replace:      replace,
				Progress:     progress,
				IndexMemory:  "2GB",
				PasswordFile: cfg.DatabasePasswordFile,
			})
			finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "loaded %d traces (%s data set) in %s\n", src.Len(), name, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	addConfigFlags(cmd.Flags(), "database_url", "database_password_file")
	cmd.Flags().StringVar(&name, "dataset", "demo", "demo (the built-in set) or synthetic")
	cmd.Flags().IntVar(&rows, "rows", 100_000, "number of traces of the synthetic set")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the synthetic set (same seed, same data)")
	cmd.Flags().BoolVar(&replace, "replace", false, "empty the tables first instead of refusing non-empty ones")
	return cmd
}

// newProgress reports a long load: a progress bar on a terminal, a line per tenth
// otherwise (CI logs), nothing for small loads. The copy is followed by the vector
// index build, which takes most of the time on large sets: say so.
func newProgress(total int) (func(done, total int), func()) {
	if total < 50_000 {
		return nil, func() {}
	}
	const rebuilding = "traces copied; rebuilding the vector index and statistics (minutes on a million rows)"
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("loading traces"),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200*time.Millisecond))
		return func(done, total int) {
			_ = bar.Set(done)
			if done == total {
				_ = bar.Finish()
				fmt.Fprintln(os.Stderr, "\n"+rebuilding)
			}
		}, func() {}
	}
	next := 0
	return func(done, total int) {
		if done*10 >= next*total {
			fmt.Fprintf(os.Stderr, "loaded %d of %d traces\n", done, total)
			next = done*10/total + 1
		}
		if done == total {
			fmt.Fprintln(os.Stderr, rebuilding)
		}
	}, func() {}
}
