package test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sys/unix"
)

// separateCPUs gives PostgreSQL the last CPU and this process (the service and the load
// generator) the others, when the database runs on this machine: in production Data
// Storage's PostgreSQL runs on another node, and on a shared two-CPU machine its exact
// scans would otherwise take the CPUs the service's cached path needs, measuring the
// co-location rather than the service. It returns how the CPUs were split, or why not,
// and puts every process back on all CPUs when the benchmark ends.
func separateCPUs(b *testing.B, dsn string) string {
	ctx := b.Context()
	n := len(cpusOf(0))
	if n < 2 {
		return "not separated: one CPU"
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "not separated: " + err.Error()
	}
	defer conn.Close(ctx)
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return "not separated: " + err.Error()
	}
	postmaster, err := parentOf(backend)
	if err != nil || !isLocalProcess(postmaster) {
		return "not separated: the database is not a process of this machine"
	}
	var db, own unix.CPUSet
	db.Set(n - 1)
	for c := range n - 1 {
		own.Set(c)
	}
	var all unix.CPUSet
	for c := range n {
		all.Set(c)
	}
	pin := func(db, own *unix.CPUSet) {
		// New backends inherit the postmaster's affinity; running ones are set too.
		for _, pid := range append(childrenOf(postmaster), postmaster) {
			_ = unix.SchedSetaffinity(pid, db)
		}
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, t := range tasks {
			if tid, err := strconv.Atoi(t.Name()); err == nil {
				_ = unix.SchedSetaffinity(tid, own)
			}
		}
	}
	pin(&db, &own)
	b.Cleanup(func() { pin(&all, &all) }) // the database serves other tests after this one
	return fmt.Sprintf("PostgreSQL on CPU %d, the service and load generator on CPUs 0-%d", n-1, n-2)
}

func cpusOf(pid int) []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &set); err != nil {
		return nil
	}
	var out []int
	for c := range 1024 {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}

func parentOf(pid int) (int, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return strconv.Atoi(fields[1])
}

func childrenOf(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		child, err := strconv.Atoi(filepath.Base(filepath.Dir(s)))
		if err != nil {
			continue
		}
		if parent, err := parentOf(child); err == nil && parent == pid {
			out = append(out, child)
		}
	}
	return out
}

func isLocalProcess(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}
