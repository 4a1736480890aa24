package deploy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// pod is the pod template of a Deployment or a Job.
type pod struct {
	owner    string // "Deployment/contextapi"
	labels   map[string]string
	spec     *corev1.PodSpec
	isServer bool // a Deployment's pods, which serve
}

func pods(r rendering) []pod {
	var out []pod
	for _, d := range all[appsv1.Deployment](r) {
		out = append(out, pod{"Deployment/" + d.Name, d.Spec.Template.Labels, &d.Spec.Template.Spec, true})
	}
	for _, j := range all[batchv1.Job](r) {
		out = append(out, pod{"Job/" + j.Name, j.Spec.Template.Labels, &j.Spec.Template.Spec, false})
	}
	return out
}

// containers lists init and regular containers, each named after its pod.
func (p pod) containers() map[string]*corev1.Container {
	out := map[string]*corev1.Container{}
	for i := range p.spec.InitContainers {
		out[p.owner+"/"+p.spec.InitContainers[i].Name] = &p.spec.InitContainers[i]
	}
	for i := range p.spec.Containers {
		out[p.owner+"/"+p.spec.Containers[i].Name] = &p.spec.Containers[i]
	}
	return out
}

type secretRef struct{ name, key string }

// secretReferences lists every Secret key the pods read, as env or as a volume.
func secretReferences(r rendering) []secretRef {
	var out []secretRef
	for _, p := range pods(r) {
		for _, c := range p.containers() {
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					out = append(out, secretRef{e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key})
				}
			}
		}
		for _, v := range p.spec.Volumes {
			if v.Secret != nil {
				for _, item := range v.Secret.Items {
					out = append(out, secretRef{v.Secret.SecretName, item.Key})
				}
			}
		}
	}
	return out
}

// TestContainersAreRestricted checks what the restricted Pod Security Standard asks of
// every container, init containers and the Job's included, pod-level settings counted.
func TestContainersAreRestricted(t *testing.T) {
	for _, tt := range targets {
		for _, p := range pods(render(t, tt.dir)) {
			ps := p.spec.SecurityContext
			require.NotNil(t, ps, "%s: pod securityContext", p.owner)
			assert.Equal(t, ptr(false), p.spec.AutomountServiceAccountToken, "%s: automountServiceAccountToken", p.owner)
			assert.Equal(t, ptr(false), p.spec.EnableServiceLinks, "%s: enableServiceLinks", p.owner)
			assert.False(t, p.spec.HostNetwork || p.spec.HostPID || p.spec.HostIPC, "%s: host namespaces", p.owner)
			for name, c := range p.containers() {
				t.Run(tt.name+"/"+name, func(t *testing.T) {
					cs := c.SecurityContext
					require.NotNil(t, cs, "container securityContext")
					assert.Equal(t, ptr(true), first(cs.RunAsNonRoot, ps.RunAsNonRoot), "runAsNonRoot")
					assert.Equal(t, ptr(int64(65532)), first(cs.RunAsUser, ps.RunAsUser), "runAsUser: the image's user")
					assert.Equal(t, ptr(int64(65532)), first(cs.RunAsGroup, ps.RunAsGroup), "runAsGroup")
					assert.Equal(t, ptr(true), cs.ReadOnlyRootFilesystem, "readOnlyRootFilesystem")
					assert.Equal(t, ptr(false), cs.AllowPrivilegeEscalation, "allowPrivilegeEscalation")
					assert.NotEqual(t, ptr(true), cs.Privileged, "privileged")
					require.NotNil(t, cs.Capabilities, "capabilities")
					assert.Equal(t, []corev1.Capability{"ALL"}, cs.Capabilities.Drop, "capabilities.drop")
					assert.Empty(t, cs.Capabilities.Add, "capabilities.add")
					seccomp := first(cs.SeccompProfile, ps.SeccompProfile)
					require.NotNil(t, seccomp, "seccompProfile")
					assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, seccomp.Type, "seccompProfile")
				})
			}
		}
	}
}

// TestContainersHaveResourcesAndGOMEMLIMIT computes GOMEMLIMIT as the kubelet would
// (resourceFieldRef, then $(VAR) expansion) and as Go reads it.
func TestContainersHaveResourcesAndGOMEMLIMIT(t *testing.T) {
	for _, tt := range targets {
		r := render(t, tt.dir)
		for _, p := range pods(r) {
			for name, c := range p.containers() {
				t.Run(tt.name+"/"+name, func(t *testing.T) {
					for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
						assert.Contains(t, c.Resources.Requests, res, "requests")
						assert.Contains(t, c.Resources.Limits, res, "limits")
					}
					limit := c.Resources.Limits[corev1.ResourceMemory]
					env, err := containerEnv(r, c)
					require.NoError(t, err)
					value, ok := env["GOMEMLIMIT"]
					require.True(t, ok, "GOMEMLIMIT is not set")
					gomemlimit, err := parseGoByteCount(value)
					require.NoError(t, err, "GOMEMLIMIT=%q", value)
					ratio := float64(gomemlimit) / float64(limit.Value())
					assert.True(t, ratio >= 0.85 && ratio <= 0.97,
						"GOMEMLIMIT=%s is %.1f%% of the memory limit %s: leave 3-15%% for memory the Go runtime does not manage",
						value, 100*ratio, limit.String())
				})
			}
		}
	}
}

// containerEnv resolves a container's environment as the kubelet does: envFrom, then
// env in order, $(VAR) expanded from what is already defined. Secret values become
// placeholders naming the Secret and key.
func containerEnv(r rendering, c *corev1.Container) (map[string]string, error) {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			return nil, fmt.Errorf("envFrom other than a ConfigMap: %+v", from)
		}
		cm := configMap(r, from.ConfigMapRef.Name)
		if cm == nil {
			return nil, fmt.Errorf("envFrom: no ConfigMap %s", from.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			env[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = expand(e.Value, env)
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		case e.ValueFrom.ConfigMapKeyRef != nil:
			cm := configMap(r, e.ValueFrom.ConfigMapKeyRef.Name)
			if cm == nil {
				return nil, fmt.Errorf("%s: no ConfigMap %s", e.Name, e.ValueFrom.ConfigMapKeyRef.Name)
			}
			env[e.Name] = cm.Data[e.ValueFrom.ConfigMapKeyRef.Key]
		case e.ValueFrom.ResourceFieldRef != nil:
			v, err := resourceField(c, e.ValueFrom.ResourceFieldRef)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name, err)
			}
			env[e.Name] = v
		default:
			return nil, fmt.Errorf("%s: unsupported valueFrom", e.Name)
		}
	}
	return env, nil
}

// resourceField is what the kubelet puts in a resourceFieldRef variable: the quantity
// divided by the divisor, rounded up.
func resourceField(c *corev1.Container, ref *corev1.ResourceFieldSelector) (string, error) {
	if ref.ContainerName != "" && ref.ContainerName != c.Name {
		return "", fmt.Errorf("resourceFieldRef names container %q, not its own (%q)", ref.ContainerName, c.Name)
	}
	kind, name, _ := strings.Cut(ref.Resource, ".")
	list := map[string]corev1.ResourceList{"limits": c.Resources.Limits, "requests": c.Resources.Requests}[kind]
	q, ok := list[corev1.ResourceName(name)]
	if !ok {
		return "", fmt.Errorf("%s is not set", ref.Resource)
	}
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	return strconv.FormatInt(int64(math.Ceil(float64(q.Value())/float64(divisor.Value()))), 10), nil
}

// expand replaces $(NAME) with defined variables and $$ with $, leaving the rest, as
// Kubernetes expands container env values.
func expand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(':
			if end := strings.IndexByte(s[i:], ')'); end > 0 {
				if v, ok := env[s[i+2:i+end]]; ok {
					b.WriteString(v)
					i += end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseGoByteCount reads GOMEMLIMIT as the Go runtime does: a number of bytes with an
// optional B, KiB, MiB, GiB or TiB suffix.
func parseGoByteCount(s string) (int64, error) {
	factor := int64(1)
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, factor = num, u.factor
			break
		}
	}
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("not a Go byte count")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * factor, err
}

func TestGOMEMLIMITArithmetic(t *testing.T) {
	tests := []struct {
		name  string
		limit string
		want  int64
	}{
		{"512Mi", "512Mi", 512_000_000},
		{"1Gi", "1Gi", 1_024_000_000},
		{"not a whole MiB rounds up", "100M", 96_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &corev1.Container{Name: "c", Resources: corev1.ResourceRequirements{
				Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(tt.limit)}}}
			mib, err := resourceField(c, &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")})
			require.NoError(t, err)
			got, err := parseGoByteCount(expand("$(MIB)000000", map[string]string{"MIB": mib}))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func ptr[T any](v T) *T { return &v }

// first returns the container's setting, else the pod's.
func first[T any](container, pod *T) *T {
	if container != nil {
		return container
	}
	return pod
}

func configMap(r rendering, name string) *corev1.ConfigMap {
	for _, cm := range all[corev1.ConfigMap](r) {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}
