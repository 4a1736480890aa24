package postgres

import (
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// forwarder is a TCP proxy in front of one server, which a test can cut (every open
// connection is reset and new ones are refused, as when a server dies) or stall (every
// byte either way is dropped, connections stay open and new ones are accepted, as when a
// network drops packets or a server freezes).
type forwarder struct {
	ln      net.Listener
	target  string
	mu      sync.Mutex
	conns   map[net.Conn]bool
	done    sync.WaitGroup
	stalled atomic.Bool
}

// forward listens on a loopback port and forwards to target (host:port) until cut or
// the test ends.
func forward(t *testing.T, target string) *forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &forwarder{ln: ln, target: target, conns: map[net.Conn]bool{}}
	f.done.Go(f.accept)
	t.Cleanup(f.cut)
	return f
}

func (f *forwarder) accept() {
	for {
		client, err := f.ln.Accept()
		if err != nil {
			return // cut
		}
		server, err := net.Dial("tcp", f.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !f.track(client, server) {
			return
		}
		f.done.Go(func() { f.pipe(client, server) })
		f.done.Go(func() { f.pipe(server, client) })
	}
}

// track registers a pair of connections, unless the forwarder was cut meanwhile.
func (f *forwarder) track(conns ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		f.conns[c] = true
	}
	return true
}

func (f *forwarder) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !f.stalled.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stall drops every byte from now on, until unstall.
func (f *forwarder) stall() { f.stalled.Store(true) }

// cut closes the listener and resets every connection, then waits for the copies to end.
func (f *forwarder) cut() {
	_ = f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		if tcp, ok := c.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // a reset, not an orderly close
		}
		_ = c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.done.Wait()
}

// restore listens again on the same port, after cut.
func (f *forwarder) restore(t *testing.T) {
	t.Helper()
	var err error
	require.Eventually(t, func() bool {
		f.ln, err = net.Listen("tcp", f.addr())
		return err == nil
	}, 5*time.Second, 10*time.Millisecond, "listen again on %s", f.addr())
	f.mu.Lock()
	f.conns = map[net.Conn]bool{}
	f.mu.Unlock()
	f.done.Go(f.accept)
}

// addr is the forwarder's host:port.
func (f *forwarder) addr() string { return f.ln.Addr().String() }

// withHost returns dsn (a URL) pointing at host:port instead.
func withHost(t *testing.T, dsn, hostPort string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	require.NotEmpty(t, u.Scheme, "a postgres:// URL")
	u.Host = hostPort
	return u.String()
}

// hostOf is a URL's host:port.
func hostOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	return u.Host
}
