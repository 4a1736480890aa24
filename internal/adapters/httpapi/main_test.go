package httpapi

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves goroutines behind (servers, connections).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
