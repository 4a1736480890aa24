package bearer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// entry is one token the file lets in.
type entry struct {
	name   string
	digest [sha256.Size]byte
}

// readFile loads and parses the tokens file at path.
func readFile(path string) ([]entry, error) {
	f, err := os.Open(path) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("bearer: tokens file: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	entries, err := parse(f)
	if err != nil {
		return nil, fmt.Errorf("bearer: tokens file %s: %w", path, err)
	}
	return entries, nil
}

// parse reads "name:sha256hex" lines. Its errors name the line but never quote its text:
// a malformed line may hold a token pasted where its digest belongs.
func parse(r io.Reader) ([]entry, error) {
	var entries []entry
	names := map[string]int{} // name → line
	digests := map[[sha256.Size]byte]int{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// Digests hold no colon, so the last one separates; names may hold colons.
		i := strings.LastIndexByte(line, ':')
		if i < 0 {
			return nil, fmt.Errorf("line %d: want name:sha256, found no colon", n)
		}
		name := strings.TrimSpace(line[:i])
		if err := CheckName(name); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		sum, ok := parseDigest(strings.TrimSpace(line[i+1:]))
		if !ok {
			return nil, fmt.Errorf("line %d: the digest is not 64 lower-case hex characters (the SHA-256 of the token)", n)
		}
		if prev, dup := names[name]; dup {
			return nil, fmt.Errorf("line %d: name %q already on line %d", n, name, prev)
		}
		if prev, dup := digests[sum]; dup {
			return nil, fmt.Errorf("line %d: same digest as line %d (one token listed twice)", n, prev)
		}
		names[name], digests[sum] = n, n
		entries = append(entries, entry{name: name, digest: sum})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	// An empty file is most likely one being rewritten in place; refusing it keeps the
	// previous tokens instead of locking everybody out.
	if len(entries) == 0 {
		return nil, errors.New("no tokens")
	}
	return entries, nil
}

// parseDigest accepts exactly the form Line writes: 64 lower-case hex characters.
func parseDigest(s string) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	if len(s) != hex.EncodedLen(sha256.Size) || strings.ContainsFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'a' || r > 'f')
	}) {
		return sum, false
	}
	_, err := hex.Decode(sum[:], []byte(s))
	return sum, err == nil
}
