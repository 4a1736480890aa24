// Package reliability lets the tests that hold the reliability targets R1–R15
// (docs/targets.md) report what they did and measured, so one run of them becomes the
// report of docs/reliability.md.
//
// A test names its target with Target and adds figures as it measures them. When the
// environment names a results file (ResultsEnv), each target's outcome is appended to
// it as one JSON line when its test ends: the tests of several packages run as separate
// processes, and appends of one short line to a file opened with O_APPEND do not
// interleave. cmd/reliability-report turns the lines into the report.
package reliability

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"
)

const (
	// ResultsEnv names the JSON-lines file results are appended to; unset, nothing is
	// written and the tests run as any others.
	ResultsEnv = "CONTEXTAPI_RELIABILITY_RESULTS"
	// ModeEnv selects the mode: "long" for the on-demand run (R1 for 30 s, the soak for
	// 10 minutes), anything else for the short mode CI runs.
	ModeEnv = "CONTEXTAPI_RELIABILITY"
)

// Long reports whether the suite runs in its long, on-demand mode.
func Long() bool { return os.Getenv(ModeEnv) == "long" }

// Mode is "long" or "short".
func Mode() string {
	if Long() {
		return "long"
	}
	return "short"
}

// Pick returns long in the long mode, short otherwise: durations, sizes, counts.
func Pick[T any](short, long T) T {
	if Long() {
		return long
	}
	return short
}

// Figure is one measured quantity, as the report prints it.
type Figure struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Result is one target's outcome: one line of the results file.
type Result struct {
	ID      string    `json:"id"`   // "R1" … "R15"
	Test    string    `json:"test"` // the test that holds it
	Mode    string    `json:"mode"`
	Done    string    `json:"done"` // what the test did, in a sentence
	Figures []Figure  `json:"figures"`
	Outcome string    `json:"outcome"` // pass, fail or skip
	Reason  string    `json:"reason,omitempty"`
	Seconds float64   `json:"seconds"`
	Ended   time.Time `json:"ended"`
}

// Record collects one target's figures while its test runs. It is safe for concurrent
// use.
type Record struct {
	mu     sync.Mutex
	result Result
}

// Target starts the record of target id (e.g. "R5"), held by t; done says what the test
// does to the service. The record is written when t ends, with the test's outcome.
func Target(t *testing.T, id, done string) *Record {
	t.Helper()
	r := &Record{result: Result{ID: id, Test: t.Name(), Mode: Mode(), Done: done}}
	start := time.Now()
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.result.Seconds = math.Round(time.Since(start).Seconds()*100) / 100
		r.result.Ended = time.Now().UTC()
		switch {
		case t.Skipped():
			r.result.Outcome = "skip"
		case t.Failed():
			r.result.Outcome = "fail"
		default:
			r.result.Outcome = "pass"
		}
		if err := appendResult(r.result); err != nil {
			t.Errorf("reliability results: %v", err)
		}
	})
	return r
}

// Figure adds a measured quantity; a name given twice keeps the last value.
func (r *Record) Figure(name, format string, args ...any) {
	value := fmt.Sprintf(format, args...)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.result.Figures {
		if r.result.Figures[i].Name == name {
			r.result.Figures[i].Value = value
			return
		}
	}
	r.result.Figures = append(r.result.Figures, Figure{Name: name, Value: value})
}

// Because says why the target was skipped or what limits the figures.
func (r *Record) Because(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.result.Reason = reason
}

func appendResult(res Result) error {
	path := os.Getenv(ResultsEnv)
	if path == "" {
		return nil
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) // #nosec G304 G703 -- the file the test runner names in its environment
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
