package test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// faultProxy is a Toxiproxy proxy, run in this process, between the service and
// PostgreSQL: each method but restore starts one network fault, restore ends them all.
// The methods are called from the test's goroutine, one fault at a time.
//
// Toxiproxy differs from a real network in two ways the tests allow for: a stalled
// connection drops what is sent rather than holding it back, and ending a stall closes
// the connections that lived through it (the timeout toxic's cleanup) instead of letting
// them resume.
type faultProxy struct {
	t     *testing.T
	proxy *toxiproxy.Proxy
	addr  string
	down  bool // stopped by cut: the listener is closed
}

// newProxy forwards a loopback port to target (host:port) until the test ends, its
// logging silenced.
func newProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	proxy := toxiproxy.NewProxy(server, "postgres", proxyListenAddr(t), target)
	require.NoError(t, proxy.Start())
	t.Cleanup(proxy.Stop)
	return &faultProxy{t: t, proxy: proxy, addr: proxy.Listen}
}

// proxyListenAddr picks a free loopback port below the kernel's ephemeral range: cut
// closes the listener and restore opens it again on the same port, which an outgoing
// connection given that port meanwhile would take from it.
func proxyListenAddr(t *testing.T) string {
	t.Helper()
	var low, high int
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return "127.0.0.1:0" // not Linux: take any port, and the small risk
	}
	_, err = fmt.Sscan(string(raw), &low, &high)
	require.NoError(t, err)
	require.Greater(t, low, 12000, "the ephemeral range leaves no room below it")
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", low-10000+rand.IntN(10000))
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			require.NoError(t, ln.Close())
			return addr
		}
	}
	t.Fatal("no free port below the ephemeral range")
	return ""
}

// cut models the database going away, as a crash or a partition with resets would:
// every open connection is closed and new ones are refused (the listener is closed)
// until restore.
func (p *faultProxy) cut() {
	p.proxy.Stop()
	p.down = true
}

// stall models a network that drops every packet: open and new connections stay open
// (new ones are accepted) but no byte passes either way, until restore. It is the
// timeout toxic with a timeout of 0.
func (p *faultProxy) stall() { p.addToxic("timeout", map[string]int64{"timeout": 0}) }

// breakAndStall closes the open connections and stalls the new ones: the pool must
// connect again, over a network where nothing passes.
func (p *faultProxy) breakAndStall() {
	p.proxy.Stop()
	p.stall()
	p.start()
}

// breakAndDelay closes the open connections and delays every packet of the new ones by
// d, each way (the latency toxic): a congested network, slow to connect and slow to
// answer. Packets are delayed each from its own arrival, not queued behind each other.
func (p *faultProxy) breakAndDelay(d time.Duration) {
	p.proxy.Stop()
	p.delay(d)
	p.start()
}

// delay delays every packet, of open and new connections, by d each way (the latency
// toxic): a slow network, or a database slow to answer, without breaking anything.
func (p *faultProxy) delay(d time.Duration) {
	p.addToxic("latency", map[string]int64{"latency": d.Milliseconds()})
}

// restore ends every fault: toxics are removed (a stall's connections are closed) and a
// cut proxy listens again on its port.
func (p *faultProxy) restore() {
	p.proxy.Toxics.ResetToxics(context.Background())
	if p.down {
		p.start()
		p.down = false
	}
}

func (p *faultProxy) start() {
	if err := p.proxy.Start(); err != nil && !errors.Is(err, toxiproxy.ErrProxyAlreadyStarted) {
		p.t.Errorf("the proxy does not listen again on %s: %v", p.addr, err)
	}
}

// addToxic adds a toxic of kind with attributes to both directions of every open and
// new connection.
func (p *faultProxy) addToxic(kind string, attributes any) {
	for _, stream := range []string{"upstream", "downstream"} {
		spec, err := json.Marshal(map[string]any{
			"name": kind + "_" + stream, "type": kind, "stream": stream, "toxicity": 1, "attributes": attributes,
		})
		if err == nil {
			_, err = p.proxy.Toxics.AddToxicJson(bytes.NewReader(spec))
		}
		if err != nil {
			p.t.Errorf("toxic %s on %s: %v", kind, stream, err)
		}
	}
}

// via rewrites a PostgreSQL URL to go through the proxy.
func (p *faultProxy) via(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = p.addr
	return u.String()
}

func hostOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	return u.Host
}
