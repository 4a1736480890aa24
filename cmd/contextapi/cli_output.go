package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/contextapi/contextapi/client"
)

// view is where and how one command prints its answer.
type view struct {
	w, errw io.Writer
	format  outputFormat
	// now is the moment relative times count back from.
	now time.Time
	// colour: statuses may be coloured (a terminal, NO_COLOR unset).
	colour bool
	// width is what tables must fit; 0: no limit (not a terminal).
	width int
}

// print writes v as JSON or YAML when -o asks for it (the API's member names, from
// the client's types), else calls table, which writes it for people.
func (v *view) print(data any, table func()) error {
	switch v.format {
	case "json":
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(data); err != nil {
			return fmt.Errorf("encode JSON: %w", err)
		}
		_, err := v.w.Write(b.Bytes())
		return err
	case "yaml":
		// sigs.k8s.io/yaml goes through encoding/json, so members keep the API's names.
		b, err := yaml.Marshal(data)
		if err != nil {
			return fmt.Errorf("encode YAML: %w", err)
		}
		_, err = v.w.Write(b)
		return err
	}
	table()
	return nil
}

// note writes a line for people on stderr, in table mode only: JSON and YAML output is
// for programs, which want stdout alone.
func (v *view) note(format string, args ...any) {
	if v.format == "table" {
		fmt.Fprintf(v.errw, format+"\n", args...)
	}
}

// heading writes a section heading, after a blank line unless it is the first output.
func (v *view) heading(first bool, format string, args ...any) {
	if !first {
		fmt.Fprintln(v.w)
	}
	fmt.Fprintf(v.w, format+"\n", args...)
}

// ANSI colours of statuses and outcomes.
const (
	green  = "32"
	red    = "31"
	yellow = "33"
	cyan   = "36"
)

// statusColour is the colour of a status, phase or outcome: done green, failed red,
// rolled back yellow, still running cyan.
func statusColour(s string) string {
	switch s {
	case "completed", "success":
		return green
	case "failed", "failure":
		return red
	case "rolled-back":
		return yellow
	case "pending", "executing", "processing", "in_progress":
		return cyan
	}
	return ""
}

// paint wraps s in colour when the view is coloured.
func (v *view) paint(s, colour string) string {
	if !v.colour || colour == "" {
		return s
	}
	return "\x1b[" + colour + "m" + s + "\x1b[0m"
}

// age is how long ago t was, for people: "just now", "42m ago", "5h ago", "12d ago".
func age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < -time.Minute:
		return "in the future"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h ago"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d ago"
}

// span writes a duration for people: 850ms, 12.4s, 1m24s, 2h5m0s.
func span(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// millis writes a duration in milliseconds, "-" for none.
func millis(ms *int64) string {
	if ms == nil {
		return "-"
	}
	return span(time.Duration(*ms) * time.Millisecond)
}

// seconds writes a duration in (fractional) seconds, "-" for none.
func seconds(s *float64) string {
	if s == nil {
		return "-"
	}
	return span(time.Duration(*s * float64(time.Second)))
}

// percent writes a rate from 0 to 1 as a percentage, "-" for none.
func percent(rate *float64) string {
	if rate == nil {
		return "-"
	}
	return strconv.FormatFloat(*rate*100, 'f', 1, 64) + "%"
}

// ratio is succeeded / (succeeded + failed), nil when nothing finished.
func ratio(succeeded, failed int64) *float64 {
	if succeeded+failed == 0 {
		return nil
	}
	r := float64(succeeded) / float64(succeeded+failed)
	return &r
}

// similarity writes a similarity with three decimals.
func similarity(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// orDash is *s, or "-" for nil or empty.
func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

// target is an incident's object as kind/name.
func target(inc *client.Incident) string {
	if inc.TargetResource == "" {
		return inc.TargetName
	}
	return inc.TargetResource + "/" + inc.TargetName
}

// status is an incident's status as stored, else its phase.
func status(inc *client.Incident) string {
	if inc.Status != nil && *inc.Status != "" {
		return *inc.Status
	}
	return inc.Phase
}

// metadataLines writes an incident's metadata, one key a line in key order; values
// other than strings as compact JSON.
func metadataLines(m map[string]any) []string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val, ok := m[k].(string)
		if !ok {
			b, err := json.Marshal(m[k])
			if err != nil {
				val = fmt.Sprint(m[k])
			} else {
				val = string(b)
			}
		}
		lines = append(lines, k+": "+val)
	}
	return lines
}

// pairs writes label/value lines with the values aligned.
func (v *view) pairs(rows [][2]string) {
	w := 0
	for _, r := range rows {
		w = max(w, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(v.w, "%-*s  %s\n", w+1, r[0]+":", r[1])
	}
}

// patternLabel turns an environment pattern's name into words (most_frequent_alert →
// most frequent alert).
func patternLabel(name string) string { return strings.ReplaceAll(name, "_", " ") }
