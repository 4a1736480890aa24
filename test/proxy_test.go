package test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tcpProxy forwards a port to PostgreSQL and can cut every connection, as a database
// crash or a network partition would, or stall them: connections stay open (new ones
// are accepted) but no byte passes, as on a network that drops packets.
type tcpProxy struct {
	target  string
	ln      net.Listener
	mu      sync.Mutex
	flowing *sync.Cond // signalled when a stall ends
	conns   []net.Conn
	down    bool
	stalled bool
	latency time.Duration // added to every chunk, each way
	wg      sync.WaitGroup
}

func newProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{target: target, ln: ln}
	p.flowing = sync.NewCond(&p.mu)
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *tcpProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(server, client); _ = server.Close() })
		p.wg.Go(func() { p.pipe(client, server); _ = client.Close() })
	}
}

// pipe copies src to dst, holding every chunk while the proxy is stalled.
func (p *tcpProxy) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.stalled && !p.down {
				p.flowing.Wait()
			}
			latency := p.latency
			p.mu.Unlock()
			time.Sleep(latency)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stall stops every byte in both directions, on open and new connections, until restore.
func (p *tcpProxy) stall() { p.mu.Lock(); p.stalled = true; p.mu.Unlock() }

// breakAndDelay closes the open connections and delays every chunk of the new ones by
// d, each way: a congested network, slow to connect and slow to answer.
func (p *tcpProxy) breakAndDelay(d time.Duration) {
	p.cut()
	p.mu.Lock()
	p.down, p.latency = false, d
	p.mu.Unlock()
}

// breakAndStall closes the open connections and stalls the new ones: the pool must
// connect again, over a network where nothing passes.
func (p *tcpProxy) breakAndStall() {
	p.cut()
	p.mu.Lock()
	p.down, p.stalled = false, true
	p.mu.Unlock()
}

// cut closes every connection and refuses new ones until restore.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	p.flowing.Broadcast()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.down, p.stalled, p.latency = false, false, 0
	p.flowing.Broadcast()
	p.mu.Unlock()
}

// via rewrites a PostgreSQL URL to go through the proxy.
func (p *tcpProxy) via(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = p.ln.Addr().String()
	return u.String()
}

func hostOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	return u.Host
}
