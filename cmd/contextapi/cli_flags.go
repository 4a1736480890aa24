package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/contextapi/contextapi/client"
)

// outputFormats are the values of -o.
var outputFormats = []string{"table", "json", "yaml"}

// outputFormat is -o: a bad value is a flag error, hence a usage error.
type outputFormat string

func (o *outputFormat) String() string { return string(*o) }
func (o *outputFormat) Type() string   { return "format" }

func (o *outputFormat) Set(v string) error {
	for _, f := range outputFormats {
		if v == f {
			*o = outputFormat(v)
			return nil
		}
	}
	return errors.New("must be table, json or yaml")
}

// filterFlags are the API's list filters as flags (docs/api.md §3.1): each repeatable
// (or comma-separated) to mean any of its values.
type filterFlags struct {
	namespace, clusterName, environment, actionType []string
	severity, phase, status, alert, fingerprint     []string
	since, until                                    timeFlag
}

// addFilterFlags declares the filter flags on cmd; relative times count back from
// con's clock.
func addFilterFlags(cmd *cobra.Command, con *console) *filterFlags {
	f := &filterFlags{since: timeFlag{now: con.now}, until: timeFlag{now: con.now}}
	fs := cmd.Flags()
	fs.StringSliceVarP(&f.namespace, "namespace", "n", nil, "only incidents in this namespace (repeat for any of several)")
	fs.StringSliceVar(&f.clusterName, "cluster-name", nil, "only incidents on this cluster")
	fs.StringSliceVar(&f.environment, "environment", nil, "only this environment: production, staging, development or test")
	fs.StringSliceVar(&f.actionType, "action-type", nil, "only this remediation action type (scale_deployment, restart_pod, ...)")
	fs.StringSliceVar(&f.severity, "severity", nil, "only this severity (critical, warning, info)")
	fs.StringSliceVar(&f.phase, "phase", nil, "only this phase: pending, processing, completed or failed (failed includes rolled-back)")
	fs.StringSliceVar(&f.status, "status", nil, "only this status as stored (completed, failed, rolled-back, executing, pending)")
	fs.StringSliceVar(&f.alert, "alert", nil, "only this alert name, such as HighMemoryUsage (the API's name filter)")
	fs.StringSliceVar(&f.fingerprint, "alert-fingerprint", nil, "only this alert fingerprint")
	fs.Var(&f.since, "since", "only incidents that started at or after this time: RFC 3339, a date (2026-12-01), or a duration back from now (24h, 7d, 2w)")
	fs.Var(&f.until, "until", "only incidents that started before this time (same forms as --since)")
	_ = cmd.RegisterFlagCompletionFunc("environment", fixedCompletion("production", "staging", "development", "test"))
	_ = cmd.RegisterFlagCompletionFunc("phase", fixedCompletion("pending", "processing", "completed", "failed"))
	_ = cmd.RegisterFlagCompletionFunc("severity", fixedCompletion("critical", "warning", "info"))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("completed", "failed", "rolled-back", "executing", "pending"))
	return f
}

// filters are the flags as the client's filters.
func (f *filterFlags) filters() client.Filters {
	return client.Filters{
		Namespace: f.namespace, ClusterName: f.clusterName, Environment: f.environment,
		ActionType: f.actionType, Severity: f.severity, Phase: f.phase, Status: f.status,
		Name: f.alert, AlertFingerprint: f.fingerprint, Since: f.since.t, Until: f.until.t,
	}
}

// timeFlag is --since or --until: an RFC 3339 time, a date (midnight UTC), or a
// duration back from now.
type timeFlag struct {
	now func() time.Time
	t   time.Time
	raw string
}

func (f *timeFlag) String() string { return f.raw }
func (f *timeFlag) Type() string   { return "time" }

func (f *timeFlag) Set(v string) error {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		f.t, f.raw = t, v
		return nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		f.t, f.raw = t, v
		return nil
	}
	d, err := parseSpan(v)
	if err != nil {
		return errors.New("must be an RFC 3339 time (2026-12-01T08:00:00Z), a date (2026-12-01) or a duration back from now (90m, 24h, 7d, 2w)")
	}
	f.t, f.raw = f.now().Add(-d), v
	return nil
}

// parseSpan reads a positive duration: Go's forms (90m, 1h30m) plus whole days (7d) and
// weeks (2w).
func parseSpan(v string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(v, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(v, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.Atoi(v[:len(v)-1])
		if err != nil || n <= 0 || n > 100*366 {
			return 0, fmt.Errorf("%q is not a positive number of days or weeks", v)
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", v)
	}
	return d, nil
}

// spanFlag is --time-range: a positive whole number of hours, written 30d, 12h or 2w.
type spanFlag struct {
	d   time.Duration
	raw string
}

func (f *spanFlag) String() string { return f.raw }
func (f *spanFlag) Type() string   { return "duration" }

func (f *spanFlag) Set(v string) error {
	d, err := parseSpan(v)
	if err != nil || d%time.Hour != 0 {
		return errors.New("must be a whole number of hours or days, such as 12h, 30d or 2w")
	}
	f.d, f.raw = d, v
	return nil
}

// threshold returns the --threshold flag's value, nil when it was not given (the
// service's default then applies).
func threshold(fs *pflag.FlagSet) *float64 {
	if !fs.Changed("threshold") {
		return nil
	}
	v, _ := fs.GetFloat64("threshold")
	return &v
}

// addSearchFlags declares --limit and --threshold of the vector searches.
func addSearchFlags(fs *pflag.FlagSet, limit *int) {
	fs.IntVar(limit, "limit", 0, "most incidents to return, 1 to 50 (default: the service's 10)")
	fs.Float64("threshold", 0, "least similarity, 0 to 1 (default: the service's 0.7)")
}

// zeroIsUnset refuses 0 for the named flags when given: the client reads 0 as "the
// service's default", so an explicit 0 would silently mean something else.
func zeroIsUnset(fs *pflag.FlagSet, names ...string) error {
	for _, name := range names {
		if f := fs.Lookup(name); f != nil && f.Changed && f.Value.String() == "0" {
			return usageError{fmt.Errorf("--%s 0: must be at least 1", name)}
		}
	}
	return nil
}
