package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// refNameAnnotation names an entry of an OCI layout's index.json: `podman load` and
// `skopeo copy oci-archive:FILE:NAME` find the image by it.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// blob is one content-addressed file of an OCI image layout.
type blob struct {
	size int64
	open func() (io.ReadCloser, error)
}

// writeOCIArchive writes idx as an OCI image layout in a tar (an "oci-archive"): oci-layout,
// index.json naming idx refName, and every blob once (the /etc layer is the same for every
// architecture). Entries are sorted, owned by 0:0 and dated mtime: same index, same bytes.
func writeOCIArchive(w io.Writer, idx v1.ImageIndex, refName string, mtime time.Time) error {
	blobs := map[v1.Hash]blob{}
	if err := collectIndex(idx, blobs); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	size, err := idx.Size()
	if err != nil {
		return err
	}
	top, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:   types.OCIImageIndex,
			Digest:      digest,
			Size:        size,
			Annotations: map[string]string{refNameAnnotation: refName},
		}},
	})
	if err != nil {
		return err
	}
	files := map[string]blob{
		"oci-layout": bytesBlob([]byte(`{"imageLayoutVersion":"1.0.0"}`)),
		"index.json": bytesBlob(top),
	}
	for h, b := range blobs {
		files["blobs/"+h.Algorithm+"/"+h.Hex] = b
	}
	names := []string{"blobs/", "blobs/sha256/"}
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)

	mtime = mtime.UTC().Truncate(time.Second)
	tw := tar.NewWriter(w)
	for _, name := range names {
		b, ok := files[name]
		h := &tar.Header{Name: name, ModTime: mtime, Format: tar.FormatUSTAR}
		if !ok {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		} else {
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, b.size
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("archive: %s: %w", name, err)
		}
		if !ok {
			continue
		}
		if err := copyBlob(tw, b); err != nil {
			return fmt.Errorf("archive: %s: %w", name, err)
		}
	}
	return tw.Close()
}

// collectIndex adds idx, its manifests, configs and layers to blobs.
func collectIndex(idx v1.ImageIndex, blobs map[v1.Hash]blob) error {
	raw, err := idx.RawManifest()
	if err != nil {
		return err
	}
	addBytes(blobs, raw)
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range m.Manifests {
		if !desc.MediaType.IsImage() {
			return fmt.Errorf("unexpected %s in the index", desc.MediaType)
		}
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return err
		}
		if err := collectImage(img, blobs); err != nil {
			return err
		}
	}
	return nil
}

// collectImage adds img's manifest, config and layers to blobs.
func collectImage(img v1.Image, blobs map[v1.Hash]blob) error {
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	addBytes(blobs, raw)
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	addBytes(blobs, cfg)
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		digest, err := l.Digest()
		if err != nil {
			return err
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		blobs[digest] = blob{size: size, open: l.Compressed}
	}
	return nil
}

func addBytes(blobs map[v1.Hash]blob, b []byte) {
	h, _, _ := v1.SHA256(bytes.NewReader(b))
	blobs[h] = bytesBlob(b)
}

func bytesBlob(b []byte) blob {
	return blob{size: int64(len(b)), open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// copyBlob writes exactly b.size bytes of b: a layer that reads back differently from
// its digest's size fails the build instead of corrupting the archive.
func copyBlob(w io.Writer, b blob) error {
	rc, err := b.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.Copy(w, rc)
	if err != nil {
		return err
	}
	if n != b.size {
		return fmt.Errorf("%d bytes, want %d", n, b.size)
	}
	return nil
}
