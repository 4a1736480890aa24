package domain

// Principal is who a request acts for once its credentials are accepted: a name for the
// request log and for rate limits. It never holds the credentials themselves.
type Principal struct {
	// Name identifies the caller: the name a bearer token is listed under, or the
	// Kubernetes user name (system:serviceaccount:<namespace>:<name>).
	Name string
}
