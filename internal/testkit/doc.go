// Package testkit holds helpers the project's tests share: a Clock the test moves by
// hand, a Buffer that goroutines may write to while the test reads it, and a
// certificate Authority that issues server and client certificates.
//
// It is for _test.go files only; production code never imports it.
package testkit
