//go:build !linux

package test

import "testing"

// separateCPUs needs Linux's CPU affinity; elsewhere the bench shares the CPUs.
func separateCPUs(*testing.B, string) string { return "not separated: not Linux" }
