package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/contextapi/contextapi/bench/internal/database"
)

// DescribeMachine names the machine: CPUs, memory, CPU model, OS, Go, PostgreSQL and
// pgvector versions.
func DescribeMachine(ctx context.Context, dbURL string) (string, error) {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	osName := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", database.Redact(dbURL), err)
	}
	defer conn.Close(context.Background())
	var pg, vec string
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'),
		COALESCE((SELECT extversion FROM pg_extension WHERE extname = 'vector'),
			(SELECT default_version FROM pg_available_extensions WHERE name = 'vector'), 'none')`).Scan(&pg, &vec); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d vCPU %s%s, %s, %s, PostgreSQL %s, pgvector %s (same host, loopback)",
		runtime.NumCPU(), model, mem, osName, runtime.Version(), pg, vec), nil
}

// Revision is the git commit the run measured, "+dirty" with local changes.
func Revision(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output() // #nosec G204 -- root is the module root found from the working directory
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 { // #nosec G204 -- as above
		rev += "+dirty"
	}
	return rev
}
