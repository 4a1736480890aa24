package report

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/contextapi/contextapi/bench/internal/progress"
)

// Report markers in docs/performance.md: the run replaces what lies between them.
const (
	markStart = "<!-- bench:report:start -->"
	markEnd   = "<!-- bench:report:end -->"
)

// JSON is docs/performance.json's text.
func JSON(rep *Report) ([]byte, error) {
	b, err := json.MarshalIndent(rep, "", "  ")
	return append(b, '\n'), err
}

// Write writes the report as JSON to jsonOut and its Markdown section into mdOut
// (between the markers, or appended under "Latest report"), each relative to root and
// skipped when "".
func Write(root, jsonOut, mdOut string, rep *Report, markdown string) error {
	if jsonOut != "" {
		b, err := JSON(rep)
		if err != nil {
			return err
		}
		if err := os.WriteFile(abs(root, jsonOut), b, 0o644); err != nil { // #nosec G306 G703 -- committed documentation; the developer's -json flag
			return err
		}
		progress.Logf("wrote %s", jsonOut)
	}
	if mdOut == "" {
		return nil
	}
	path := abs(root, mdOut)
	old, err := os.ReadFile(path) // #nosec G304 -- the developer's -md flag
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(path, []byte(replaceSection(string(old), markdown)), 0o644); err != nil { // #nosec G306 G703 -- committed documentation; the developer's -md flag
		return err
	}
	progress.Logf("wrote %s", mdOut)
	return nil
}

// replaceSection puts section between the report markers of doc.
func replaceSection(doc, section string) string {
	marked := markStart + "\n" + section + markEnd
	i, j := strings.Index(doc, markStart), strings.Index(doc, markEnd)
	if i >= 0 && j > i {
		return doc[:i] + marked + doc[j+len(markEnd):]
	}
	return doc + "\n## Latest report\n\n" + marked + "\n"
}

func abs(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}
