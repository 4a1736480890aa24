package logjson

import "time"

// appendTime appends t as a JSON string in RFC 3339 with nanoseconds, exactly as
// t.AppendFormat(b, time.RFC3339Nano) would (which is what slog writes), without
// interpreting the layout on every call: that was a fifth of a request line's cost.
// The caller has checked that the year has four digits.
func appendTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	b = append(b, '"')
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, second, 2)
	if ns := t.Nanosecond(); ns != 0 {
		// .999999999: nine digits, trailing zeros dropped.
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = append(b, '.')
		b = appendDigits(b, ns, digits)
	}
	_, offset := t.Zone()
	if offset == 0 {
		return append(b, 'Z', '"')
	}
	// Z07:00 writes hours and minutes of the offset; seconds of it are dropped.
	zone := offset / 60
	if zone < 0 {
		b = append(b, '-')
		zone = -zone
	} else {
		b = append(b, '+')
	}
	b = appendDigits(b, zone/60, 2)
	b = append(b, ':')
	b = appendDigits(b, zone%60, 2)
	return append(b, '"')
}

const decimalDigits = "0123456789"

// appendDigits appends n (not negative) in width digits, zero-padded; a wider n keeps
// all its digits, as the time package does.
func appendDigits(b []byte, n, width int) []byte {
	var d [20]byte
	i := len(d)
	for n >= 10 || width > 1 {
		i--
		d[i] = decimalDigits[n%10]
		n /= 10
		width--
	}
	i--
	d[i] = decimalDigits[n]
	return append(b, d[i:]...)
}
