// Package httpapi is contextapi's HTTP adapter. It routes requests with Echo, hands their
// raw parameters to the app layer (which does all validation), renders the results as the
// JSON bodies of docs/api.md §3 and every error as an RFC 9457 problem document, and serves
// health probes, Prometheus metrics and the OpenAPI 3.1 document of the API.
//
// Echo stays inside this package: no exported name mentions it, so moving to Echo v5 (or
// off Echo) touches nothing else.
package httpapi
