package bearer

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSkipsCommentsBlankLinesAndWhiteSpace(t *testing.T) {
	a, b := digest("token-a"), digest("token-b")
	file := "# who may read\r\n\n   \n" +
		"  alice  :  " + hex.EncodeToString(a[:]) + "  \r\n" +
		"\t# bob is on call\n" +
		"bob:" + hex.EncodeToString(b[:])
	entries, err := parse(strings.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, []entry{{name: "alice", digest: a}, {name: "bob", digest: b}}, entries)
}

func TestParseRefusesMalformedFiles(t *testing.T) {
	const token = "pasted-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	good := Line("alice", "token-a")
	hexOf := func(tok string) string { d := digest(tok); return hex.EncodeToString(d[:]) }
	upper := strings.ToUpper(hexOf("token-b"))
	for _, tc := range []struct {
		name, file, want string
	}{
		{"bad hex", good + "\nbob:" + strings.Repeat("g", 64), "line 2: the digest is not 64 lower-case hex"},
		{"upper-case hex", good + "\nbob:" + upper, "line 2: the digest is not 64 lower-case hex"},
		{"short digest", "# x\nbob:" + hexOf("token-b")[:63], "line 2: the digest"},
		{"long digest", "bob:" + hexOf("token-b") + "0", "line 1: the digest"},
		{"token instead of digest", "bob:" + token, "line 1: the digest"},
		{"missing colon", good + "\n\n" + token, "line 3: want name:sha256, found no colon"},
		{"empty name", good + "\n :" + hexOf("token-b"), "line 2: the name is empty"},
		{"control character in name", "b\x1bob:" + hexOf("token-b"), "line 1: the name holds a control character"},
		{"duplicate name", good + "\n# again\nalice:" + hexOf("token-b"), `line 3: name "alice" already on line 1`},
		{"duplicate digest", good + "\nbob:" + hexOf("token-a"), "line 2: same digest as line 1"},
		{"no tokens", "# nobody yet\n\n", "no tokens"},
		{"empty", "", "no tokens"},
		{"line too long", good + "\n" + strings.Repeat("x", 70_000), "line 2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(strings.NewReader(tc.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), hexOf("token-a"))
			assert.NotContains(t, err.Error(), hexOf("token-b")[:16])
			assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(upper[:16]))
		})
	}
}

func TestParseAcceptsNamesWithOddCharacters(t *testing.T) {
	names := []string{"system:serviceaccount:ops:ci", "Zoë Ünïcode", "ops team (pager)", "a#b", "x=y/z@host", "名前", "a:b:"}
	var file strings.Builder
	for i, name := range names {
		file.WriteString(Line(name, fmt.Sprint("token-", i)) + "\n")
	}
	entries, err := parse(strings.NewReader(file.String()))
	require.NoError(t, err)
	require.Len(t, entries, len(names))
	for i, name := range names {
		assert.Equal(t, name, entries[i].name)
		assert.Equal(t, digest(fmt.Sprint("token-", i)), entries[i].digest)
	}
}
