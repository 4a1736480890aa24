package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	contextapi "github.com/contextapi/contextapi"
)

// TestKubernautOverlay: the address HolmesGPT-API's CONTEXT_API_URL defaults to
// (http://context-api.kubernaut-system.svc.cluster.local:8091), and Data Storage's
// PostgreSQL as kubernaut's chart deploys it.
func TestKubernautOverlay(t *testing.T) {
	r := render(t, "overlays/kubernaut")
	for _, m := range r {
		want := "kubernaut-system"
		if clusterScoped[m.kind] {
			want = ""
		}
		assert.Equal(t, want, namespaceOf(m.object), "%s %s", m.kind, m.name)
	}

	svc := one[corev1.Service](t, r)
	assert.Equal(t, "context-api", svc.Name)
	require.NotEmpty(t, svc.Spec.Ports)
	assert.Equal(t, "http", svc.Spec.Ports[0].Name)
	assert.EqualValues(t, 8091, svc.Spec.Ports[0].Port)
	assert.Equal(t, intstr.FromString("http"), svc.Spec.Ports[0].TargetPort)

	d, c := serveContainer(t, r)
	// HolmesGPT-API's client sends no credentials and speaks plain HTTP: authentication
	// and TLS stay off until its callers can use them (docs/deploy.md).
	access := serveConfig(t, r, &d.Spec.Template.Spec, c).Access
	assert.Equal(t, contextapi.AuthNone, access.AuthMode)
	assert.False(t, access.TLS())
	env, err := containerEnv(r, c)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"PGHOST":     "postgresql.kubernaut-system.svc.cluster.local",
		"PGPORT":     "5432",
		"PGDATABASE": "action_history",
		"PGUSER":     "slm_user",
		"PGSSLMODE":  "disable",
	}, pick(env, "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSSLMODE"))

	for _, p := range pods(r) {
		for name, c := range p.containers() {
			pc, err := loadPodConfig(t, r, p.spec, c)
			require.NoError(t, err, name)
			assert.Equal(t, secretRef{"postgresql-secret", "POSTGRES_PASSWORD"}, pc.passwordSecret,
				"%s: slm_user's password from kubernaut's Secret", name)
		}
		// kubernaut's PostgreSQL admits only the pods a policy lets in.
		assert.True(t, admitsToPostgreSQL(t, r, p.labels), "%s cannot reach PostgreSQL", p.owner)
	}
	assert.False(t, admitsToPostgreSQL(t, r, map[string]string{"app": "something-else"}), "the policy admits anyone")

	for _, np := range all[networkingv1.NetworkPolicy](r) {
		if selects(t, &np.Spec.PodSelector, d.Spec.Template.Labels) {
			assert.Contains(t, np.Spec.Egress[1].To, networkingv1.NetworkPolicyPeer{PodSelector: selector("app", "postgresql")},
				"egress to the chart's PostgreSQL pods")
		}
	}

	dashboard := configMap(r, "contextapi-dashboard")
	require.NotNil(t, dashboard, "the Grafana dashboard component")
	assert.Equal(t, "1", dashboard.Labels["grafana_dashboard"])
}

func admitsToPostgreSQL(t *testing.T, r rendering, podLabels map[string]string) bool {
	postgresql := map[string]string{"app": "postgresql"}
	for _, np := range all[networkingv1.NetworkPolicy](r) {
		if !selects(t, &np.Spec.PodSelector, postgresql) {
			continue
		}
		for _, rule := range np.Spec.Ingress {
			if !assert.Equal(t, []string{"TCP/5432"}, portStrings(rule.Ports)) {
				continue
			}
			for _, peer := range rule.From {
				if peer.NamespaceSelector == nil && peer.IPBlock == nil && selects(t, peer.PodSelector, podLabels) {
					return true
				}
			}
		}
	}
	return false
}

// TestDevOverlay: demo data on purpose, and nothing a laptop cluster lacks: no Secret,
// no database, no Prometheus Operator.
func TestDevOverlay(t *testing.T) {
	r := render(t, "overlays/dev")
	assert.Empty(t, secretReferences(r), "dev reads no Secret")
	d, c := serveContainer(t, r)
	assert.Empty(t, c.EnvFrom)
	for _, e := range c.Env {
		assert.NotContains(t, []string{"PGHOST", "PGDATABASE", "DATABASE_URL", "CONTEXTAPI_DATABASE_URL"}, e.Name)
	}
	for _, v := range d.Spec.Template.Spec.Volumes {
		assert.Nil(t, v.Secret, "volume %s", v.Name)
	}
	cfg := serveConfig(t, r, &d.Spec.Template.Spec, c)
	assert.True(t, cfg.Demo)
	assert.False(t, cfg.HasDatabase())
}

// TestOnlyDevServesDemoData: the base and kubernaut would refuse demo data.
func TestOnlyDevServesDemoData(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			cfg := serveConfig(t, r, &d.Spec.Template.Spec, c)
			assert.Equal(t, tt.name == "dev", cfg.Demo)
		})
	}
}

// clusterScoped are the kinds the manifests ship that have no namespace.
var clusterScoped = map[string]bool{"ClusterRole": true, "ClusterRoleBinding": true}

func namespaceOf(obj any) string {
	if o, ok := obj.(interface{ GetNamespace() string }); ok {
		return o.GetNamespace()
	}
	return ""
}

func pick(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
