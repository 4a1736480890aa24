// Package client is the Go client of contextapi's HTTP API (docs/api.md §3): one method
// per operation of its OpenAPI document, typed requests and answers, problem documents
// as errors, and retries where they are safe.
//
//	c, err := client.New("http://context-api.kubernaut-system.svc.cluster.local:8091",
//		client.WithTokenFile("/var/run/secrets/kubernetes.io/serviceaccount/token"))
//	if err != nil {
//		return err
//	}
//	for inc, err := range c.Incidents(ctx, client.ListOptions{Filters: client.Filters{Namespace: []string{"checkout"}}}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(inc.ID, inc.Name, inc.TargetName, inc.Phase)
//	}
//
// Every method takes a context, which bounds the whole call, retries and the waits
// between them included. A refusal by the service is a *Problem (RFC 9457); match its
// kind with errors.Is against ErrNotFound, ErrInvalid, ErrUnauthorized, ErrForbidden,
// ErrUnavailable and ErrRateLimited, or read its fields with errors.As.
//
// Every operation of the API is a read, so each is retried (see RetryPolicy) on a 503 or
// 429 answer and on a failed connection, semantic search included: it is a POST only
// because a 384-number vector does not fit a URL comfortably, and it changes nothing.
// Readiness is the exception: its 503 is the answer, not a failure to get one.
//
// The package uses the standard library only, so a program that imports it pulls in
// none of the service's dependencies.
package client
