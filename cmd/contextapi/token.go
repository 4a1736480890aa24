package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/internal/adapters/auth/bearer"
)

// newTokenCommand prints a new bearer token and the line that admits it, for
// auth_mode bearer: the token goes to the caller, the line to the tokens file, which
// holds only its digest.
func newTokenCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a new random bearer token and the line to add to auth_tokens_file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bearer.CheckName(name); err != nil {
				return usageError{fmt.Errorf("--name: %w", err)}
			}
			token, err := bearer.NewToken()
			if err != nil {
				return fmt.Errorf("token: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "token (give it to %s; it is shown once and stored nowhere):\n%s\n\n", name, token)
			fmt.Fprintf(out, "line for auth_tokens_file:\n%s\n", bearer.Line(name, token))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "who the token is for: the name the request log gives its requests")
	return cmd
}
