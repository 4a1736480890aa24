package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestRedisComponent: the shared cache component gives serve the Redis URL from a Secret
// (never the ConfigMap) and opens egress to Redis, and changes nothing else.
func TestRedisComponent(t *testing.T) {
	plain, with := render(t, "overlays/kubernaut"), render(t, "testdata/kubernaut-redis")
	assert.Len(t, with, len(plain), "no object added or removed")

	d := one[appsv1.Deployment](t, with)
	var url *corev1.EnvVar
	for i, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "CONTEXTAPI_CACHE_REDIS_URL" {
			url = &d.Spec.Template.Spec.Containers[0].Env[i]
		}
	}
	require.NotNil(t, url, "serve gets CONTEXTAPI_CACHE_REDIS_URL")
	assert.Empty(t, url.Value, "never a literal: the URL may hold a password")
	require.NotNil(t, url.ValueFrom)
	require.NotNil(t, url.ValueFrom.SecretKeyRef)
	assert.Equal(t, "contextapi-redis", url.ValueFrom.SecretKeyRef.Name)
	assert.Equal(t, "url", url.ValueFrom.SecretKeyRef.Key)

	for _, np := range all[networkingv1.NetworkPolicy](with) {
		if np.Name != "contextapi" {
			continue
		}
		last := np.Spec.Egress[len(np.Spec.Egress)-1]
		port := intstr.FromInt32(6379)
		tcp := corev1.ProtocolTCP
		assert.Equal(t, []networkingv1.NetworkPolicyPort{{Port: &port, Protocol: &tcp}}, last.Ports)
		assert.Equal(t, []networkingv1.NetworkPolicyPeer{{PodSelector: selector("app.kubernetes.io/name", "redis")}}, last.To)
		for _, np0 := range all[networkingv1.NetworkPolicy](plain) {
			if np0.Name == np.Name {
				assert.Equal(t, np0.Spec.Egress, np.Spec.Egress[:len(np.Spec.Egress)-1], "the other rules unchanged")
			}
		}
	}
}
