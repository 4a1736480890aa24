package main

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeBase writes an OCI layout like `skopeo copy --all` makes of a base such as UBI: an
// index.json naming an index of one image per architecture, each with its own accounts,
// PATH and labels.
func fakeBase(t *testing.T) string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		l, err := newLayer([]file{
			{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n")},
			{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnobody:x:65534:\n")},
			{Path: "/usr/bin/true", Mode: 0o755, Data: []byte("fake")},
		}, time.Unix(0, 0))
		require.NoError(t, err)
		img, err := mutate.AppendLayers(empty.Image, l)
		require.NoError(t, err)
		cfg, err := img.ConfigFile()
		require.NoError(t, err)
		cfg.OS, cfg.Architecture = "linux", arch
		cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=oci"}
		cfg.Config.Labels = map[string]string{"name": "ubi9/ubi-micro"}
		img, err = mutate.ConfigFile(img, cfg)
		require.NoError(t, err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img})
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	require.NoError(t, err)
	require.NoError(t, p.AppendIndex(idx, layout.WithAnnotations(map[string]string{refNameAnnotation: "9.6"})))
	return dir
}

func TestOnABase(t *testing.T) {
	base := fakeBase(t)
	withCerts := append(fakeDist(t, fakeBinaries), "-base", base)
	i := slices.Index(withCerts, "-ca-certs")
	withoutCerts := slices.Delete(slices.Clone(withCerts), i, i+2)
	for _, tc := range []struct {
		name      string
		args      []string
		wantCerts bool
	}{
		{name: "the base's own CA certificates", args: withoutCerts},
		{name: "CA certificates asked for", args: withCerts, wantCerts: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx, _ := openArchive(t, build(t, tc.args))
			m, err := idx.IndexManifest()
			require.NoError(t, err)
			require.Len(t, m.Manifests, 2)
			img, err := idx.Image(m.Manifests[1].Digest)
			require.NoError(t, err)
			cfg, err := img.ConfigFile()
			require.NoError(t, err)
			assert.Equal(t, "arm64", cfg.Architecture)
			assert.Equal(t, "65532:65532", cfg.Config.User)
			assert.Equal(t, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=oci"},
				cfg.Config.Env, "the base's PATH stays")
			assert.Equal(t, "ubi9/ubi-micro", cfg.Config.Labels["name"], "the base's labels stay")
			assert.Equal(t, "v1.2.3", cfg.Config.Labels["org.opencontainers.image.version"])
			layers, err := img.Layers()
			require.NoError(t, err)
			require.Len(t, layers, 3, "the base's layer, then ours")
			etc := layerFiles(t, layers[1])
			assert.Equal(t, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n"+
				"contextapi:x:65532:65532:contextapi:/nonexistent:/sbin/nologin\n", string(etc.data["etc/passwd"]),
				"the base's accounts, plus ours")
			assert.Equal(t, "root:x:0:\nnobody:x:65534:\ncontextapi:x:65532:\n", string(etc.data["etc/group"]))
			assert.Equal(t, tc.wantCerts, slices.Contains(etc.names, "etc/ssl/certs/ca-certificates.crt"))
		})
	}

	_, err := loadBase(base, []string{"s390x"})
	assert.ErrorContains(t, err, "no linux/s390x image")
}
