package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// loadBase opens the base images of an OCI image layout directory (what
// `skopeo copy --all docker://IMAGE oci:DIR` or `crane pull --format=oci` writes), one per
// architecture, searching nested indexes.
func loadBase(dir string, arches []string) (map[string]v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	out := map[string]v1.Image{}
	for _, arch := range arches {
		img, err := findPlatform(idx, arch)
		if err != nil {
			return nil, fmt.Errorf("base %s: %w", dir, err)
		}
		out[arch] = img
	}
	return out, nil
}

// findPlatform returns the linux/arch image of idx or of an index within it.
func findPlatform(idx v1.ImageIndex, arch string) (v1.Image, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, desc := range m.Manifests {
		switch {
		case desc.MediaType.IsIndex():
			child, err := idx.ImageIndex(desc.Digest)
			if err != nil {
				return nil, err
			}
			if img, err := findPlatform(child, arch); err == nil {
				return img, nil
			}
		case desc.MediaType.IsImage():
			if desc.Platform != nil && (desc.Platform.OS != "linux" || desc.Platform.Architecture != arch) {
				continue
			}
			img, err := idx.Image(desc.Digest)
			if err != nil {
				return nil, err
			}
			cfg, err := img.ConfigFile()
			if err != nil {
				return nil, err
			}
			if cfg.OS == "linux" && cfg.Architecture == arch {
				return img, nil
			}
		}
	}
	return nil, fmt.Errorf("no linux/%s image", arch)
}

// accounts returns /etc/passwd and /etc/group for the image: the repository's files on an
// empty base; on a real base, the base's own files with the contextapi user and group
// added where missing, so the base's accounts keep working.
func accounts(base v1.Image, real bool) (passwd, group []byte, err error) {
	passwd, err = rootfs.ReadFile("rootfs/etc/passwd")
	if err != nil {
		return nil, nil, err
	}
	group, err = rootfs.ReadFile("rootfs/etc/group")
	if err != nil {
		return nil, nil, err
	}
	if !real {
		return passwd, group, nil
	}
	files, err := readFiles(base, "etc/passwd", "etc/group")
	if err != nil {
		return nil, nil, err
	}
	return mergeAccounts(files["etc/passwd"], passwd), mergeAccounts(files["etc/group"], group), nil
}

// mergeAccounts appends to base the lines of ours whose name base lacks. Ours always
// holds root too, which every base already has.
func mergeAccounts(base, ours []byte) []byte {
	have := map[string]bool{}
	for _, line := range strings.Split(string(base), "\n") {
		name, _, _ := strings.Cut(line, ":")
		have[name] = true
	}
	out := bytes.TrimRight(base, "\n")
	if len(out) > 0 {
		out = append(out, '\n')
	}
	for _, line := range strings.SplitAfter(string(ours), "\n") {
		name, _, _ := strings.Cut(line, ":")
		if name != "" && !have[name] {
			out = append(out, line...)
		}
	}
	return out
}

// readFiles returns the content of the named files (relative paths) in img's
// flattened file system; missing files are absent from the map.
func readFiles(img v1.Image, names ...string) (map[string][]byte, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("base: read files: %w", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if want[name] && h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("base: read %s: %w", name, err)
			}
			out[name] = b
		}
	}
}
