package deploy

import (
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const clientLabel = "contextapi.kubernaut.ai/client"

func selects(t *testing.T, sel *metav1.LabelSelector, set map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	require.NoError(t, err)
	return !s.Empty() && s.Matches(labels.Set(set))
}

func selector(key, value string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{key: value}}
}

// TestServiceExposesTheAPIPods: named ports http and metrics, on the pods' ports of
// the same names.
func TestServiceExposesTheAPIPods(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			svc := one[corev1.Service](t, r)
			assert.Equal(t, corev1.ServiceTypeClusterIP, svc.Spec.Type)
			assert.True(t, selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, d.Spec.Template.Labels))
			names := map[string]bool{}
			for _, p := range svc.Spec.Ports {
				names[p.Name] = true
				assert.Equal(t, intstr.FromString(p.Name), p.TargetPort, "port %s targets the pod port of its name", p.Name)
				assert.NotNil(t, containerPort(c, p.TargetPort), "port %s: no such container port", p.Name)
			}
			assert.Equal(t, map[string]bool{"http": true, "metrics": true}, names)
		})
	}
}

// TestNetworkPolicyAdmitsWhatTheServiceExposes: every Service port reaches the pods from
// somewhere, the API from labelled clients, /metrics from the monitoring namespace, and
// nothing from everywhere.
func TestNetworkPolicyAdmitsWhatTheServiceExposes(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			svc := one[corev1.Service](t, r)
			var policies []*networkingv1.NetworkPolicy
			for _, np := range all[networkingv1.NetworkPolicy](r) {
				if selects(t, &np.Spec.PodSelector, d.Spec.Template.Labels) {
					policies = append(policies, np)
				}
			}
			require.Len(t, policies, 1, "one policy for the API pods")
			np := policies[0]
			assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes)
			for _, rule := range np.Spec.Ingress {
				assert.NotEmpty(t, rule.From, "an ingress rule open to every source")
				assert.NotEmpty(t, rule.Ports, "an ingress rule open on every port")
			}
			for _, sp := range svc.Spec.Ports {
				cp := containerPort(c, sp.TargetPort)
				require.NotNil(t, cp)
				peers := admittedFrom(np.Spec.Ingress, cp)
				require.NotEmpty(t, peers, "Service port %s (container port %d) is not admitted", sp.Name, cp.ContainerPort)
				switch sp.Name {
				case "http":
					assert.Contains(t, peers, networkingv1.NetworkPolicyPeer{
						PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{clientLabel: "true"}},
					}, "the API from labelled clients of this namespace")
				case "metrics":
					assert.Equal(t, []networkingv1.NetworkPolicyPeer{{
						NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "monitoring"}},
					}}, peers, "/metrics from the monitoring namespace only")
				}
				for _, peer := range peers {
					assert.Nil(t, peer.IPBlock, "port %s open to an address block", sp.Name)
				}
			}
			// Egress: DNS to kube-system and PostgreSQL, nothing else.
			require.Len(t, np.Spec.Egress, 2)
			dns, pg := np.Spec.Egress[0], np.Spec.Egress[1]
			assert.ElementsMatch(t, []string{"UDP/53", "TCP/53"}, portStrings(dns.Ports))
			assert.Equal(t, []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}}}}, dns.To)
			assert.Equal(t, []string{"TCP/5432"}, portStrings(pg.Ports))
		})
	}
}

// admittedFrom lists the peers of the rules that open the container port, by name or
// number.
func admittedFrom(rules []networkingv1.NetworkPolicyIngressRule, cp *corev1.ContainerPort) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for _, rule := range rules {
		for _, p := range rule.Ports {
			if p.Port == nil || p.Port.Type == intstr.String && p.Port.StrVal == cp.Name ||
				p.Port.Type == intstr.Int && p.Port.IntVal == cp.ContainerPort {
				out = append(out, rule.From...)
				break
			}
		}
	}
	return out
}

func portStrings(ports []networkingv1.NetworkPolicyPort) []string {
	var out []string
	for _, p := range ports {
		proto := corev1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		out = append(out, string(proto)+"/"+p.Port.String())
	}
	return out
}

// TestServiceMonitorScrapesTheMetricsPort: it selects the Service by its labels and
// scrapes the port named metrics at /metrics.
func TestServiceMonitorScrapesTheMetricsPort(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			monitors := all[monitoringv1.ServiceMonitor](r)
			if tt.wantStore == "demo" {
				assert.Empty(t, monitors, "dev needs no Prometheus Operator")
				return
			}
			require.Len(t, monitors, 1)
			sm := monitors[0]
			svc := one[corev1.Service](t, r)
			assert.True(t, selects(t, &sm.Spec.Selector, svc.Labels), "the ServiceMonitor selects the Service")
			assert.False(t, sm.Spec.NamespaceSelector.Any, "the ServiceMonitor's own namespace only")
			assert.Empty(t, sm.Spec.NamespaceSelector.MatchNames, "the ServiceMonitor's own namespace only")
			require.Len(t, sm.Spec.Endpoints, 1)
			ep := sm.Spec.Endpoints[0]
			assert.Equal(t, "metrics", ep.Port)
			assert.Equal(t, "/metrics", ep.Path)
			var portNames []string
			for _, p := range svc.Spec.Ports {
				portNames = append(portNames, p.Name)
			}
			assert.Contains(t, portNames, ep.Port, "the endpoint names a Service port")
		})
	}
}

// TestDisruptionAndScaling: the PDB and the HPA cover the API pods, and a drain can
// always make progress; the database has room for the largest scale-out.
func TestDisruptionAndScaling(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			pdbs, hpas := all[policyv1.PodDisruptionBudget](r), all[autoscalingv2.HorizontalPodAutoscaler](r)
			if tt.wantStore == "demo" {
				assert.Empty(t, pdbs, "a PDB of 1 over 1 replica would block every drain")
				assert.Empty(t, hpas)
				return
			}
			require.Len(t, pdbs, 1)
			require.Len(t, hpas, 1)
			pdb, hpa := pdbs[0], hpas[0]
			assert.True(t, selects(t, pdb.Spec.Selector, d.Spec.Template.Labels))
			assert.Equal(t, ptr(intstr.FromInt32(1)), pdb.Spec.MinAvailable)
			assert.Equal(t, autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name}, hpa.Spec.ScaleTargetRef)
			require.NotNil(t, hpa.Spec.MinReplicas)
			assert.EqualValues(t, 2, *hpa.Spec.MinReplicas)
			assert.Greater(t, int(*hpa.Spec.MinReplicas), pdb.Spec.MinAvailable.IntValue())
			assert.GreaterOrEqual(t, hpa.Spec.MaxReplicas, *hpa.Spec.MinReplicas)
			require.Len(t, hpa.Spec.Metrics, 1)
			assert.Equal(t, corev1.ResourceCPU, hpa.Spec.Metrics[0].Resource.Name)
			assert.Equal(t, autoscalingv2.UtilizationMetricType, hpa.Spec.Metrics[0].Resource.Target.Type)
			cfg := serveConfig(t, r, &d.Spec.Template.Spec, c)
			assert.LessOrEqual(t, int(hpa.Spec.MaxReplicas)*cfg.DBMaxOpenConns, 50,
				"maxReplicas x db_max_open_conns against PostgreSQL's 100 connections, shared with Data Storage")
		})
	}
}
