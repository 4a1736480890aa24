package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Build stamps, set by scripts/release.sh with
// -ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>".
// A plain `go build` leaves them empty or "dev" and the version command falls back to
// what the toolchain recorded in the binary, when it recorded anything.
var (
	version = "dev"
	commit  string
	date    string
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			rev, built := buildStamps()
			fmt.Fprintf(cmd.OutOrStdout(), "contextapi %s (commit %s, built %s, %s %s/%s)\n",
				version, rev, built, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

// buildStamps is the commit and build date stamped by the release build, else the VCS
// revision and commit time the toolchain recorded (go build -buildvcs), else "unknown".
func buildStamps() (rev, built string) {
	rev, built = commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		vcs := map[string]string{}
		for _, s := range info.Settings {
			vcs[s.Key] = s.Value
		}
		if rev == "" && vcs["vcs.revision"] != "" {
			rev = vcs["vcs.revision"]
			if vcs["vcs.modified"] == "true" {
				rev += "-dirty"
			}
		}
		if built == "" {
			built = vcs["vcs.time"]
		}
	}
	if rev == "" {
		rev = "unknown"
	}
	if built == "" {
		built = "unknown"
	}
	return rev, built
}
