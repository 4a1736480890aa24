// Package logbuffer batches log lines on their way to a file or a pipe. Writing each
// request's line to stderr as it happens costs a system call per request, a large share
// of a cached answer's cost; written in batches, the lines cost a copy each. A Writer
// flushes on a short interval, when its buffer fills, and on Close, so a clean exit
// loses no line; a crash loses at most the lines of one interval.
package logbuffer

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer is an io.Writer safe for concurrent use that keeps each Write whole: a log
// line written by one call is never interleaved with another's.
type Writer struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	err    error // the first write error, reported by Close
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

// bufferSize holds a few hundred request lines.
const bufferSize = 64 << 10

// New buffers writes to dst and flushes them every interval until Close.
func New(dst io.Writer, interval time.Duration) *Writer {
	w := &Writer{buf: bufio.NewWriterSize(dst, bufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go w.flushEvery(interval)
	return w
}

// Write copies p into the buffer; after Close it writes through.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	if w.closed {
		_ = w.flushLocked() // kept in w.err
	}
	return n, err
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if err := w.buf.Flush(); err != nil {
		if w.err == nil {
			w.err = err
		}
		return err
	}
	return nil
}

// Close stops the interval flushes and writes out what is buffered; later writes go
// straight through. It returns the first error any write met.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.flushLocked() // kept in w.err, returned below
	return w.err
}

func (w *Writer) flushEvery(interval time.Duration) {
	defer close(w.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
			_ = w.Flush() // kept in w.err, reported by Close
		}
	}
}
