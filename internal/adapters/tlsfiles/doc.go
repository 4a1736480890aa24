// Package tlsfiles serves TLS from certificate files that are replaced while the server
// runs (cert-manager rotates them in a Secret volume): each new connection gets the
// current certificate and, for mutual TLS, is verified against the current client CA
// bundle. A replacement that does not load keeps what was loaded before.
package tlsfiles
