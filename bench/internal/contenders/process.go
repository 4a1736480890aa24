package contenders

import (
	"bufio"
	"context"
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

// Proc is a contender process serving HTTP on a loopback port.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	log    string
}

// startProc starts a child with a clean environment, its stderr (and stdout, unless
// lines wants stdout's first line) in work/<name>.log.
func startProc(ctx context.Context, work, name, bin string, args []string, lines chan<- string) (*Proc, error) {
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
	p := &Proc{name: name, cmd: cmd, exited: make(chan struct{}), log: logPath}
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
			p.Stop()
		case <-p.exited:
		}
	}()
	return p, nil
}

// Stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *Proc) Stop() {
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
func waitReady(ctx context.Context, p *Proc, url string) error {
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
