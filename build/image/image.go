package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"maps"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// machines are the architectures an image is built for, with the ELF machine their
// binary must have: a release binary built for the wrong one fails here, not in a pod.
var machines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64,
	"arm64": elf.EM_AARCH64,
}

// variants are the OCI platform variants, as registries and runtimes expect them.
var variants = map[string]string{"arm64": "v8"}

// input is what one image is assembled from.
type input struct {
	Arch    string
	Binary  []byte // the release binary for Arch
	CACerts []byte // nil: none added (a base brings its own)
	Base    v1.Image
}

// newImage assembles the image for one architecture: the base (none: an empty image)
// plus a layer of /etc files and a layer holding the binary, with the configuration
// spec.go describes.
func newImage(in input, r release) (v1.Image, error) {
	if err := checkBinary(in.Binary, in.Arch); err != nil {
		return nil, err
	}
	base := in.Base
	if base == nil {
		base = empty.Image
	}
	cfg, err := base.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image: base config: %w", err)
	}
	cfg = cfg.DeepCopy()

	passwd, group, err := accounts(base, in.Base != nil)
	if err != nil {
		return nil, err
	}
	etc := []file{
		{Path: "/etc/passwd", Mode: fileModes["/etc/passwd"], Data: passwd},
		{Path: "/etc/group", Mode: fileModes["/etc/group"], Data: group},
	}
	what := "/etc/passwd /etc/group"
	if in.CACerts != nil {
		etc = append(etc, file{Path: certsPath, Mode: fileModes[certsPath], Data: in.CACerts})
		what += " " + certsPath
	}
	etcLayer, err := newLayer(etc, r.Created)
	if err != nil {
		return nil, err
	}
	binLayer, err := newLayer([]file{{Path: binaryPath, Mode: fileModes[binaryPath], Data: in.Binary}}, r.Created)
	if err != nil {
		return nil, err
	}

	created := v1.Time{Time: r.Created.UTC()}
	cfg.Created = created
	cfg.OS = "linux"
	cfg.Architecture = in.Arch
	cfg.Variant = variants[in.Arch]
	cfg.Author = ""
	c := &cfg.Config
	c.User = user
	c.Entrypoint = slices.Clone(entrypoint)
	c.Cmd = slices.Clone(cmd)
	c.WorkingDir = "/"
	c.StopSignal = stopSignal
	c.Healthcheck = nil // a base's health check would run a shell this image may not have
	c.Env = mergeEnv(c.Env, env)
	c.ExposedPorts = map[string]struct{}{}
	for _, p := range exposedPorts {
		c.ExposedPorts[p] = struct{}{}
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	maps.Copy(c.Labels, labels(r))

	img := mutate.ConfigMediaType(mutate.MediaType(base, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("image: config: %w", err)
	}
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: etcLayer, History: v1.History{Created: created, CreatedBy: "COPY " + what + " (build/image)"}},
		mutate.Addendum{Layer: binLayer, History: v1.History{Created: created, CreatedBy: "COPY dist/linux-" + in.Arch + "/contextapi " + binaryPath}},
	)
	if err != nil {
		return nil, fmt.Errorf("image: layers: %w", err)
	}
	return mutate.Annotations(img, labels(r)).(v1.Image), nil
}

// newIndex is the image index over one image per architecture, in the order given.
func newIndex(images map[string]v1.Image, arches []string, r release) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range arches {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add: images[arch],
			Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: "linux", Architecture: arch, Variant: variants[arch]},
			},
		})
	}
	return mutate.Annotations(idx, labels(r)).(v1.ImageIndex)
}

// checkBinary refuses a binary for another architecture, or one that needs a dynamic
// loader: the image has none.
func checkBinary(b []byte, arch string) error {
	want, ok := machines[arch]
	if !ok {
		return fmt.Errorf("image: unsupported architecture %q", arch)
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("image: the %s binary is not an ELF file: %w", arch, err)
	}
	defer f.Close()
	if f.Machine != want {
		return fmt.Errorf("image: the %s binary is built for %s", arch, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("image: the %s binary is dynamically linked (build it with CGO_ENABLED=0)", arch)
		}
	}
	return nil
}

// mergeEnv adds the entries of ours whose variable base does not set.
func mergeEnv(base, ours []string) []string {
	out := slices.Clone(base)
	for _, kv := range ours {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(out, func(e string) bool { return strings.HasPrefix(e, name+"=") }) {
			out = append(out, kv)
		}
	}
	return out
}
