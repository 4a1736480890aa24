package postgres

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fullBacklog listens on 127.0.0.1 with a backlog of zero that is already full: Linux
// drops every further SYN, as a firewall dropping packets would, so a dial hangs. It
// returns the port.
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	port := strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	addr := net.JoinHostPort("127.0.0.1", port)
	for range 8 { // never accepted: they fill the queue
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			var netErr net.Error
			if errors.As(err, &netErr) && netErr.Timeout() {
				return port // a SYN went unanswered: the queue is full
			}
			t.Skipf("cannot fill a listen queue here: %v", err)
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Skip("the listen queue never filled: SYNs are not dropped here")
	return ""
}

// TestDroppedSYNsAreUnavailableWithinTheConnectTimeout: a host that drops SYNs.
func TestDroppedSYNsAreUnavailableWithinTheConnectTimeout(t *testing.T) {
	port := fullBacklog(t)
	unresponsive(t, "postgres://contextapi:secret@127.0.0.1:"+port+"/db?sslmode=disable")
}
