package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/internal/adapters/mcp"
)

// newMCPCommand serves the MCP tools on stdio, for a local agent (an IDE, a desktop
// assistant) that starts MCP servers as processes: each tool call asks the running
// service through the client, with the same server, token and timeout flags as the
// other client commands. Stdout carries the protocol only; messages go to stderr.
func newMCPCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mcp [--server URL] [--token-file FILE]",
		Short: "Serve the MCP tools on stdio for a local agent (asks a running service)",
		Long: "Serve contextapi's Model Context Protocol tools on stdin/stdout, for an agent that starts\n" +
			"MCP servers as local processes. Every tool call asks the service at --server through the\n" +
			"HTTP API, sending the token of --token-file or $" + envToken + "; --timeout bounds each call.\n" +
			"The service serves the same tools itself at /mcp for agents that speak streamable HTTP.",
		Example: "  contextapi mcp --server https://context-api.kubernaut-system.svc:8091 --token-file ~/.config/contextapi/token",
		Args:    noArgs,
	}
	c := newCLI(con, cmd)
	_ = cmd.PersistentFlags().MarkHidden("output") // the protocol decides the output
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		api, err := c.client()
		if err != nil {
			return err
		}
		s := mcp.NewServer(mcp.NewRemote(api), mcp.Options{Version: version, CallTimeout: c.timeout})
		if err := mcp.ServeStdio(cmd.Context(), s, cmd.InOrStdin(), cmd.OutOrStdout()); err != nil {
			_, _ = fmt.Fprintln(cmd.ErrOrStderr(), "contextapi", err)
			return exitStatus(1)
		}
		return nil // the agent closed stdin, or the process was asked to stop
	}
	return cmd
}
