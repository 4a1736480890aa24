//go:build !linux

package test

import "context"

// separateCPUs needs Linux's CPU affinity; elsewhere the bench shares the CPUs.
func separateCPUs(context.Context, string) string { return "not separated: not Linux" }
