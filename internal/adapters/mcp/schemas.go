package mcp

import (
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
)

// The input schemas are inferred from the tools' types, then given the API's bounds
// (docs/api.md §3), so a model sees them and the SDK refuses an argument out of bounds
// before a backend runs. The app checks them again: it is the authority.

func listSchema() *jsonschema.Schema {
	s := inputSchema[ListInput]()
	bound(s, "limit", 1, 100)
	filterBounds(s)
	return s
}

func getSchema() *jsonschema.Schema {
	s := inputSchema[GetInput]()
	s.Properties["id"].Minimum = new(1.0)
	return s
}

func similarSchema() *jsonschema.Schema {
	s := inputSchema[SimilarInput]()
	s.Properties["incident_id"].Minimum = new(1.0)
	s.Properties["text"].MinLength = new(1)
	s.Properties["text"].MaxLength = new(maxTextBytes)
	bound(s, "limit", 1, 50)
	bound(s, "threshold", 0, 1)
	filterBounds(s)
	return s
}

func recoverySchema() *jsonschema.Schema {
	s := inputSchema[RecoveryInput]()
	s.Properties["remediation_request_id"].MinLength = new(1)
	return s
}

func historicalSchema() *jsonschema.Schema {
	s := inputSchema[HistoricalInput]()
	s.Properties["kind"].MinLength = new(1)
	s.Properties["name"].MinLength = new(1)
	s.Properties["time_range"].Pattern = `^[0-9]{1,4}[dh]$`
	return s
}

func ratesSchema() *jsonschema.Schema {
	s := inputSchema[RatesInput]()
	s.Properties["by"].Enum = []any{ByActionType, ByNamespace, BySeverity}
	filterBounds(s)
	return s
}

// maxTextBytes bounds a text query: a paragraph describing an incident, not a log dump.
const maxTextBytes = 2000

// filterBounds lists the values of the enumerated filters.
func filterBounds(s *jsonschema.Schema) {
	s.Properties["environment"].Items.Enum = []any{"production", "staging", "development", "test"}
	s.Properties["phase"].Items.Enum = []any{"pending", "processing", "completed", "failed"}
	for _, name := range []string{"since", "until"} {
		s.Properties[name].Format = "date-time"
	}
}

func bound(s *jsonschema.Schema, name string, lo, hi float64) {
	s.Properties[name].Minimum = &lo
	s.Properties[name].Maximum = &hi
}

// inputSchema infers T's schema; the tools' types are fixed, so failing is a bug the
// package's tests catch.
func inputSchema[T any]() *jsonschema.Schema {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("mcp: input schema: %v", err))
	}
	return s
}
