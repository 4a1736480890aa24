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

func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var status exitStatus
	if errors.As(err, &status) {
		return int(status)
	}
	fmt.Fprintln(os.Stderr, "contextapi:", err)
	var cfgErr *contextapi.ConfigError
	var usage usageError
	if errors.As(err, &cfgErr) || errors.As(err, &usage) {
		return exitConfig
	}
	return 1
}

// usageError marks command-line mistakes (unknown flags, bad arguments).
type usageError struct{ error }

// exitStatus ends a command with that status and no error line: the command has
// already given its answer on stdout (migrate --status with pending migrations).
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "contextapi",
		Short:         "Historical context about past remediation incidents, over HTTP",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServeCommand(), newMigrateCommand(), newSeedCommand(), newTokenCommand(), newVersionCommand())
	return root
}
