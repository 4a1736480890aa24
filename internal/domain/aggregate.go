package domain

import "time"

// Dimension is a property incidents can be grouped by.
type Dimension string

// The grouping dimensions.
const (
	DimActionType  Dimension = "action_type"
	DimStatus      Dimension = "status"
	DimNamespace   Dimension = "namespace"
	DimSeverity    Dimension = "severity"
	DimDay         Dimension = "day"  // the UTC calendar day of the start time
	DimHour        Dimension = "hour" // the UTC hour of the start time
	DimName        Dimension = "name" // the alert name
	DimEnvironment Dimension = "environment"
	DimCluster     Dimension = "cluster_name"
)

// AggregateQuery counts the incidents matching Filter per combination of GroupBy values.
type AggregateQuery struct {
	Filter  Filter
	GroupBy []Dimension
}

// GroupKey holds the values of the dimensions a group was formed by; the others are zero.
type GroupKey struct {
	ActionType  string
	Status      *string
	Namespace   *string
	Severity    string
	Day         time.Time // midnight UTC
	Hour        time.Time // the start of the hour, UTC
	Name        string
	Environment *string
	ClusterName *string
}

// Group is one bucket of an aggregation: how many incidents, and the sum and number of
// their non-NULL durations (so averages can be merged across groups).
type Group struct {
	Key           GroupKey
	Count         int64
	DurationSumMs int64
	DurationCount int64
}

// RateOf is the success rate of docs/api.md §3.4: succeeded / (succeeded + failed),
// nil when nothing has finished (incidents in progress do not count).
func RateOf(succeeded, failed int64) *float64 {
	finished := succeeded + failed
	if finished == 0 {
		return nil
	}
	r := float64(succeeded) / float64(finished)
	return &r
}

// SuccessRate is the outcome breakdown of a set of incidents.
type SuccessRate struct {
	Total        int64
	Succeeded    int64
	Failed       int64
	InProgress   int64
	Rate         *float64 // succeeded / (succeeded + failed); nil when nothing finished
	ByActionType []ActionTypeRate
}

// ActionTypeRate is the outcome breakdown of one action type.
type ActionTypeRate struct {
	ActionType    string
	Total         int64
	Succeeded     int64
	Failed        int64
	InProgress    int64
	Rate          *float64
	AvgDurationMs *float64 // nil when no incident of the group has a duration
}

// NamespaceCount is the number of incidents in one namespace (nil: cluster-scoped objects).
type NamespaceCount struct {
	Namespace *string
	Count     int64
	Succeeded int64
	Failed    int64
}

// SeverityCount is the number of incidents of one severity.
type SeverityCount struct {
	Severity string
	Count    int64
}

// TrendPoint is the number of incidents started on one UTC day.
type TrendPoint struct {
	Day   time.Time
	Count int64
}
