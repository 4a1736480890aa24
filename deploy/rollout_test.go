package deploy

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// serveContainer returns the Deployment and its serve container.
func serveContainer(t *testing.T, r rendering) (*appsv1.Deployment, *corev1.Container) {
	t.Helper()
	d := one[appsv1.Deployment](t, r)
	for i, c := range d.Spec.Template.Spec.Containers {
		if len(c.Args) > 0 && c.Args[0] == "serve" {
			return d, &d.Spec.Template.Spec.Containers[i]
		}
	}
	require.FailNow(t, "no container runs serve")
	return nil, nil
}

// TestImagesArePinned: a registry, a tag that is not latest, and the version label equal
// to that tag on every workload and pod.
func TestImagesArePinned(t *testing.T) {
	for _, tt := range targets {
		for _, p := range pods(render(t, tt.dir)) {
			for name, c := range p.containers() {
				t.Run(tt.name+"/"+name, func(t *testing.T) {
					repo, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
					require.True(t, ok, "image %q has no tag", c.Image)
					assert.NotEqual(t, "latest", tag, "image %q", c.Image)
					assert.NotEmpty(t, repo)
					assert.Contains(t, c.Image, "/", "image %q names no registry", c.Image)
					assert.Equal(t, tag, p.labels["app.kubernetes.io/version"], "pod label app.kubernetes.io/version")
				})
			}
		}
	}
}

// TestProbesHitRealRoutes: the probes ask the documented health routes, on a named
// container port, and those routes are GET operations of the service's OpenAPI document.
func TestProbesHitRealRoutes(t *testing.T) {
	raw, err := os.ReadFile("../internal/adapters/httpapi/openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			// With tls_cert_file the API port, health included, speaks only TLS.
			wantScheme := corev1.URISchemeHTTP
			if serveConfig(t, r, &d.Spec.Template.Spec, c).Access.TLS() {
				wantScheme = corev1.URISchemeHTTPS
			}
			probes := []struct {
				name     string
				probe    *corev1.Probe
				wantPath string
			}{
				{"startupProbe", c.StartupProbe, "/health/ready"},
				{"readinessProbe", c.ReadinessProbe, "/health/ready"},
				{"livenessProbe", c.LivenessProbe, "/health/live"},
			}
			for _, p := range probes {
				require.NotNil(t, p.probe, p.name)
				require.NotNil(t, p.probe.HTTPGet, "%s is not an HTTP GET", p.name)
				assert.Equal(t, p.wantPath, p.probe.HTTPGet.Path, p.name)
				scheme := p.probe.HTTPGet.Scheme
				if scheme == "" {
					scheme = corev1.URISchemeHTTP
				}
				assert.Equal(t, wantScheme, scheme, "%s against tls_cert_file", p.name)
				assert.Contains(t, doc.Paths[p.probe.HTTPGet.Path], strings.ToLower(http.MethodGet),
					"%s: %s is no GET route of openapi.yaml", p.name, p.probe.HTTPGet.Path)
				port := p.probe.HTTPGet.Port
				require.Equal(t, intstr.String, port.Type, "%s names its port", p.name)
				assert.Equal(t, "http", port.StrVal, "%s: the API listener answers health", p.name)
				assert.NotNil(t, containerPort(c, port), "%s: port %s is no container port", p.name, port.String())
			}
		})
	}
}

// TestDeploymentRollsSafely: rolling updates never lose a ready pod, and replicas are
// spread over zones and nodes.
func TestDeploymentRollsSafely(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			assert.Equal(t, []string{"serve", "--config", "/etc/contextapi/config.yaml"}, c.Args)
			wantReplicas := int32(2)
			if tt.wantStore == "demo" {
				wantReplicas = 1
			}
			assert.Equal(t, ptr(wantReplicas), d.Spec.Replicas)
			require.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type)
			ru := d.Spec.Strategy.RollingUpdate
			require.NotNil(t, ru)
			assert.Equal(t, ptr(intstr.FromInt32(0)), ru.MaxUnavailable)
			assert.Equal(t, ptr(intstr.FromInt32(1)), ru.MaxSurge)
			assert.Equal(t, d.Spec.Selector.MatchLabels, subset(d.Spec.Template.Labels, d.Spec.Selector.MatchLabels),
				"the selector matches the pod template")
			keys := map[string]bool{}
			for _, tsc := range d.Spec.Template.Spec.TopologySpreadConstraints {
				keys[tsc.TopologyKey] = true
				require.NotNil(t, tsc.LabelSelector)
				assert.Equal(t, d.Spec.Selector.MatchLabels, tsc.LabelSelector.MatchLabels, "spread over this Deployment's pods")
			}
			assert.Equal(t, map[string]bool{"topology.kubernetes.io/zone": true, "kubernetes.io/hostname": true}, keys)
			assert.Equal(t, "contextapi", d.Spec.Template.Spec.ServiceAccountName)
		})
	}
}

// TestGracePeriodCoversDrainAndShutdown reads drain_delay and shutdown_timeout from the
// configuration the pod is given.
func TestGracePeriodCoversDrainAndShutdown(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, c := serveContainer(t, r)
			cfg := serveConfig(t, r, &d.Spec.Template.Spec, c)
			require.NotNil(t, d.Spec.Template.Spec.TerminationGracePeriodSeconds)
			grace := time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
			assert.Greater(t, grace, cfg.DrainDelay+cfg.ShutdownTimeout,
				"terminationGracePeriodSeconds against drain_delay %s + shutdown_timeout %s", cfg.DrainDelay, cfg.ShutdownTimeout)
		})
	}
}

// TestMigrationJobRunsMigrate: where a database is read, a Job runs migrate with the
// serve image and database settings, once, without restarts in place; the Deployment's
// pods wait for it.
func TestMigrationJobRunsMigrate(t *testing.T) {
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			r := render(t, tt.dir)
			d, serve := serveContainer(t, r)
			jobs := all[batchv1.Job](r)
			if tt.wantStore == "demo" {
				assert.Empty(t, jobs, "nothing to migrate on the demo data")
				assert.Empty(t, d.Spec.Template.Spec.InitContainers)
				return
			}
			require.Len(t, jobs, 1)
			job := jobs[0]
			require.Len(t, job.Spec.Template.Spec.Containers, 1)
			migrate := job.Spec.Template.Spec.Containers[0]
			require.NotEmpty(t, migrate.Args)
			assert.Equal(t, "migrate", migrate.Args[0])
			assert.NotContains(t, migrate.Args, "--dry-run")
			assert.NotContains(t, migrate.Args, "--status")
			assert.Equal(t, serve.Image, migrate.Image)
			assert.Equal(t, serve.EnvFrom, migrate.EnvFrom, "the Job reads the database settings serve reads")
			assert.Equal(t, corev1.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)
			require.NotNil(t, job.Spec.BackoffLimit)
			assert.Positive(t, *job.Spec.BackoffLimit)
			assert.NotNil(t, job.Spec.TTLSecondsAfterFinished)
			assert.Equal(t, "migration", job.Spec.Template.Labels["app.kubernetes.io/component"])

			require.Len(t, d.Spec.Template.Spec.InitContainers, 1, "the schema gate")
			gate := d.Spec.Template.Spec.InitContainers[0]
			assert.Equal(t, []string{"migrate", "--status"}, gate.Args, "the gate only reads")
			assert.Equal(t, serve.Image, gate.Image)
			assert.Equal(t, migrate.EnvFrom, gate.EnvFrom, "the gate asks the database the Job migrates")
		})
	}
}

func containerPort(c *corev1.Container, port intstr.IntOrString) *corev1.ContainerPort {
	for i, p := range c.Ports {
		if port.Type == intstr.String && p.Name == port.StrVal || port.Type == intstr.Int && p.ContainerPort == port.IntVal {
			return &c.Ports[i]
		}
	}
	return nil
}

// subset returns the entries of labels whose keys are in want.
func subset(labels, want map[string]string) map[string]string {
	out := map[string]string{}
	for k := range want {
		if v, ok := labels[k]; ok {
			out[k] = v
		}
	}
	return out
}
