package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	// mdName is a Markdown file named in text: docs/api.md, api.md, ../README.md.
	mdName = regexp.MustCompile(`(?:\.\.?/)*(?:[\w-]+/)*[\w-]+\.md\b`)
	// sectionRef is a section cited with the section sign and a number (3, 3.2, 7.3a).
	sectionRef = regexp.MustCompile(`§(\d+(?:\.\d+)*[a-z]?)`)
	// rfcSection cites a section of an RFC, which lives at the IETF, not here.
	rfcSection = regexp.MustCompile(`RFC \d+,? $`)
	// urlLike spans text a Markdown name inside a URL belongs to (another site's file).
	urlLike = regexp.MustCompile(`https?://\S+`)
)

// repoFiles lists the repository's text files as git sees them (tracked, and new files
// not ignored), relative to the root.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	require.NoError(t, err, "git ls-files")
	var files []string
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		switch {
		case f == "", f == "LICENSE", f == "go.sum", strings.Contains(f, "/testdata/golden/"):
			continue
		}
		if _, err := os.Stat(filepath.Join(root, f)); err == nil { // deleted but not staged
			files = append(files, f)
		}
	}
	return files
}

// TestCitedDocumentsAreInTheRepository keeps the repository self-contained: every
// Markdown file a comment, test, script or document names exists in the repository,
// and every section it cites (the section sign and a number) is a numbered heading of
// that file. A section with no file before it in the same paragraph cites the Markdown
// file it is written in, and anywhere else is an error: a bare "contract" and a section
// number name a document nobody here can open. RFC sections are the IETF's.
func TestCitedDocumentsAreInTheRepository(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	headings := map[string]map[string]bool{}
	sectionsOf := func(path string) map[string]bool {
		if h, ok := headings[path]; ok {
			return h
		}
		h := map[string]bool{}
		body, err := os.ReadFile(path)
		if err == nil {
			for _, m := range regexp.MustCompile(`(?m)^#+ (\d+(?:\.\d+)*[a-z]?)\.? `).FindAllStringSubmatch(string(body), -1) {
				h[m[1]] = true
			}
		}
		headings[path] = h
		return h
	}
	resolve := func(from, name string) (string, bool) {
		for _, base := range []string{filepath.Dir(filepath.Join(root, from)), root, filepath.Join(root, "docs")} {
			p := filepath.Join(base, name)
			if _, err := os.Stat(p); err == nil {
				return p, true
			}
		}
		return "", false
	}

	checked := 0
	for _, file := range repoFiles(t, root) {
		body, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		if !isText(body) {
			continue
		}
		isMarkdown := strings.HasSuffix(file, ".md")
		for _, para := range paragraphs(string(body)) {
			para = urlLike.ReplaceAllString(para, "")
			names := mdName.FindAllStringIndex(para, -1)
			for _, n := range names {
				name := para[n[0]:n[1]]
				_, ok := resolve(file, name)
				assert.True(t, ok, "%s names %s, which is not in the repository", file, name)
				checked++
			}
			for _, ref := range sectionRef.FindAllStringSubmatchIndex(para, -1) {
				section := para[ref[2]:ref[3]]
				if rfcSection.MatchString(para[max(0, ref[0]-12):ref[0]]) {
					continue
				}
				cited := ""
				for _, n := range names {
					if n[1] <= ref[0] {
						cited = para[n[0]:n[1]]
					}
				}
				var target string
				switch {
				case cited != "":
					target, _ = resolve(file, cited)
				case isMarkdown:
					target, cited = filepath.Join(root, file), file
				default:
					assert.Fail(t, "bare section reference",
						"%s cites §%s without naming an in-repository document before it: %q", file, section, excerpt(para, ref[0]))
					continue
				}
				if target != "" {
					assert.True(t, sectionsOf(target)[section], "%s cites %s §%s, which has no heading numbered %s",
						file, cited, section, section)
				}
				checked++
			}
		}
	}
	assert.Greater(t, checked, 50, "the scan found the repository's citations")
}

// paragraphs splits text at blank lines and at lines that are not comments following a
// comment, so a section is read with the file names of its own comment or paragraph.
func paragraphs(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	wasComment := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		isComment := strings.HasPrefix(trimmed, "//") || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "--")
		if trimmed == "" || trimmed == "//" || trimmed == "#" || trimmed == "--" || isComment != wasComment {
			flush()
		}
		wasComment = isComment
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return out
}

func isText(b []byte) bool { return !strings.ContainsRune(string(b[:min(len(b), 8000)]), 0) }

func excerpt(s string, at int) string {
	lo, hi := max(0, at-60), min(len(s), at+20)
	return strings.Join(strings.Fields(s[lo:hi]), " ")
}
