// Package domain holds the types contextapi reasons about: incidents (one remediation
// action taken for one alert), the filters and queries over them, aggregation results and
// the error kinds every layer shares. It depends on the standard library only.
package domain
