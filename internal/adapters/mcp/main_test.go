package mcp_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves goroutines behind (sessions, servers).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
