package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeELF is the smallest ELF file debug/elf reads: a header, and a PT_INTERP program
// header when dynamic.
func fakeELF(m elf.Machine, dynamic bool) []byte {
	h := elf.Header64{
		Ident:     [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)},
		Type:      uint16(elf.ET_EXEC),
		Machine:   uint16(m),
		Version:   uint32(elf.EV_CURRENT),
		Ehsize:    64,
		Phentsize: 56,
	}
	if dynamic {
		h.Phoff, h.Phnum = 64, 1
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, h)
	if dynamic {
		_ = binary.Write(&b, binary.LittleEndian, elf.Prog64{Type: uint32(elf.PT_INTERP)})
	}
	return b.Bytes()
}

// fakeDist writes fake release binaries and a CA bundle and returns the arguments
// pointing the builder at them.
func fakeDist(t *testing.T, binaries map[string][]byte) []string {
	t.Helper()
	dir := t.TempDir()
	for arch, b := range binaries {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "linux-"+arch), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "linux-"+arch, "contextapi"), b, 0o755))
	}
	certs := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(certs, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644))
	return []string{"-dist", dir, "-ca-certs", certs, "-out", filepath.Join(dir, "out.tar"),
		"-version", "v1.2.3", "-revision", "0123abcd", "-created", "2026-01-02T03:04:05Z"}
}

var fakeBinaries = map[string][]byte{"amd64": fakeELF(elf.EM_X86_64, false), "arm64": fakeELF(elf.EM_AARCH64, false)}

// build runs the command with args and returns the archive it wrote.
func build(t *testing.T, args []string) []byte {
	t.Helper()
	require.NoError(t, run(args, io.Discard))
	o, err := parse(args)
	require.NoError(t, err)
	b, err := os.ReadFile(o.Out)
	require.NoError(t, err)
	return b
}

// openArchive unpacks an OCI archive, checks that every blob has the digest it is named
// by and the size its descriptors say, and returns the image index index.json names.
func openArchive(t *testing.T, archive []byte) (v1.ImageIndex, string) {
	t.Helper()
	dir := t.TempDir()
	sizes := map[string]int64{}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if h.Typeflag == tar.TypeDir {
			require.NoError(t, os.MkdirAll(filepath.Join(dir, h.Name), 0o755))
			continue
		}
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, h.Name), b, 0o644))
		if name, ok := strings.CutPrefix(h.Name, "blobs/sha256/"); ok {
			sum := sha256.Sum256(b)
			require.Equal(t, name, hex.EncodeToString(sum[:]), "blob content matches its name")
			sizes["sha256:"+name] = int64(len(b))
		}
	}
	size := func(d v1.Descriptor) {
		t.Helper()
		assert.Equal(t, d.Size, sizes[d.Digest.String()], "size of %s", d.Digest)
	}
	top, err := layout.ImageIndexFromPath(dir)
	require.NoError(t, err)
	m, err := top.IndexManifest()
	require.NoError(t, err)
	require.Len(t, m.Manifests, 1, "index.json names one index")
	require.True(t, m.Manifests[0].MediaType.IsIndex())
	size(m.Manifests[0])
	idx, err := top.ImageIndex(m.Manifests[0].Digest)
	require.NoError(t, err)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	for _, d := range im.Manifests {
		size(d)
		img, err := idx.Image(d.Digest)
		require.NoError(t, err)
		mf, err := img.Manifest()
		require.NoError(t, err)
		size(mf.Config)
		for _, l := range mf.Layers {
			size(l)
		}
	}
	return idx, m.Manifests[0].Annotations[refNameAnnotation]
}

func TestArchiveHoldsOneImagePerArchitecture(t *testing.T) {
	args := fakeDist(t, fakeBinaries)
	idx, ref := openArchive(t, build(t, args))
	assert.Equal(t, "v1.2.3", ref)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, m.Manifests, 2)
	assert.Equal(t, "v1.2.3", m.Annotations["org.opencontainers.image.version"])
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	var etcLayers []v1.Hash
	for i, arch := range []string{"amd64", "arm64"} {
		desc := m.Manifests[i]
		assert.Equal(t, &v1.Platform{OS: "linux", Architecture: arch, Variant: variants[arch]}, desc.Platform)
		img, err := idx.Image(desc.Digest)
		require.NoError(t, err)
		cfg, err := img.ConfigFile()
		require.NoError(t, err)
		assert.Equal(t, arch, cfg.Architecture)
		assert.Equal(t, created, cfg.Created.Time)
		assert.Equal(t, "65532:65532", cfg.Config.User)
		assert.Equal(t, []string{"/usr/local/bin/contextapi"}, cfg.Config.Entrypoint)
		assert.Equal(t, []string{"serve"}, cfg.Config.Cmd)
		assert.Equal(t, "Apache-2.0", cfg.Config.Labels["org.opencontainers.image.licenses"])
		assert.Equal(t, "0123abcd", cfg.Config.Labels["org.opencontainers.image.revision"])
		assert.Equal(t, "2026-01-02T03:04:05Z", cfg.Config.Labels["org.opencontainers.image.created"])
		assert.Contains(t, cfg.Config.ExposedPorts, "9090/tcp")

		layers, err := img.Layers()
		require.NoError(t, err)
		require.Len(t, layers, 2)
		etc := layerFiles(t, layers[0])
		assert.Equal(t, []string{"etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt"}, etc.names)
		assert.Contains(t, string(etc.data["etc/passwd"]), "contextapi:x:65532:65532:")
		bin := layerFiles(t, layers[1])
		assert.Equal(t, []string{"usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/contextapi"}, bin.names)
		assert.Equal(t, fakeBinaries[arch], bin.data["usr/local/bin/contextapi"])
		h := bin.headers["usr/local/bin/contextapi"]
		assert.Equal(t, int64(0o755), h.Mode)
		assert.Equal(t, 0, h.Uid)
		assert.Equal(t, 0, h.Gid)
		assert.Equal(t, created, h.ModTime.UTC())
		d, err := layers[0].Digest()
		require.NoError(t, err)
		etcLayers = append(etcLayers, d)
	}
	assert.Equal(t, etcLayers[0], etcLayers[1], "the /etc layer is shared")
}

func TestSameInputsSameBytes(t *testing.T) {
	args := fakeDist(t, fakeBinaries)
	first := sha256.Sum256(build(t, args))
	assert.Equal(t, first, sha256.Sum256(build(t, args)))
	later := append(args, "-created", "2026-01-02T03:04:06Z") // the last one wins
	assert.NotEqual(t, first, sha256.Sum256(build(t, later)), "the creation time is in the image")
}

func TestBinariesAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		amd64  []byte
		reason string
	}{
		{name: "wrong architecture", amd64: fakeELF(elf.EM_AARCH64, false), reason: "the amd64 binary is built for EM_AARCH64"},
		{name: "dynamically linked", amd64: fakeELF(elf.EM_X86_64, true), reason: "dynamically linked"},
		{name: "not ELF", amd64: []byte("#!/bin/sh\n"), reason: "not an ELF file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := fakeDist(t, map[string][]byte{"amd64": tc.amd64, "arm64": fakeBinaries["arm64"]})
			err := run(args, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.reason)
		})
	}
	err := run(fakeDist(t, map[string][]byte{"amd64": fakeBinaries["amd64"]}), io.Discard)
	assert.ErrorContains(t, err, "linux-arm64/contextapi", "a missing binary is named")
}

func TestCreationTime(t *testing.T) {
	for _, tc := range []struct {
		name, flag, epoch string
		want              time.Time
	}{
		{name: "flag wins", flag: "2026-01-02T03:04:05+01:00", epoch: "1", want: time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC)},
		{name: "SOURCE_DATE_EPOCH", epoch: "1767323045", want: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{name: "never the clock", want: time.Unix(0, 0).UTC()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := creationTime(tc.flag, tc.epoch)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := creationTime("", "yesterday")
	assert.Error(t, err)
}

// files is what one layer holds.
type files struct {
	names   []string
	headers map[string]*tar.Header
	data    map[string][]byte
}

func layerFiles(t *testing.T, l v1.Layer) files {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	out := files{headers: map[string]*tar.Header{}, data: map[string][]byte{}}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out.names = append(out.names, h.Name)
		out.headers[h.Name], out.data[h.Name] = h, b
	}
}
