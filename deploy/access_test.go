package deploy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	contextapi "github.com/contextapi/contextapi"
)

// recipeMarker opens each patch docs/deploy.md gives for turning authentication or TLS
// on; the test renders every one of them.
const recipeMarker = "# patch on Deployment contextapi"

// fencedYAML is a fenced yaml block of Markdown, possibly indented (in a list item).
var fencedYAML = regexp.MustCompile("(?ms)^([ \t]*)```yaml\n(.*?)^[ \t]*```")

// documentedRecipes returns the patches of docs/deploy.md that start with recipeMarker,
// their indentation removed.
func documentedRecipes(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../docs/deploy.md")
	require.NoError(t, err)
	var out []string
	for _, m := range fencedYAML.FindAllStringSubmatch(string(raw), -1) {
		indent, body := m[1], m[2]
		var lines []string
		for _, line := range strings.Split(body, "\n") {
			lines = append(lines, strings.TrimPrefix(line, indent))
		}
		body = strings.Join(lines, "\n")
		if first, _, _ := strings.Cut(body, "\n"); first == recipeMarker {
			out = append(out, body)
		}
	}
	return out
}

// renderRecipe renders the kubernaut overlay with patch applied to its Deployment, as an
// operator's overlay on top of it would, in memory.
func renderRecipe(t *testing.T, patch string) rendering {
	t.Helper()
	mem := filesys.MakeFsInMemory()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return mem.WriteFile(filepath.Join("/deploy", path), data)
	})
	require.NoError(t, err)
	require.NoError(t, mem.WriteFile("/deploy/overlays/recipe/kustomization.yaml",
		[]byte("resources:\n  - ../kubernaut\npatches:\n  - path: patch.yaml\n")))
	require.NoError(t, mem.WriteFile("/deploy/overlays/recipe/patch.yaml",
		[]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: contextapi\n"+patch)))
	r, err := build(mem, "/deploy/overlays/recipe")
	require.NoError(t, err)
	return r
}

// TestAccessRecipes renders each patch docs/deploy.md gives for authentication and TLS
// on top of the kubernaut overlay: the configuration loads with the service's own
// validation, every file it names is a key of a mounted Secret, and the probes speak
// HTTPS exactly when the API does.
func TestAccessRecipes(t *testing.T) {
	recipes := documentedRecipes(t)
	covered := map[string]bool{}
	for i, patch := range recipes {
		t.Run(fmt.Sprintf("recipe %d", i+1), func(t *testing.T) {
			r := renderRecipe(t, patch)
			d, c := serveContainer(t, r)
			pc, err := loadPodConfig(t, r, &d.Spec.Template.Spec, c)
			require.NoError(t, err, "contextapi would refuse this configuration")
			access := pc.cfg.Access
			covered[access.AuthMode] = true
			covered["tls"] = covered["tls"] || access.TLS()
			for key, path := range map[string]string{"auth_tokens_file": access.AuthTokensFile,
				"tls_cert_file": access.TLSCertFile, "tls_key_file": access.TLSKeyFile, "tls_client_ca_file": access.TLSClientCAFile} {
				if path == "" {
					continue
				}
				_, ref, err := mountedFile(r, &d.Spec.Template.Spec, c, path)
				require.NoError(t, err, key)
				assert.NotEmpty(t, ref.name, "%s: %s is not a Secret key", key, path)
			}
			want := corev1.URISchemeHTTP
			if access.TLS() {
				want = corev1.URISchemeHTTPS
			}
			for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
				require.NotNil(t, p, name)
				require.NotNil(t, p.HTTPGet, name)
				got := p.HTTPGet.Scheme
				if got == "" {
					got = corev1.URISchemeHTTP
				}
				assert.Equal(t, want, got, "%s probe", name)
				assert.Equal(t, "http", p.HTTPGet.Port.StrVal, "%s probe: the patch keeps the port", name)
			}
			if access.AuthMode == contextapi.AuthKubernetes {
				// The audience the docs' client token is projected for.
				assert.Equal(t, []string{"context-api"}, access.AuthAudiences)
			}
		})
	}
	assert.Equal(t, map[string]bool{contextapi.AuthKubernetes: true, contextapi.AuthBearer: true, contextapi.AuthNone: true, "tls": true},
		covered, "docs/deploy.md has a recipe for each mode and for TLS")
}
