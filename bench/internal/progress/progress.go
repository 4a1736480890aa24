// Package progress writes the bench's progress messages on stderr, each stamped with the
// time of day, so a long run shows where it is.
package progress

import (
	"fmt"
	"os"
	"time"
)

// Logf writes one progress line on stderr.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}
