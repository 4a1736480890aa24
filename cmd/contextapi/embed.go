package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"golang.org/x/time/rate"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/openai"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

// embedKeys are the configuration keys embed takes as flags (no query cache: each text
// is embedded once).
var embedKeys = []string{"database_url", "database_password_file", "embedder_url", "embedder_model",
	"embedder_api_key_file", "embedder_timeout", "embedder_retries", "embedder_max_batch"}

func newEmbedCommand() *cobra.Command {
	var (
		batchSize, limit int
		rps              float64
		dryRun           bool
	)
	cmd := &cobra.Command{
		Use:   "embed",
		Short: "Fill the embedding of traces that have none, from their text (docs/embeddings.md)",
		Long: "Fill resource_action_traces.embedding where it is NULL, with the embedding the configured\n" +
			"embedder gives for each trace's text (alert, severity, object, namespace, action, error,\n" +
			"description; docs/embeddings.md). Only that column is written, only where it is NULL.\n" +
			"Batches are read by id: stopping (Ctrl-C finishes the current batch; twice abandons it)\n" +
			"and running again continues where it stopped. serve never does this.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case batchSize < 1 || batchSize > 1000:
				return usageError{errors.New("--batch-size must be from 1 to 1000")}
			case limit < 0:
				return usageError{errors.New("--limit must not be negative")}
			case rps < 0:
				return usageError{errors.New("--rate must not be negative")}
			}
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			if !cfg.Embedder.Enabled() && !dryRun {
				return &contextapi.ConfigError{Key: "embedder_url", Reason: "is required: embed asks the embedder for each trace's embedding (--dry-run needs none)"}
			}
			return runEmbed(cmd, cfg, embedFlags{batchSize: batchSize, limit: limit, rate: rps, dryRun: dryRun})
		},
	}
	addConfigFlags(cmd.Flags(), embedKeys...)
	cmd.Flags().IntVar(&batchSize, "batch-size", 32, "traces read, embedded and written together (one transaction)")
	cmd.Flags().IntVar(&limit, "limit", 0, "most traces to embed in this run (0: all)")
	cmd.Flags().Float64Var(&rps, "rate", 10, "most requests per second to the embedder (0: no limit)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "count the traces without an embedding and print one's text; write nothing, ask no model")
	return cmd
}

type embedFlags struct {
	batchSize, limit int
	rate             float64
	dryRun           bool
}

func runEmbed(cmd *cobra.Command, cfg contextapi.Config, f embedFlags) error {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	store, err := postgres.OpenEmbedWriter(ctx, cfg.DatabaseURL, cfg.DatabasePasswordFile)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	dims, err := store.Dimensions(ctx)
	if err != nil {
		return err
	}
	missing, err := store.CountUnembedded(ctx)
	if err != nil {
		return err
	}
	total := int(missing)
	if f.limit > 0 {
		total = min(total, f.limit)
	}
	if f.dryRun {
		return printEmbedPlan(ctx, out, store, missing, total, f.batchSize)
	}
	opts := cfg.Embedder.ClientOptions()
	opts.Dimensions = dims
	client, err := openai.New(opts)
	if err != nil {
		return err
	}
	// One embedding first: a model of the wrong dimension or a wrong key stops the run
	// before anything is read in bulk.
	if err := client.Check(ctx); err != nil {
		return fmt.Errorf("embedder at %s: %w", client.Endpoint(), err)
	}
	limiter := rate.NewLimiter(rate.Inf, 1)
	if f.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(f.rate), 1)
	}
	var stop atomic.Bool
	endSignals := onInterrupt(errOut, &stop, cancel)
	defer endSignals()
	progress, finish := embedProgress(errOut, total)
	job := &embedJob{store: store, embedder: client, batchSize: f.batchSize, limit: f.limit, limiter: limiter,
		stopping: stop.Load, progress: progress, log: errOut}
	start := time.Now()
	st, err := job.run(ctx)
	finish()
	left, cerr := store.CountUnembedded(context.WithoutCancel(ctx))
	summary := fmt.Sprintf("embedded %d traces in %s", st.Embedded, time.Since(start).Round(time.Millisecond))
	if st.Refused > 0 {
		summary += fmt.Sprintf("; %d refused by the model (listed above)", st.Refused)
	}
	if st.Taken > 0 {
		summary += fmt.Sprintf("; %d filled meanwhile by another run", st.Taken)
	}
	if cerr == nil {
		summary += fmt.Sprintf("; %d traces have no embedding", left)
	}
	fmt.Fprintln(out, summary)
	switch {
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled) && stop.Load():
		fmt.Fprintln(out, "stopped before the end: run embed again to continue")
		return exitStatus(130)
	case err != nil:
		return fmt.Errorf("embed (run it again to continue): %w", err)
	}
	return nil
}

// onInterrupt makes the first SIGINT or SIGTERM stop the run after its current batch,
// and a second one abandon that batch (its transaction rolls back). The returned func
// stops listening.
func onInterrupt(errOut io.Writer, stop *atomic.Bool, abandon func()) func() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
			}
			if n == 0 {
				stop.Store(true)
				fmt.Fprintln(errOut, "\ninterrupted: finishing the current batch (interrupt again to abandon it)")
				continue
			}
			abandon()
			return
		}
	}()
	return func() { signal.Stop(sigs); close(done) }
}

func printEmbedPlan(ctx context.Context, out io.Writer, store *postgres.EmbedWriter, missing int64, total, batchSize int) error {
	fmt.Fprintf(out, "%d traces have no embedding; this run would embed %d, in %d batches of up to %d\n",
		missing, total, (total+batchSize-1)/batchSize, batchSize)
	sample, err := store.NextUnembedded(ctx, 0, 1)
	if err != nil {
		return err
	}
	if len(sample) > 0 {
		fmt.Fprintf(out, "text of trace %d:\n  %s\n", sample[0].ID, sample[0].Text.Text())
	}
	fmt.Fprintln(out, "dry run: nothing written")
	return nil
}

// embedProgress reports a run: a bar on a terminal, a line per tenth elsewhere (logs of
// a Job).
func embedProgress(errOut io.Writer, total int) (func(done int), func()) {
	if total == 0 {
		return func(int) {}, func() {}
	}
	if f, ok := errOut.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(errOut),
			progressbar.OptionSetDescription("embedding traces"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond))
		return func(done int) { _ = bar.Set(done) }, func() { _ = bar.Finish(); fmt.Fprintln(errOut) }
	}
	next := 1
	return func(done int) {
		if done*10 >= next*total {
			fmt.Fprintf(errOut, "%d of %d traces done\n", done, total)
			next = done*10/total + 1
		}
	}, func() {}
}
