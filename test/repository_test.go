package test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxTrackedSize is the largest file the repository may track: build outputs and data
// dumps belong in dist/ or a registry, not in every clone forever.
const maxTrackedSize = 2 << 20

// generatedReports may exceed maxTrackedSize: reports a tool writes and we commit on
// purpose. They may still never be executables.
var generatedReports = map[string]string{
	"docs/performance.json": "the bench report (go run ./bench)",
	"docs/performance.md":   "the bench report section (go run ./bench)",
}

// trackedFile is one entry of the git index: what the next commit holds.
type trackedFile struct {
	path string
	mode string // "100644", "100755", "120000" (symlink), "160000" (submodule)
	size int64
	head []byte // the first bytes of the content
}

// TestRepositoryTracksNoBuildOutput fails when git tracks an executable binary or a file
// over 2 MB (issue 11: a 30 MB binary was committed once). It reads the index, so a
// file staged for the next commit counts, whatever the work tree holds.
func TestRepositoryTracksNoBuildOutput(t *testing.T) {
	files := trackedFiles(t)
	require.NotEmpty(t, files, "git ls-files listed nothing")
	for _, f := range files {
		if problem := trackedFileProblem(f); problem != "" {
			t.Errorf("%s: %s", f.path, problem)
		}
	}
}

func TestTrackedFileProblem(t *testing.T) {
	elf := append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)
	pe := make([]byte, 0x80)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x40)
	copy(pe[0x40:], "PE\x00\x00")
	tests := []struct {
		name  string
		given trackedFile
		want  string // a substring of the problem; "" for none
	}{
		{"source", trackedFile{path: "main.go", mode: "100644", size: 900, head: []byte("package main")}, ""},
		{"script", trackedFile{path: "scripts/test.sh", mode: "100755", size: 900, head: []byte("#!/usr/bin/env bash\n")}, ""},
		{"ELF", trackedFile{path: "contextapi", mode: "100755", size: 30 << 20, head: elf}, "ELF"},
		{"ELF without the executable bit", trackedFile{path: "lib.so", mode: "100644", size: 900, head: elf}, "ELF"},
		{"Mach-O", trackedFile{path: "contextapi-darwin", mode: "100644", size: 900, head: []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}}, "Mach-O"},
		{"PE", trackedFile{path: "contextapi.exe", mode: "100644", size: 900, head: pe}, "PE"},
		{"MZ text is not PE", trackedFile{path: "notes.txt", mode: "100644", size: 900, head: []byte("MZ is a postcode")}, ""},
		{"executable without shebang", trackedFile{path: "run", mode: "100755", size: 900, head: []byte("echo hi\n")}, "executable"},
		{"3 MB", trackedFile{path: "data.bin", mode: "100644", size: 3 << 20, head: []byte("{")}, "over 2 MB"},
		{"exactly 2 MB", trackedFile{path: "data.json", mode: "100644", size: 2 << 20, head: []byte("{")}, ""},
		{"generated report", trackedFile{path: "docs/performance.json", mode: "100644", size: 3 << 20, head: []byte("{")}, ""},
		{"symlink", trackedFile{path: "link", mode: "120000", size: 10, head: []byte("target")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := trackedFileProblem(tt.given)
			if tt.want == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, tt.want)
			}
		})
	}
}

// trackedFileProblem says why a tracked file must not be tracked, or "".
func trackedFileProblem(f trackedFile) string {
	if f.mode == "120000" {
		return "" // a symlink: its content is the target's path
	}
	if kind := executableFormat(f.head); kind != "" {
		return fmt.Sprintf("an executable binary (%s, %d bytes): build it (scripts/release.sh writes dist/), do not track it", kind, f.size)
	}
	if f.mode == "100755" && !bytes.HasPrefix(f.head, []byte("#!")) {
		return "executable but not a script with a #! line: a binary, or a file whose executable bit is wrong (git update-index --chmod=-x)"
	}
	if _, ok := generatedReports[f.path]; !ok && f.size > maxTrackedSize {
		return fmt.Sprintf("%d bytes, over 2 MB: keep it out of git (or name it in generatedReports if it is a generated report)", f.size)
	}
	return ""
}

// executableFormat names the executable format of content starting with head, or "".
func executableFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF"
	case len(head) >= 4 && isMachO(binary.BigEndian.Uint32(head)):
		return "Mach-O"
	case len(head) >= 0x40 && bytes.HasPrefix(head, []byte("MZ")):
		// DOS header; the PE signature sits where the little-endian offset at 0x3c says.
		off := int(binary.LittleEndian.Uint32(head[0x3c:]))
		if off >= 0 && off+4 <= len(head) && bytes.Equal(head[off:off+4], []byte("PE\x00\x00")) {
			return "PE"
		}
	}
	return ""
}

func isMachO(magic uint32) bool {
	switch magic {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, // 32/64-bit, either byte order
		0xcafebabe, 0xbebafeca: // universal (also Java class files: build outputs too)
		return true
	}
	return false
}

// headSize is how much of each file trackedFiles keeps: enough for a PE header's offset.
const headSize = 1024

// trackedFiles lists the git index of the repository the tests run in (git ls-files),
// with sizes and first bytes from git cat-file. Outside a git checkout it skips, except
// with CI=true, where CI always has one.
func trackedFiles(t *testing.T) []trackedFile {
	t.Helper()
	if err := exec.Command("git", "-C", "..", "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		msg := fmt.Sprintf("not a git checkout (or no git): tracked files not checked: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	out, err := exec.Command("git", "-C", "..", "ls-files", "--stage", "-z").Output()
	require.NoError(t, err, "git ls-files")
	var files []trackedFile
	var objects bytes.Buffer
	for _, entry := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		meta, path, ok := strings.Cut(entry, "\t") // "<mode> <object> <stage>\t<path>"
		fields := strings.Fields(meta)
		require.True(t, ok && len(fields) == 3, "git ls-files --stage: %q", entry)
		if fields[0] == "160000" {
			continue // a submodule: its commit is not an object of this repository
		}
		files = append(files, trackedFile{path: path, mode: fields[0]})
		fmt.Fprintln(&objects, fields[1])
	}

	cmd := exec.Command("git", "-C", "..", "cat-file", "--batch")
	cmd.Stdin = &objects
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := bufio.NewReader(stdout)
	for i := range files {
		header, err := r.ReadString('\n') // "<object> <type> <size>"
		require.NoError(t, err, "git cat-file: %s", files[i].path)
		fields := strings.Fields(header)
		require.Len(t, fields, 3, "git cat-file: %s: %q", files[i].path, header)
		size, err := strconv.ParseInt(fields[2], 10, 64)
		require.NoError(t, err)
		files[i].size = size
		body := make([]byte, size+1) // the content and a newline
		_, err = io.ReadFull(r, body)
		require.NoError(t, err, "git cat-file: %s", files[i].path)
		files[i].head = body[:min(size, headSize)]
	}
	require.NoError(t, cmd.Wait(), "git cat-file")
	return files
}
