package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/contextapi/contextapi/client"
)

// The command line for people (incidents, search, context, stats) asks a running
// service through the public client package, never by hand-made HTTP requests, and
// prints its answers as tables, JSON or YAML.

const (
	// envServer and envToken are the command line's variables: where the service is, and
	// the bearer token to send it.
	envServer = "CONTEXTAPI_SERVER"
	envToken  = "CONTEXTAPI_TOKEN"
	// defaultServer is where `contextapi serve` listens by default.
	defaultServer = "http://localhost:8080"
	// defaultTimeout bounds one command, retries included.
	defaultTimeout = 30 * time.Second
)

// cliVariable tells the command line's variables from misspelt configuration keys, so
// that serve does not warn about them.
func cliVariable(name string) bool { return name == envServer || name == envToken }

// console is what the commands read of their surroundings: streams, environment, clock
// and terminal. Tests give a fixed one.
type console struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	now            func() time.Time
	// terminal: stdout is a terminal, where tables fit its width and statuses may be
	// coloured; elsewhere (a pipe, a file) neither.
	terminal bool
	// width is the terminal's columns (COLUMNS wins over what the terminal says); 0 when
	// unknown.
	width int
}

// systemConsole is the process's own console.
func systemConsole() *console {
	c := &console{stdout: os.Stdout, stderr: os.Stderr, lookupEnv: os.LookupEnv, now: time.Now}
	fd := int(os.Stdout.Fd())
	c.terminal = term.IsTerminal(fd)
	if c.terminal {
		if w, _, err := term.GetSize(fd); err == nil {
			c.width = w
		}
	}
	if n, err := strconv.Atoi(c.getenv("COLUMNS")); err == nil && n > 0 {
		c.width = n
	}
	return c
}

func (c *console) getenv(name string) string {
	v, _ := c.lookupEnv(name)
	return v
}

// colour tells whether statuses are coloured: on a terminal only, and never when
// NO_COLOR is set to anything but the empty string (no-color.org) or the terminal
// says it cannot.
func (c *console) colour() bool {
	return c.terminal && c.getenv("NO_COLOR") == "" && c.getenv("TERM") != "dumb"
}

// fitWidth is the width tables must fit: the terminal's, or 0 (no limit) off a terminal.
func (c *console) fitWidth() int {
	if !c.terminal {
		return 0
	}
	return c.width
}

// cli is the state one command tree (incidents, search, context, stats) shares: the
// console and the flags that say how to reach the service and what to print.
type cli struct {
	con       *console
	server    string
	tokenFile string
	output    outputFormat
	timeout   time.Duration
}

// newCLI declares the connection and output flags on cmd, for it and its subcommands.
func newCLI(con *console, cmd *cobra.Command) *cli {
	c := &cli{con: con, output: "table"}
	fs := cmd.PersistentFlags()
	fs.StringVar(&c.server, "server", "", "URL of the contextapi service (default: $"+envServer+", else "+defaultServer+")")
	fs.StringVar(&c.tokenFile, "token-file", "", "file holding the bearer token to send (default: the token in $"+envToken+", if set)")
	fs.VarP(&c.output, "output", "o", "output format: table, json or yaml")
	fs.DurationVar(&c.timeout, "timeout", defaultTimeout, "how long the command may take, retries included")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion(outputFormats...))
	return c
}

// serverURL is --server, else CONTEXTAPI_SERVER, else the default.
func (c *cli) serverURL() string {
	if c.server != "" {
		return c.server
	}
	if v := c.con.getenv(envServer); v != "" {
		return v
	}
	return defaultServer
}

// client makes the API client: --token-file wins over CONTEXTAPI_TOKEN. A URL or token
// the client refuses is a usage error.
func (c *cli) client() (*client.Client, error) {
	opts := []client.Option{client.WithUserAgent("contextapi-cli/" + version + " " + client.DefaultUserAgent)}
	switch {
	case c.tokenFile != "":
		opts = append(opts, client.WithTokenFile(c.tokenFile))
	case c.con.getenv(envToken) != "":
		opts = append(opts, client.WithToken(c.con.getenv(envToken)))
	}
	api, err := client.New(c.serverURL(), opts...)
	if err != nil {
		return nil, usageError{err}
	}
	return api, nil
}

// call runs one command's work against the service and reports its failure the way
// people read it: a problem document's title and detail, or why the service could not
// be reached, on stderr with exit status 1.
func (c *cli) call(cmd *cobra.Command, work func(ctx context.Context, api *client.Client, out *view) error) error {
	if err := zeroIsUnset(cmd.Flags(), "limit", "min-samples", "days"); err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), c.timeout)
	defer cancel()
	out := &view{
		w: cmd.OutOrStdout(), errw: cmd.ErrOrStderr(), format: c.output,
		now: c.con.now(), colour: c.con.colour(), width: c.con.fitWidth(),
	}
	err = work(ctx, api, out)
	if err == nil {
		return nil
	}
	var usage usageError
	if errors.As(err, &usage) {
		return err
	}
	c.report(cmd.ErrOrStderr(), err)
	return exitStatus(1)
}

// fixedCompletion completes a flag or argument from a fixed list.
func fixedCompletion(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// commandGroup is a command that only holds subcommands: run alone, or with a word that
// is none of them, it is a usage error (exit status 2) rather than cobra's help with
// exit status 0.
func commandGroup(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				var names []string
				for _, sub := range cmd.Commands() {
					if sub.IsAvailableCommand() {
						names = append(names, sub.Name())
					}
				}
				return usageError{fmt.Errorf("%s needs a command: %s", subPath(cmd), strings.Join(names, ", "))}
			}
			return unknownCommand(cmd, args[0])
		},
	}
}

// unknownCommand is the usage error for a word that names no subcommand of cmd, with
// cobra's suggestions.
func unknownCommand(cmd *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q for %q", word, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, which only its own lookup sets
	}
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageError{errors.New(msg)}
}

// exactlyOne is an argument check for a command taking one argument, what.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageError{fmt.Errorf("%s needs %s", subPath(cmd), what)}
		case len(args) > 1:
			return usageError{fmt.Errorf("%s takes one argument, %s; got %d", subPath(cmd), what, len(args))}
		}
		return nil
	}
}

// noArgs is cobra.NoArgs as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments; got %q", subPath(cmd), args[0])}
	}
	return nil
}

// subPath is cmd's path below the root: "incidents get".
func subPath(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// parseID reads an incident id argument.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Errorf("incident ID %q: must be a positive whole number", s)}
	}
	return id, nil
}

// newCLICommands are the command line's commands, all reading the service through the
// client.
func newCLICommands(con *console) []*cobra.Command {
	return []*cobra.Command{newIncidentsCommand(con), newSearchCommand(con), newContextCommand(con), newStatsCommand(con), newMCPCommand(con)}
}
