package main

import (
	"encoding/json"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instruction is one Containerfile instruction: its keyword and its words, quotes removed.
type instruction struct {
	Keyword string
	Rest    string // the raw arguments, for the JSON forms
	Words   []string
}

// readContainerfile parses the subset of the syntax the Containerfile uses: comments,
// line continuations, double-quoted words.
func readContainerfile(t *testing.T, name string) []instruction {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		keyword, rest, _ := strings.Cut(cur.String(), " ")
		rest = strings.TrimSpace(rest)
		out = append(out, instruction{Keyword: strings.ToUpper(keyword), Rest: rest, Words: words(rest)})
		cur.Reset()
	}
	return out
}

// words splits s at spaces outside double quotes and removes the quotes.
func words(s string) []string {
	var out []string
	var w strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, w.String())
	}
	return out
}

// TestContainerfileMatchesTheBuilder keeps the Containerfile, which CI cannot build (no
// registry), and this program, which CI uses, describing the same image.
func TestContainerfileMatchesTheBuilder(t *testing.T) {
	r := release{Version: "${VERSION}", Revision: "${REVISION}"}
	wantLabels := labels(r)
	wantLabels["org.opencontainers.image.created"] = "${CREATED}"

	got := map[string][]instruction{}
	for _, in := range readContainerfile(t, "../../Containerfile") {
		got[in.Keyword] = append(got[in.Keyword], in)
	}
	one := func(keyword string) instruction {
		t.Helper()
		require.Len(t, got[keyword], 1, keyword)
		return got[keyword][0]
	}
	jsonForm := func(keyword string) []string {
		t.Helper()
		var v []string
		require.NoError(t, json.Unmarshal([]byte(one(keyword).Rest), &v), "%s in JSON form", keyword)
		return v
	}

	assert.Equal(t, []string{"scratch"}, one("FROM").Words, "an empty base, as the builder's default")
	assert.Equal(t, []string{user}, one("USER").Words)
	assert.Equal(t, entrypoint, jsonForm("ENTRYPOINT"))
	assert.Equal(t, cmd, jsonForm("CMD"))
	assert.Equal(t, exposedPorts, one("EXPOSE").Words)
	assert.Equal(t, env, one("ENV").Words)
	assert.Equal(t, []string{stopSignal}, one("STOPSIGNAL").Words)
	assert.Equal(t, []string{"/"}, one("WORKDIR").Words)

	gotLabels := map[string]string{}
	for _, in := range got["LABEL"] {
		for _, kv := range in.Words {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "LABEL %s", kv)
			gotLabels[k] = v
		}
	}
	assert.Equal(t, wantLabels, gotLabels)

	gotFiles := map[string]int64{}
	for _, in := range got["COPY"] {
		var mode int64 = -1
		var args []string
		for _, w := range in.Words {
			switch {
			case strings.HasPrefix(w, "--chmod="):
				m, err := strconv.ParseInt(strings.TrimPrefix(w, "--chmod="), 8, 64)
				require.NoError(t, err)
				mode = m
			case w == "--chown=0:0":
			case strings.HasPrefix(w, "--"):
				t.Errorf("COPY %s: the builder has no equivalent of %s", in.Rest, w)
			default:
				args = append(args, w)
			}
		}
		require.GreaterOrEqual(t, len(args), 2, "COPY %s", in.Rest)
		dest := args[len(args)-1]
		for _, src := range args[:len(args)-1] {
			to := dest
			if strings.HasSuffix(dest, "/") {
				to = dest + path.Base(src)
			}
			gotFiles[to] = mode
			if strings.HasPrefix(src, "build/image/") {
				b, err := os.ReadFile("../../" + src)
				require.NoError(t, err)
				want, err := rootfs.ReadFile(strings.TrimPrefix(src, "build/image/"))
				require.NoError(t, err, "%s is the file the builder embeds", src)
				assert.Equal(t, string(want), string(b))
			}
		}
	}
	assert.Equal(t, fileModes, gotFiles, "the same files with the same modes, owned by root")
}

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		name, given string
		want        []string
	}{
		{name: "plain", given: "a  b c", want: []string{"a", "b", "c"}},
		{name: "quoted value", given: `k="a b" x=y`, want: []string{"k=a b", "x=y"}},
		{name: "empty quotes", given: `k=""`, want: []string{"k="}},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, words(tc.given)) })
	}
}
