// Command contextapi serves historical context about past remediation incidents.
package main

import (
	"errors"
	"fmt"
	"os"

	contextapi "github.com/contextapi/contextapi"
	"github.com/spf13/cobra"
)

// exitConfig is the exit status for invalid configuration or usage.
const exitConfig = 2

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int { return runConsole(args, systemConsole()) }

// runConsole runs the command line in con: its streams, environment, clock and terminal.
func runConsole(args []string, con *console) int {
	root := newRoot(con)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var status exitStatus
	if errors.As(err, &status) {
		return int(status)
	}
	fmt.Fprintln(con.stderr, "contextapi:", err)
	var cfgErr *contextapi.ConfigError
	var usage usageError
	if errors.As(err, &usage) {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(con.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitConfig
	}
	if errors.As(err, &cfgErr) {
		return exitConfig
	}
	return 1
}

// usageError marks command-line mistakes (unknown flags, bad arguments).
type usageError struct{ error }

// exitStatus ends a command with that status and no error line: the command has
// already given its answer on stdout (migrate --status with pending migrations), or
// said on stderr what went wrong (a problem the service answered with).
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

func newRootCommand() *cobra.Command { return newRoot(systemConsole()) }

// newRoot is the command line, its commands for people reading con.
func newRoot(con *console) *cobra.Command {
	root := &cobra.Command{
		Use:           "contextapi",
		Short:         "Historical context about past remediation incidents, over HTTP",
		SilenceUsage:  true,
		SilenceErrors: true,
		// An unknown command is a usage error (exit status 2), not cobra's exit status 1.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknownCommand(cmd, args[0])
		},
	}
	root.SetOut(con.stdout)
	root.SetErr(con.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServeCommand(), newMigrateCommand(), newSeedCommand(), newEmbedCommand(), newTokenCommand(), newVersionCommand())
	root.AddCommand(newCLICommands(con)...)
	return root
}
