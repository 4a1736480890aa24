package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Contender names, as the report uses them.
const (
	svcCached   = "service"          // the service with its cache on
	svcUncached = "service-uncached" // the service with --cache-enabled=false
	nameB0      = "B0"
	nameB1      = "B1"
	nameB2      = "B2"
	nameEX      = "EX"
	nameSQL     = "SQL" // the raw statement timed with pgx inside the bench
)

// proc is a contender process serving HTTP on a loopback port.
type proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	log    string
}

// startService runs `contextapi serve` in its production configuration (JSON request
// logs to a file, metrics and request ids on, as always) with the cache on or off.
func startService(ctx context.Context, bin, work, name, dbURL string, cache bool) (*proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	args := []string{"serve", "--addr", addr, "--database-url", dbURL, "--log-format", "json",
		"--cache-enabled=" + fmt.Sprint(cache), "--drain-delay", "0s"}
	p, err := startProc(ctx, work, name, bin, args, nil)
	if err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	if err := waitReady(ctx, p, base+"/health/ready"); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, base, nil
}

// baselineAddrs are the loopback addresses of the baselines, by contender name.
type baselineAddrs map[string]string

// startBaselines runs this binary's baselines subcommand; it listens on one port per
// baseline and prints their addresses as one JSON line.
func startBaselines(ctx context.Context, cfg config, efSearch int, work, dbURL, bodies string) (*proc, baselineAddrs, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	args := []string{"baselines", "-database-url", dbURL, "-bodies", bodies,
		"-ef-search", fmt.Sprint(efSearch), "-iterative-scan", cfg.IterativeScan}
	lines := make(chan string, 1)
	p, err := startProc(ctx, work, "baselines", self, args, lines)
	if err != nil {
		return nil, nil, err
	}
	var addrs baselineAddrs
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &addrs); err != nil || len(addrs) != 4 {
			p.stop()
			return nil, nil, fmt.Errorf("baselines: unexpected first line %q", line)
		}
	case <-p.exited:
		return nil, nil, fmt.Errorf("baselines exited: %s", tail(p.log))
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, nil, errors.New("baselines did not start within 30s")
	case <-ctx.Done():
		p.stop()
		return nil, nil, ctx.Err()
	}
	for name, addr := range addrs {
		if err := waitReady(ctx, p, "http://"+addr+"/health"); err != nil {
			p.stop()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return p, addrs, nil
}

// startProc starts a child with a clean environment, its stderr (and stdout, unless
// lines wants stdout's first line) in work/<name>.log.
func startProc(ctx context.Context, work, name, bin string, args []string, lines chan<- string) (*proc, error) {
	logPath := work + "/" + name + ".log"
	f, err := os.Create(logPath) // #nosec G304 -- a log in the bench's own temporary work directory
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...) // #nosec G204 G702 -- bin is the contextapi the bench built, or the bench itself; args are its own
	cmd.Env = childEnv()
	cmd.Stderr = f
	cmd.SysProcAttr = childAttr()
	var stdout io.ReadCloser
	if lines != nil {
		if stdout, err = cmd.StdoutPipe(); err != nil {
			_ = f.Close() // the error above is the one to report
			return nil, err
		}
	} else {
		cmd.Stdout = f
	}
	if err := cmd.Start(); err != nil {
		_ = f.Close() // the error above is the one to report
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, exited: make(chan struct{}), log: logPath}
	if stdout != nil {
		go func() {
			sc := bufio.NewScanner(stdout)
			if sc.Scan() {
				lines <- sc.Text()
			}
			_, _ = io.Copy(f, stdout)
		}()
	}
	go func() {
		_ = cmd.Wait()
		_ = f.Close() // the log only helps diagnose a failure; the run does not depend on it
		close(p.exited)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.stop()
		case <-p.exited:
		}
	}()
	return p, nil
}

// stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitReady polls url until it answers 200, the process exits, or 60 s pass.
func waitReady(ctx context.Context, p *proc, url string) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close() // drained; a readiness probe has nothing to lose
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited: %s", p.name, tail(p.log))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready at %s within 60s: %s", p.name, url, tail(p.log))
}

// freeAddr picks a free loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// childEnv is this process's environment without contextapi's configuration, so
// children run with their defaults plus the flags given.
func childEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CONTEXTAPI_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path) // #nosec G304 G703 -- a log in the bench's own temporary work directory
	if err != nil {
		return "(no log)"
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}
