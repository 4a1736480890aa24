package bearer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

// reloadEnv is an Authenticator over a file the test rewrites, on a clock it moves.
type reloadEnv struct {
	a     *Authenticator
	clock *testkit.Clock
	log   *testkit.Buffer
}

func newReloadEnv(t *testing.T, path string) *reloadEnv {
	t.Helper()
	e := &reloadEnv{clock: testkit.NewClock(), log: &testkit.Buffer{}}
	a, err := New(Options{File: path, Now: e.clock.Now, Logger: e.log.Logger()})
	require.NoError(t, err)
	e.a = a
	return e
}

// who returns the name tok stands for, or "" when it is refused.
func (e *reloadEnv) who(tok string) string {
	p, err := e.a.Authenticate(context.Background(), tok)
	if err != nil {
		return ""
	}
	return p.Name
}

func TestRotationByRenameAfterTheRecheckInterval(t *testing.T) {
	toks := newTokens(t, 2)
	path := writeTokens(t, fileOf("alice", toks[0]))
	e := newReloadEnv(t, path)
	require.Equal(t, "alice", e.who(toks[0]))

	replace(t, path, fileOf("bob", toks[1]))
	e.clock.Advance(recheckInterval - time.Millisecond)
	assert.Equal(t, "alice", e.who(toks[0]), "the file is looked at once a second at most")
	assert.Empty(t, e.who(toks[1]))

	e.clock.Advance(time.Millisecond)
	assert.Equal(t, "bob", e.who(toks[1]))
	assert.Empty(t, e.who(toks[0]), "a token taken out of the file is refused")
	assert.Contains(t, e.log.String(), "tokens file reloaded")
}

// TestRotationByKubernetesSymlinkSwap updates the file the way the kubelet updates a
// Secret volume: the file is a symlink through ..data, which is swapped atomically to a
// new timestamped directory. The new file has the old one's size and modification time,
// so only its identity tells it apart.
func TestRotationByKubernetesSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	toks := newTokens(t, 2)
	version := func(name, content string, mtime time.Time) {
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o700))
		file := filepath.Join(dir, name, "tokens")
		require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
		require.NoError(t, os.Chtimes(file, mtime, mtime))
		require.NoError(t, os.Symlink(name, filepath.Join(dir, "..data_tmp")))
		require.NoError(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	}
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	version("..2026_01_01_00_00_00.1", fileOf("alice", toks[0]), mtime)
	path := filepath.Join(dir, "tokens")
	require.NoError(t, os.Symlink(filepath.Join("..data", "tokens"), path))
	e := newReloadEnv(t, path)
	require.Equal(t, "alice", e.who(toks[0]))

	version("..2026_01_01_00_05_00.2", fileOf("carol", toks[1]), mtime)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "..2026_01_01_00_00_00.1")))
	e.clock.Advance(recheckInterval)
	assert.Equal(t, "carol", e.who(toks[1]))
	assert.Empty(t, e.who(toks[0]))
}

func TestABrokenRewriteKeepsTheOldTokens(t *testing.T) {
	toks := newTokens(t, 2)
	path := writeTokens(t, fileOf("alice", toks[0]))
	e := newReloadEnv(t, path)
	next := fileOf("alice", toks[0], "bob", toks[1])

	for _, broken := range []string{
		next[:len(next)-20], // written in place, caught half-way
		"",                  // truncated before the rewrite
		fileOf("alice", toks[0], "alice", toks[1]),
	} {
		require.NoError(t, os.WriteFile(path, []byte(broken), 0o600))
		e.clock.Advance(recheckInterval)
		assert.Equal(t, "alice", e.who(toks[0]))
		assert.Empty(t, e.who(toks[1]))
	}
	logged := e.log.String()
	assert.Equal(t, 3, strings.Count(logged, "does not load; keeping the tokens loaded before"), logged)
	assert.Contains(t, logged, "line 2: the digest is not 64 lower-case hex")
	assert.Contains(t, logged, "no tokens")
	assert.Contains(t, logged, `line 2: name \"alice\" already on line 1`)
	assert.NotContains(t, logged, toks[1])
	assert.NotContains(t, logged, Line("bob", toks[1])[len("bob:"):][:40])

	e.clock.Advance(recheckInterval)
	e.who(toks[0])
	assert.Equal(t, 3, strings.Count(e.log.String(), "does not load"), "one warning per broken version, not one a second")

	require.NoError(t, os.WriteFile(path, []byte(next), 0o600))
	e.clock.Advance(recheckInterval)
	assert.Equal(t, "bob", e.who(toks[1]), "the repaired file loads")
	assert.Equal(t, "alice", e.who(toks[0]))
}

func TestAVanishedFileKeepsTheOldTokens(t *testing.T) {
	toks := newTokens(t, 2)
	path := writeTokens(t, fileOf("alice", toks[0]))
	e := newReloadEnv(t, path)

	require.NoError(t, os.Remove(path))
	for range 3 {
		e.clock.Advance(recheckInterval)
		assert.Equal(t, "alice", e.who(toks[0]))
	}
	assert.Equal(t, 1, strings.Count(e.log.String(), "tokens file unreadable"), e.log.String())

	require.NoError(t, os.WriteFile(path, []byte(fileOf("bob", toks[1])), 0o600))
	e.clock.Advance(recheckInterval)
	assert.Equal(t, "bob", e.who(toks[1]))
	assert.Empty(t, e.who(toks[0]))
}

// TestConcurrentAuthenticateDuringReloads is for the race detector: readers keep using
// one token while the file is swapped, sometimes for a broken one, under them.
func TestConcurrentAuthenticateDuringReloads(t *testing.T) {
	toks := newTokens(t, 2)
	path := writeTokens(t, fileOf("steady", toks[0]))
	e := newReloadEnv(t, path)

	var stop atomic.Bool
	var refused atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				if e.who(toks[0]) != "steady" {
					refused.Add(1)
				}
				runtime.Gosched() // leave the writer a turn on small machines
			}
		})
	}
	for i := range 99 { // the last, 98, is broken
		content := fileOf("steady", toks[0], fmt.Sprint("rotating-", i), toks[1])
		if i%3 == 2 {
			content = content[:len(content)-10]
		}
		replace(t, path, content)
		e.clock.Advance(recheckInterval)
		time.Sleep(100 * time.Microsecond) // let readers through between versions
	}
	stop.Store(true)
	wg.Wait()
	assert.Zero(t, refused.Load())

	e.clock.Advance(recheckInterval)
	assert.Equal(t, "rotating-97", e.who(toks[1]), "the last good version is loaded")
}
