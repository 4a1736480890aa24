package synthetic

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

const hexDigits = "0123456789abcdef"

// newUUID draws a version-4 UUID string, the form remediation request ids take in
// production (action_id is VARCHAR(64)).
func newUUID(r *rand.Rand) string {
	hi := r.Uint64()&^(0xf<<12) | 0x4<<12 // version 4
	lo := r.Uint64()&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var b [36]byte
	j := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		w, shift := hi, 60-4*i
		if i >= 16 {
			w, shift = lo, 60-4*(i-16)
		}
		b[j] = hexDigits[w>>shift&0xf]
		j++
	}
	return string(b[:])
}

// newFingerprint draws an Alertmanager-style fingerprint: 16 lower-case hex digits.
func newFingerprint(r *rand.Rand) string {
	v := r.Uint64()
	var b [16]byte
	for i := range b {
		b[i] = hexDigits[v>>(60-4*i)&0xf]
	}
	return string(b[:])
}

// durationMs draws how long an action ran: log-normal around the action's median,
// between one second and three hours.
func durationMs(r *rand.Rand, a *actionDef) int64 {
	s := a.medianSec * math.Exp(a.sigma*r.NormFloat64())
	return int64(min(max(s, 1), 3*3600) * 1000)
}

// logUniform draws a delay between lo and hi microseconds, log-uniformly: retries come
// minutes to hours apart, more often minutes.
func logUniform(r *rand.Rand, lo, hi float64) int64 {
	return int64(lo * math.Exp(r.Float64()*math.Log(hi/lo)))
}

// errorMessage picks one of the action's failure messages for the object.
func errorMessage(r *rand.Rand, a *actionDef, obj string) string {
	return strings.Replace(a.errors[r.IntN(len(a.errors))], "{obj}", obj, 1)
}

var (
	memorySteps = []string{"256Mi", "512Mi", "768Mi", "1Gi", "1536Mi", "2Gi", "3Gi", "4Gi", "6Gi", "8Gi"}
	cpuSteps    = []string{"100m", "250m", "500m", "750m", "1", "1500m", "2", "3", "4", "6"}
	sizeSteps   = []string{"10Gi", "20Gi", "50Gi", "100Gi", "200Gi", "500Gi", "1Ti", "2Ti"}
)

// metadata builds the small JSON object action_parameters holds: what the alert said,
// which attempt this is, and the action's own parameters. It is written by hand, with a
// fixed key order, because it runs for every row.
func metadata(r *rand.Rand, alert *alertDef, a *actionDef, obj string, attempt int) json.RawMessage {
	b := make([]byte, 0, 192)
	b = append(b, `{"description":`...)
	b = appendJSONString(b, strings.Replace(alert.about, "{obj}", obj, 1))
	b = append(b, `,"attempt":`...)
	b = strconv.AppendInt(b, int64(attempt), 10)
	switch a.param {
	case paramReplicas:
		from := 2 + r.IntN(10)
		b = appendInt(b, "replicas_from", from)
		b = appendInt(b, "replicas_to", from+1+r.IntN(4))
	case paramMemory:
		b = appendSteps(b, r, memorySteps, "memory_limit")
	case paramCPU:
		b = appendSteps(b, r, cpuSteps, "cpu_limit")
	case paramRevision:
		b = appendInt(b, "to_revision", 1+r.IntN(60))
	case paramGrace:
		b = appendInt(b, "grace_period_seconds", []int{0, 30, 30, 60}[r.IntN(4)])
	case paramDisk:
		b = appendInt(b, "target_usage_percent", 60+5*r.IntN(4))
	case paramSize:
		b = appendSteps(b, r, sizeSteps, "size")
	case paramPool:
		from := 10 * (1 + r.IntN(10))
		b = appendInt(b, "pool_size_from", from)
		b = appendInt(b, "pool_size_to", from*2)
	case paramTimeout:
		b = appendInt(b, "timeout_seconds", 300*(1+r.IntN(3)))
	}
	return append(b, '}')
}

// appendInt appends `,"key":n`.
func appendInt(b []byte, key string, n int) []byte {
	b = append(b, ',')
	b = appendJSONString(b, key)
	b = append(b, ':')
	return strconv.AppendInt(b, int64(n), 10)
}

// appendSteps appends `,"<key>_from":..,"<key>_to":..` with the value raised one or two
// steps up the ladder.
func appendSteps(b []byte, r *rand.Rand, steps []string, key string) []byte {
	from := r.IntN(len(steps) - 2)
	to := from + 1 + r.IntN(2)
	b = append(b, `,"`+key+`_from":`...)
	b = appendJSONString(b, steps[from])
	b = append(b, `,"`+key+`_to":`...)
	return appendJSONString(b, steps[to])
}

// appendJSONString appends s as a JSON string. The vocabulary is plain ASCII, but
// escaping keeps the output valid JSON whatever the tables come to hold.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
