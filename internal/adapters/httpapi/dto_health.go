package httpapi

// statusResponse is the body of the liveness endpoints.
type statusResponse struct {
	Status string `json:"status"`
}

// healthResponse is the body of /health: the store the service reads and, for a
// database, its state as last checked (up, down, unknown).
type healthResponse struct {
	Status   string `json:"status"`
	Store    string `json:"store,omitempty"`
	Database string `json:"database,omitempty"`
}

// readyResponse is the body of a successful readiness check; checks only with ?verbose.
type readyResponse struct {
	Status string          `json:"status"`
	Checks []checkResponse `json:"checks,omitempty"`
}

// checkResponse is one readiness check: ok or failing, whether readiness depends on it,
// and what was found.
type checkResponse struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Required bool   `json:"required"`
	Detail   string `json:"detail"`
}
