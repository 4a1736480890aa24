//go:build !race

package test

// raceDetector says whether this test binary was built with -race.
const raceDetector = false
