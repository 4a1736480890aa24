package httpapi

import (
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// maxNameLen bounds a client-supplied name echoed in a problem document.
const maxNameLen = 64

// safeName makes a client-supplied name (a query parameter, a body member) safe to echo
// as a problem's field: short, and quoted as ASCII when empty or not plainly printable.
func safeName(name string) string {
	truncated := name
	if len(truncated) > maxNameLen {
		truncated = truncated[:maxNameLen] // a rune cut in two makes it quoted below
	}
	if truncated == "" || !printable(truncated) {
		return strconv.QuoteToASCII(truncated)
	}
	return truncated
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == ' ' {
			return false
		}
	}
	return true
}

// sortedNames returns m's keys in order, so problems list fields deterministically.
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
