package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	contextapi "github.com/contextapi/contextapi"
)

// serviceAccountDir is where Kubernetes clients look for the pod's token, CA and
// namespace (what automountServiceAccountToken would mount).
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// reviewRules are what auth_mode kubernetes asks the API server: whose token a caller's
// is (TokenReview), and whether that user may read contextapi (SubjectAccessReview).
var reviewRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"tokenreviews"}, Verbs: []string{"create"}},
	{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
}

// TestServiceAccountMayReviewTokensAndAccess: where RBAC is shipped, a ClusterRole grants
// exactly create on tokenreviews and subjectaccessreviews, bound to the Deployment's
// ServiceAccount in the Deployment's namespace; nothing else is granted to anyone. dev,
// which leaves its namespace to kubectl -n, ships none.
func TestServiceAccountMayReviewTokensAndAccess(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, _ := serveContainer(t, r)
			roles, bindings := all[rbacv1.ClusterRole](r), all[rbacv1.ClusterRoleBinding](r)
			assert.Empty(t, all[rbacv1.Role](r), "no namespaced Role: client access is an example")
			assert.Empty(t, all[rbacv1.RoleBinding](r), "no RoleBinding: client access is an example")
			if tt.name == "dev" {
				assert.Empty(t, roles, "a ClusterRoleBinding needs a namespace dev does not set")
				assert.Empty(t, bindings)
				return
			}
			require.Len(t, roles, 1)
			require.Len(t, bindings, 1)
			role, binding := roles[0], bindings[0]
			assert.Equal(t, reviewRules, role.Rules, "create on tokenreviews and subjectaccessreviews, nothing more")
			assert.Nil(t, role.AggregationRule)
			assert.Empty(t, namespaceOf(role), "cluster-scoped")
			assert.Empty(t, namespaceOf(binding), "cluster-scoped")

			assert.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, binding.RoleRef)
			sa := one[corev1.ServiceAccount](t, r)
			assert.Equal(t, d.Spec.Template.Spec.ServiceAccountName, sa.Name)
			assert.Equal(t, []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}}, binding.Subjects,
				"the service's own ServiceAccount, in its namespace")
			assert.Equal(t, d.Namespace, sa.Namespace)
			if tt.name != "base" { // the base leaves the namespace to its overlays
				assert.NotEmpty(t, binding.Subjects[0].Namespace, "a ServiceAccount subject of a ClusterRoleBinding needs its namespace")
			}
			if tt.name == "kubernaut" {
				assert.Equal(t, "kubernaut-system", binding.Subjects[0].Namespace)
			}
		})
	}
}

// TestOnlyServeGetsAServiceAccountToken: no pod has the token mounted automatically; the
// serve container gets it from a projected volume at the place clients look, with the
// cluster's CA and the pod's namespace (auth_namespace's default), read-only; the schema
// gate and the migration Job get none.
func TestOnlyServeGetsAServiceAccountToken(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			for _, p := range pods(r) {
				assert.Equal(t, ptr(false), p.spec.AutomountServiceAccountToken, p.owner)
				for name, c := range p.containers() {
					var mount *corev1.VolumeMount
					for i, m := range c.VolumeMounts {
						if strings.HasPrefix(serviceAccountDir, strings.TrimSuffix(m.MountPath, "/")) {
							mount = &c.VolumeMounts[i]
						}
					}
					if !p.isServer || len(c.Args) == 0 || c.Args[0] != "serve" {
						assert.Nil(t, mount, "%s never calls the Kubernetes API", name)
						continue
					}
					require.NotNil(t, mount, "%s: the token auth_mode kubernetes calls the API server with", name)
					assert.Equal(t, serviceAccountDir, mount.MountPath)
					assert.True(t, mount.ReadOnly)
					assert.Empty(t, mount.SubPath, "a subPath would never see the refreshed token")
					v := volume(p.spec, mount.Name)
					require.NotNil(t, v)
					require.NotNil(t, v.Projected, "a projected volume")
					files := map[string]string{}
					for _, src := range v.Projected.Sources {
						switch {
						case src.ServiceAccountToken != nil:
							assert.Empty(t, src.ServiceAccountToken.Audience, "the API server's audience")
							require.NotNil(t, src.ServiceAccountToken.ExpirationSeconds)
							assert.LessOrEqual(t, *src.ServiceAccountToken.ExpirationSeconds, int64(3607), "a short-lived token")
							files[src.ServiceAccountToken.Path] = "token"
						case src.ConfigMap != nil:
							for _, it := range src.ConfigMap.Items {
								files[it.Path] = src.ConfigMap.Name + "/" + it.Key
							}
						case src.DownwardAPI != nil:
							for _, it := range src.DownwardAPI.Items {
								require.NotNil(t, it.FieldRef)
								files[it.Path] = it.FieldRef.FieldPath
							}
						default:
							assert.Fail(t, "an unexpected projection", "%+v", src)
						}
					}
					assert.Equal(t, map[string]string{"token": "token", "ca.crt": "kube-root-ca.crt/ca.crt",
						"namespace": "metadata.namespace"}, files)
				}
			}
		})
	}
}

func volume(spec *corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

// decodeFile decodes every object of a multi-document YAML file strictly.
func decodeFile(t *testing.T, path string) rendering {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var out rendering
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		data, err := yaml.YAMLToJSON([]byte(doc))
		require.NoError(t, err)
		if string(data) == "null" {
			continue // comments only
		}
		m, err := decode(data)
		require.NoError(t, err, path)
		out = append(out, m)
	}
	return out
}

// TestExamplesAreNotRendered: deploy/examples holds what an operator applies by hand; no
// kustomization lists it.
func TestExamplesAreNotRendered(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "kustomization.yaml" {
			return err
		}
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		var k struct {
			Resources  []string `json:"resources"`
			Components []string `json:"components"`
			Patches    []struct {
				Path string `json:"path"`
			} `json:"patches"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &k), path)
		listed := append(k.Resources, k.Components...)
		for _, p := range k.Patches {
			listed = append(listed, p.Path)
		}
		for _, l := range listed {
			assert.NotContains(t, l, "examples", "%s lists an example", path)
		}
		return nil
	})
	require.NoError(t, err)
	for _, tt := range targets {
		for _, m := range render(t, tt.dir) {
			assert.NotContains(t, []string{"context-api-reader", "context-api-reader-holmesgpt-api", "contextapi-to-apiserver"},
				m.name, "%s renders the example %s %s", tt.name, m.kind, m.name)
		}
	}
}

// TestClientAccessExample: the example Role grants exactly what contextapi's
// SubjectAccessReview asks with its defaults (auth_verb, auth_resource,
// auth_resource_name, in the pod's namespace), in the kubernaut overlay's namespace, and
// the RoleBinding gives it to HolmesGPT-API's ServiceAccount.
func TestClientAccessExample(t *testing.T) {
	example := decodeFile(t, "examples/client-access.yaml")
	require.Len(t, example, 2)
	role, binding := one[rbacv1.Role](t, example), one[rbacv1.RoleBinding](t, example)

	r := render(t, "overlays/kubernaut")
	d, c := serveContainer(t, r)
	access := serveConfig(t, r, &d.Spec.Template.Spec, c).Access
	assert.Equal(t, contextapi.AuthNone, access.AuthMode, "the example is for when it is turned on")
	namespace := access.AuthNamespace
	if namespace == "" {
		namespace = d.Namespace // the pod's own
	}
	assert.Equal(t, namespace, role.Namespace, "the namespace contextapi asks about")
	assert.Equal(t, []rbacv1.PolicyRule{{
		APIGroups:     []string{access.AuthGroup},
		Resources:     []string{access.AuthResource},
		ResourceNames: []string{access.AuthResourceName},
		Verbs:         []string{access.AuthVerb},
	}}, role.Rules, "exactly the SubjectAccessReview's attributes")
	// The defaults name the overlay's own Service, so the grant means nothing else.
	assert.Equal(t, one[corev1.Service](t, r).Name, access.AuthResourceName)
	assert.Equal(t, "services", access.AuthResource)

	assert.Equal(t, role.Namespace, binding.Namespace)
	assert.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}, binding.RoleRef)
	assert.Equal(t, []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "holmesgpt-api-sa", Namespace: "kubernaut-system"}},
		binding.Subjects)
}

// TestAPIServerEgressExample: the example policy selects the serve pods of the kubernaut
// overlay, in its namespace, and opens egress to the API server's usual ports only.
func TestAPIServerEgressExample(t *testing.T) {
	example := decodeFile(t, "examples/networkpolicy-apiserver.yaml")
	np := one[networkingv1.NetworkPolicy](t, example)
	d, _ := serveContainer(t, render(t, "overlays/kubernaut"))
	assert.Equal(t, d.Namespace, np.Namespace)
	assert.True(t, selects(t, &np.Spec.PodSelector, d.Spec.Template.Labels), "selects the serve pods")
	assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes, "adds egress, changes no ingress")
	require.Len(t, np.Spec.Egress, 1)
	assert.Equal(t, []string{"TCP/443", "TCP/6443"}, portStrings(np.Spec.Egress[0].Ports))
}
