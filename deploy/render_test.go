package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	contextapi "github.com/contextapi/contextapi"
)

// target is one kustomization the tests render: the base and every overlay.
type target struct {
	name      string
	dir       string
	wantStore contextapi.Store // what serve reads there
	wantKinds []string         // every kind rendered, sorted, with repeats
}

var targets = []target{
	{"base", "base", contextapi.StorePostgreSQL, []string{
		"ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMap", "Deployment",
		"HorizontalPodAutoscaler", "Job", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule",
		"Service", "ServiceAccount", "ServiceMonitor"}},
	{"dev", "overlays/dev", contextapi.StoreDemo, []string{
		"ConfigMap", "Deployment", "NetworkPolicy", "Service", "ServiceAccount"}},
	{"kubernaut", "overlays/kubernaut", contextapi.StorePostgreSQL, []string{
		"ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMap", "ConfigMap", "Deployment",
		"HorizontalPodAutoscaler", "Job", "NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget",
		"PrometheusRule", "Service", "ServiceAccount", "ServiceMonitor"}},
}

// kinds maps apiVersion/kind to the typed struct an object must decode into. A kind not
// listed fails the render: every object the manifests ship is checked.
var kinds = map[string]func() any{
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                            func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monitoringv1.PrometheusRule{} },
	// RBAC: the base's rbac.yaml, and the client example of deploy/examples.
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },
}

// manifest is one rendered object, decoded.
type manifest struct {
	kind   string
	name   string
	object any // pointer to the typed struct of kinds
}

// rendering is the output of one kustomization.
type rendering []manifest

// decode reads one object strictly, as the API server does: field names match case
// sensitively, and an unknown or duplicated field is an error, not a silent drop.
func decode(data []byte) (manifest, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return manifest{}, err
	}
	newObject, ok := kinds[head.APIVersion+"/"+head.Kind]
	if !ok {
		return manifest{}, fmt.Errorf("%s %q: unknown kind %s/%s", head.Kind, head.Metadata.Name, head.APIVersion, head.Kind)
	}
	obj := newObject()
	strict, err := sigsjson.UnmarshalStrict(data, obj, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err == nil {
		err = errors.Join(strict...)
	}
	if err != nil {
		return manifest{}, fmt.Errorf("%s %q: %w", head.Kind, head.Metadata.Name, err)
	}
	return manifest{kind: head.Kind, name: head.Metadata.Name, object: obj}, nil
}

// build renders the kustomization at dir of fs and decodes every object.
func build(fs filesys.FileSystem, dir string) (rendering, error) {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		return nil, err
	}
	var out rendering
	for _, r := range resources.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, err
		}
		m, err := decode(data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

var renders sync.Map // dir → func() (rendering, error)

// render builds dir (relative to deploy/) once per test binary.
func render(t *testing.T, dir string) rendering {
	t.Helper()
	once, _ := renders.LoadOrStore(dir, sync.OnceValues(func() (rendering, error) {
		return build(filesys.MakeFsOnDisk(), dir)
	}))
	r, err := once.(func() (rendering, error))()
	require.NoError(t, err, "render %s", dir)
	return r
}

// all returns the rendered objects of type T.
func all[T any](r rendering) []*T {
	var out []*T
	for _, m := range r {
		if v, ok := m.object.(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// one returns the only rendered object of type T, failing the test otherwise.
func one[T any](t *testing.T, r rendering) *T {
	t.Helper()
	objs := all[T](r)
	require.Len(t, objs, 1, "objects of type %T", objs)
	return objs[0]
}

func TestEveryKustomizationRendersAndDecodesStrictly(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			var kinds []string
			for _, m := range render(t, tt.dir) {
				kinds = append(kinds, m.kind)
			}
			sort.Strings(kinds)
			assert.Equal(t, tt.wantKinds, kinds)
		})
	}
}

// TestEveryOverlayIsTested keeps a new overlay from escaping the checks.
func TestEveryOverlayIsTested(t *testing.T) {
	dirs, err := os.ReadDir("overlays")
	require.NoError(t, err)
	tested := map[string]bool{}
	for _, tt := range targets {
		tested[tt.dir] = true
	}
	for _, d := range dirs {
		if d.IsDir() {
			assert.True(t, tested[filepath.Join("overlays", d.Name())], "overlays/%s is not in targets", d.Name())
		}
	}
}

func TestStrictDecodingRefusesWhatTheAPIServerWould(t *testing.T) {
	const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"misspelt field", deployment + "spec:\n  replica: 2\n", `unknown field "spec.replica"`},
		{"field in the wrong case", deployment + "spec:\n  Replicas: 2\n", `unknown field "spec.Replicas"`},
		{"misspelt nested field", deployment + "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n          readinesProbe: {}\n",
			`unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"duplicated field", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"x\",\"name\":\"y\"}}", `duplicate field "metadata.name"`},
		{"misspelt ServiceMonitor field", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\nspec:\n  endpoint: []\n",
			`unknown field "spec.endpoint"`},
		{"unknown kind", "apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n", "unknown kind apps/v1/Deploymnet"},
		{"well-formed", deployment + "spec:\n  replicas: 2\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.yaml) // JSON as it is: YAMLToJSON would drop a duplicate
			if !json.Valid(data) {
				var err error
				data, err = yaml.YAMLToJSON(data)
				require.NoError(t, err)
			}
			_, err := decode(data)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestRenderRefusesAMisspeltManifest goes through kustomize itself, as the overlays do.
func TestRenderRefusesAMisspeltManifest(t *testing.T) {
	fs := filesys.MakeFsInMemory()
	require.NoError(t, fs.WriteFile("/k/kustomization.yaml", []byte("resources:\n  - pdb.yaml\n")))
	require.NoError(t, fs.WriteFile("/k/pdb.yaml", []byte(
		"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\nspec:\n  minAvailible: 1\n")))
	_, err := build(fs, "/k")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "spec.minAvailible"`)
}

// TestSecretIsOnlyAnExample: the operator creates the Secret; the example lists the keys
// the manifests read, with placeholders, and is never rendered.
func TestSecretIsOnlyAnExample(t *testing.T) {
	raw, err := os.ReadFile("base/secret.example.yaml")
	require.NoError(t, err)
	data, err := yaml.YAMLToJSON(raw)
	require.NoError(t, err)
	m, err := decode(data)
	require.NoError(t, err)
	example := m.object.(*corev1.Secret)
	for key, value := range example.StringData {
		assert.Regexp(t, `^REPLACE-`, value, "secret.example.yaml holds a value for %s", key)
	}
	for _, tt := range targets {
		r := render(t, tt.dir)
		assert.Empty(t, all[corev1.Secret](r), "%s renders a Secret", tt.name)
		for _, ref := range secretReferences(r) {
			if ref.name == example.Name {
				assert.Contains(t, example.StringData, ref.key, "%s reads key %s of Secret %s", tt.name, ref.key, ref.name)
			}
		}
	}
}
