// Command image assembles the contextapi container image without pulling anything: the
// release binaries from dist/, the build machine's CA certificates and the repository's
// /etc/passwd and /etc/group, one image per architecture on an empty base (or on a base
// saved as an OCI layout, -base), the configuration the Containerfile describes, and an
// image index over them, written as an OCI archive. Same inputs, same bytes.
//
//	go run ./build/image -version v1.2.3 -revision $(git rev-parse HEAD)
//
// scripts/image.sh runs it as CI does; docs/image.md says how to build and use the image.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	release
	Dist    string
	Arches  []string
	CACerts string
	Base    string
	Out     string
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	fs.StringVar(&o.Version, "version", "dev", "version: the version label and the archive's reference name")
	fs.StringVar(&o.Revision, "revision", "unknown", "VCS revision: the revision label")
	created := fs.String("created", "", "creation time, RFC 3339 (default: $SOURCE_DATE_EPOCH, else the Unix epoch)")
	fs.StringVar(&o.Dist, "dist", "dist", "directory holding linux-ARCH/contextapi")
	arches := fs.String("arch", "amd64,arm64", "architectures, comma-separated")
	fs.StringVar(&o.CACerts, "ca-certs", certsPath, "CA certificate bundle to copy to "+certsPath+` ("" for none; with -base, the base's own are kept unless this is set)`)
	fs.StringVar(&o.Base, "base", "", "OCI image layout directory holding the base image for each architecture (default: an empty base)")
	fs.StringVar(&o.Out, "out", "dist/contextapi-oci.tar", "the OCI archive to write")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	caSet := false
	fs.Visit(func(f *flag.Flag) { caSet = caSet || f.Name == "ca-certs" })
	if o.Base != "" && !caSet {
		o.CACerts = ""
	}
	o.Arches = strings.Split(*arches, ",")
	t, err := creationTime(*created, os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return o, err
	}
	o.Created = t
	return o, nil
}

// creationTime is -created, else SOURCE_DATE_EPOCH (reproducible-builds.org), else the
// epoch: never the clock, so a rebuild gives the same digests.
func creationTime(flagValue, epoch string) (time.Time, error) {
	switch {
	case flagValue != "":
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return time.Time{}, fmt.Errorf("-created: %w", err)
		}
		return t.UTC(), nil
	case epoch != "":
		s, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		return time.Unix(s, 0).UTC(), nil
	}
	return time.Unix(0, 0).UTC(), nil
}

func run(args []string, stdout io.Writer) error {
	o, err := parse(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var certs []byte
	if o.CACerts != "" {
		if certs, err = os.ReadFile(o.CACerts); err != nil {
			return err
		}
	}
	var bases map[string]v1.Image
	if o.Base != "" {
		if bases, err = loadBase(o.Base, o.Arches); err != nil {
			return err
		}
	}
	images := map[string]v1.Image{}
	for _, arch := range o.Arches {
		bin, err := os.ReadFile(filepath.Join(o.Dist, "linux-"+arch, "contextapi")) // #nosec G304 -- the operator's -dist flag
		if err != nil {
			return fmt.Errorf("%w (scripts/release.sh builds it)", err)
		}
		img, err := newImage(input{Arch: arch, Binary: bin, CACerts: certs, Base: bases[arch]}, o.release)
		if err != nil {
			return err
		}
		images[arch] = img
	}
	idx := newIndex(images, o.Arches, o.release)
	if err := writeFile(o.Out, func(w io.Writer) error { return writeOCIArchive(w, idx, o.Version, o.Created) }); err != nil {
		return err
	}
	return report(stdout, o, idx, images)
}

// writeFile writes path through a temporary file, so a failed build leaves no half archive.
// The archive is a build output holding nothing secret, published as go build publishes
// its binaries: 0644 in a 0755 directory, readable by whoever ships it.
func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { // #nosec G301 -- holds a build output, readable by design (see above)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		_ = tmp.Close() // the write error is the one to report; the file is removed
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // #nosec G302 -- a build output, readable by design (see above)
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// report prints the index digest and each image's digest and sizes: compressed (what a
// node pulls: config and layers) and uncompressed (what it unpacks).
func report(w io.Writer, o options, idx v1.ImageIndex, images map[string]v1.Image) error {
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: index %s (%s, revision %s, created %s)\n", o.Out, digest, o.Version, o.Revision, o.Created.Format(time.RFC3339))
	for _, arch := range o.Arches {
		s, err := measure(images[arch])
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  linux/%s: %s, %d layers, %s compressed, %s uncompressed\n",
			arch, s.Digest, s.Layers, mib(s.Compressed), mib(s.Uncompressed))
	}
	return nil
}

// sizes are what report prints of one image.
type sizes struct {
	Digest                   v1.Hash
	Layers                   int
	Compressed, Uncompressed int64
}

func measure(img v1.Image) (sizes, error) {
	var s sizes
	var err error
	if s.Digest, err = img.Digest(); err != nil {
		return s, err
	}
	m, err := img.Manifest()
	if err != nil {
		return s, err
	}
	s.Compressed = m.Config.Size
	layers, err := img.Layers()
	if err != nil {
		return s, err
	}
	s.Layers = len(layers)
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			return s, err
		}
		s.Compressed += n
		rc, err := l.Uncompressed()
		if err != nil {
			return s, err
		}
		u, err := io.Copy(io.Discard, rc)
		err = errors.Join(err, rc.Close())
		if err != nil {
			return s, err
		}
		s.Uncompressed += u
	}
	return s, nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n) }
