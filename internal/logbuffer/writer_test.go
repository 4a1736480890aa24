package logbuffer

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestLinesWaitForTheIntervalThenArriveWhole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var dst testkit.Buffer
		w := New(&dst, 100*time.Millisecond)
		defer w.Close()
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				_, err := fmt.Fprintf(w, "line %d %s\n", i, strings.Repeat("x", 100))
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		assert.Empty(t, dst.String(), "buffered until the interval ends")
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		lines := strings.Split(strings.TrimSuffix(dst.String(), "\n"), "\n")
		require.Len(t, lines, 50)
		for _, l := range lines {
			assert.Regexp(t, `^line \d+ x{100}$`, l, "no line is cut or interleaved")
		}
	})
}

func TestCloseWritesEverythingOutAndLaterWritesGoThrough(t *testing.T) {
	var dst testkit.Buffer
	w := New(&dst, time.Hour)
	for i := range 1000 {
		_, err := fmt.Fprintf(w, "line %d\n", i)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, 1000, strings.Count(dst.String(), "\n"), "nothing lost on a clean exit")
	_, err := fmt.Fprintln(w, "after close")
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(dst.String(), "after close\n"))
	assert.NoError(t, w.Close(), "Close twice is harmless")
}

var errDiskFull = errors.New("disk full")

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errDiskFull }

func TestAWriteErrorIsReportedByClose(t *testing.T) {
	w := New(failing{}, time.Hour)
	_, _ = fmt.Fprintln(w, "a line")
	assert.ErrorIs(t, w.Close(), errDiskFull)
}
