//go:build !race

package cache

// raceEnabled tells tests the race detector is on.
const raceEnabled = false
