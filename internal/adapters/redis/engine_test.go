package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// go-redis's own dial failures are expected here (a Redis is killed): out of the output.
	goredis.SetLogger(debugLog{slog.New(slog.DiscardHandler)})
	goleak.VerifyTestMain(m)
}

// envRedisURL holds the redis:// URL of the tests' shared Redis (scripts/redis.sh).
const envRedisURL = "CONTEXTAPI_TEST_REDIS_URL"

// sharedRedis returns the tests' Redis URL and a key prefix of this test's own (the
// Redis is shared with other tests and engineers: never flushed, only this prefix's
// keys deleted afterwards). Without the variable the test skips loudly, or fails with
// CI=true, where scripts/test.sh always provides it.
func sharedRedis(t *testing.T) (url, prefix string) {
	t.Helper()
	url = os.Getenv(envRedisURL)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; in CI the Redis tests must run (scripts/redis.sh provides it)", envRedisURL)
		}
		msg := envRedisURL + " is not set: Redis tests SKIPPED (run scripts/redis.sh and export its URL)"
		fmt.Fprintln(os.Stderr, "WARNING:", msg)
		t.Skip(msg)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix = "test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() { deletePrefix(t, url, prefix) })
	return url, prefix
}

// deletePrefix deletes the keys under prefix.
func deletePrefix(t *testing.T, url, prefix string) {
	o, err := goredis.ParseURL(url)
	require.NoError(t, err)
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		require.NoError(t, rdb.Del(ctx, iter.Val()).Err())
	}
	require.NoError(t, iter.Err())
}

// ownRedis is a redis-server of the test's own, which it may kill and restart.
type ownRedis struct {
	port int
	cmd  *exec.Cmd
}

// startOwnRedis starts Debian's redis-server on a free loopback port, without
// persistence; it is killed when the test ends.
func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; in CI it must be (scripts/redis.sh installs it)")
		}
		t.Skip("redis-server is not installed: SKIPPED")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	r := &ownRedis{port: port}
	r.start(t)
	t.Cleanup(r.kill)
	return r
}

func (r *ownRedis) url() string { return "redis://127.0.0.1:" + strconv.Itoa(r.port) + "/0" }

// start runs the server and waits until it answers.
func (r *ownRedis) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	require.NoError(t, r.cmd.Start())
	c, err := Open(r.url(), Options{Timeout: time.Second})
	require.NoError(t, err)
	defer c.Close()
	require.Eventually(t, func() bool { return c.Ping(context.Background()) == nil }, 10*time.Second, 10*time.Millisecond,
		"redis-server on port %d answers", r.port)
}

// kill stops the server at once (SIGKILL), as a crash would.
func (r *ownRedis) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}
