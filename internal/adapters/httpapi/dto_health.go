package httpapi

// statusResponse is the body of the health endpoints that succeed.
type statusResponse struct {
	Status string `json:"status"`
}
