package contenders

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/contextapi/contextapi/bench/internal/progress"
)

// Binary is the contextapi binary built from the working tree.
type Binary string

// Build builds contextapi once per run, into work.
func Build(ctx context.Context, root, work string) (Binary, error) {
	bin := work + "/contextapi"
	progress.Logf("building contextapi")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/contextapi") // #nosec G204 -- bin is in the bench's own temporary work directory
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/contextapi: %w", err)
	}
	return Binary(bin), nil
}

// Run runs a contextapi subcommand (migrate, seed) with a clean environment, its output
// on stderr.
func (b Binary) Run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, string(b), args...) // #nosec G204 -- the contextapi the bench built; args are its own
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("contextapi %s: %w", args[0], err)
	}
	return nil
}

// Serve runs `contextapi serve` in its production configuration (JSON request logs to a
// file, metrics and request ids on, as always; only --drain-delay 0s differs, which
// affects shutdown alone) with the cache on or off, and returns its base URL once ready.
func (b Binary) Serve(ctx context.Context, work, name, dbURL string, cache bool) (*Proc, string, error) {
	return b.ServeWith(ctx, work, name, dbURL, "--cache-enabled="+fmt.Sprint(cache))
}

// ServeWith is Serve with the configuration flags given (the cache on unless they say
// otherwise), such as a shared cache's.
func (b Binary) ServeWith(ctx context.Context, work, name, dbURL string, flags ...string) (*Proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	args := append([]string{"serve", "--addr", addr, "--database-url", dbURL, "--log-format", "json",
		"--drain-delay", "0s"}, flags...)
	p, err := startProc(ctx, work, name, string(b), args, nil)
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	if err := waitReady(ctx, p, base+"/health/ready"); err != nil {
		p.Stop()
		return nil, "", err
	}
	return p, base, nil
}
