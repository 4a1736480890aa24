package deploy

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	contextapi "github.com/contextapi/contextapi"
)

// libpqVariables are the PG* variables the driver reads (pgx's pgconn, plus PGHOSTADDR,
// which the service counts as selecting a database).
var libpqVariables = map[string]bool{
	"PGHOST": true, "PGHOSTADDR": true, "PGPORT": true, "PGDATABASE": true, "PGUSER": true,
	"PGPASSWORD": true, "PGPASSFILE": true, "PGAPPNAME": true, "PGCONNECT_TIMEOUT": true,
	"PGSSLMODE": true, "PGSSLKEY": true, "PGSSLCERT": true, "PGSSLCERTMODE": true, "PGSSLSNI": true,
	"PGSSLROOTCERT": true, "PGSSLPASSWORD": true, "PGSSLNEGOTIATION": true, "PGTARGETSESSIONATTRS": true,
	"PGSERVICE": true, "PGSERVICEFILE": true, "PGTZ": true, "PGOPTIONS": true, "PGCHANNELBINDING": true,
	"PGREQUIREAUTH": true, "PGMINPROTOCOLVERSION": true, "PGMAXPROTOCOLVERSION": true,
}

// configKeys reads a configuration file as the service does: flat keys, each one of
// contextapi.Keys, values as strings.
func configKeys(data []byte) (map[string]string, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, k := range contextapi.Keys {
		known[k.Name] = true
	}
	out := map[string]string{}
	for k, v := range doc {
		if !known[k] {
			return nil, fmt.Errorf("%s is not a configuration key", k)
		}
		switch v := v.(type) {
		case string, bool:
			out[k] = fmt.Sprint(v)
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("%s: %T is not a scalar", k, v)
		}
	}
	return out, nil
}

// podConfig is what contextapi would load in a container: defaults, the --config file
// (from the ConfigMap mounted at its path), the CONTEXTAPI_ and libpq variables; the
// password file, which must be a mounted Secret key, replaced by a file of the test's.
type podConfig struct {
	cfg            contextapi.Config
	yaml           map[string]string
	passwordSecret secretRef // the Secret key behind database_password_file, if any
}

func loadPodConfig(t *testing.T, r rendering, spec *corev1.PodSpec, c *corev1.Container) (podConfig, error) {
	var out podConfig
	raw := map[string]string{}
	for _, k := range contextapi.Keys {
		raw[k.Name] = k.Default
	}
	for i, arg := range c.Args {
		if arg != "--config" || i+1 == len(c.Args) {
			continue
		}
		data, _, err := mountedFile(r, spec, c, c.Args[i+1])
		if err != nil {
			return out, fmt.Errorf("--config: %w", err)
		}
		if out.yaml, err = configKeys([]byte(data)); err != nil {
			return out, fmt.Errorf("%s: %w", c.Args[i+1], err)
		}
		for k, v := range out.yaml {
			raw[k] = v
		}
	}
	env, err := containerEnv(r, c)
	if err != nil {
		return out, err
	}
	if v := env["DATABASE_URL"]; v != "" {
		raw["database_url"] = v
	}
	for name, value := range env {
		if key, ok := strings.CutPrefix(name, "CONTEXTAPI_"); ok {
			key = strings.ToLower(key)
			if _, known := raw[key]; !known {
				return out, fmt.Errorf("%s is not a configuration key", name)
			}
			raw[key] = value
		} else if strings.HasPrefix(name, "PG") && !libpqVariables[name] {
			return out, fmt.Errorf("%s is not a libpq variable", name)
		}
	}
	if path := raw["database_password_file"]; path != "" {
		_, ref, err := mountedFile(r, spec, c, path)
		if err != nil {
			return out, fmt.Errorf("database_password_file: %w", err)
		}
		out.passwordSecret = ref
		stand := filepath.Join(t.TempDir(), "password")
		require.NoError(t, os.WriteFile(stand, []byte("not-the-password\n"), 0o600))
		raw["database_password_file"] = stand
	}
	lookup := func(name string) (string, bool) {
		if name == "KUBERNETES_SERVICE_HOST" {
			return "10.96.0.1", true // every pod has it
		}
		v, ok := env[name]
		return v, ok
	}
	out.cfg, err = contextapi.ParseConfig(raw, lookup)
	return out, err
}

// mountedFile finds the volume that provides path in the container: a ConfigMap's data
// (returned), or a Secret's key (named).
func mountedFile(r rendering, spec *corev1.PodSpec, c *corev1.Container, path string) (string, secretRef, error) {
	for _, m := range c.VolumeMounts {
		rel, ok := strings.CutPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")
		if !ok || m.SubPath != "" {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name != m.Name {
				continue
			}
			switch {
			case v.ConfigMap != nil:
				key := keyAt(v.ConfigMap.Items, rel)
				cm := configMap(r, v.ConfigMap.Name)
				if cm == nil || key == "" {
					return "", secretRef{}, fmt.Errorf("%s: no ConfigMap %s with a key at %s", path, v.ConfigMap.Name, rel)
				}
				data, ok := cm.Data[key]
				if !ok {
					return "", secretRef{}, fmt.Errorf("%s: ConfigMap %s has no key %s", path, v.ConfigMap.Name, key)
				}
				return data, secretRef{}, nil
			case v.Secret != nil:
				// The Secret is the operator's: the items must say which key lands here.
				if key := keyAt(v.Secret.Items, rel); key != "" && len(v.Secret.Items) > 0 {
					return "", secretRef{v.Secret.SecretName, key}, nil
				}
				return "", secretRef{}, fmt.Errorf("%s: Secret volume %s lists no item at %s", path, v.Name, rel)
			}
			return "", secretRef{}, fmt.Errorf("%s: volume %s is neither a ConfigMap nor a Secret", path, v.Name)
		}
	}
	return "", secretRef{}, fmt.Errorf("%s is not in a mounted volume", path)
}

// keyAt returns the key projected to path: items when listed, else the path itself.
func keyAt(items []corev1.KeyToPath, path string) string {
	if len(items) == 0 {
		return path
	}
	for _, it := range items {
		if it.Path == path {
			return it.Key
		}
	}
	return ""
}

func serveConfig(t *testing.T, r rendering, spec *corev1.PodSpec, c *corev1.Container) contextapi.Config {
	t.Helper()
	pc, err := loadPodConfig(t, r, spec, c)
	require.NoError(t, err)
	return pc.cfg
}

// TestConfigurationIsValid loads each container's configuration with the service's own
// validation, in a pod: keys that exist, values it accepts, the store it would serve.
func TestConfigurationIsValid(t *testing.T) {
	for _, tt := range targets {
		r := render(t, tt.dir)
		for _, p := range pods(r) {
			for name, c := range p.containers() {
				t.Run(tt.name+"/"+name, func(t *testing.T) {
					pc, err := loadPodConfig(t, r, p.spec, c)
					require.NoError(t, err)
					if !p.isServer || c.Args[0] != "serve" {
						assert.True(t, pc.cfg.HasDatabase(), "migrate needs a database")
						assert.NotEmpty(t, pc.passwordSecret.name, "migrate's password comes from a Secret")
						return
					}
					store, err := pc.cfg.Store()
					require.NoError(t, err, "contextapi would refuse to start")
					assert.Equal(t, tt.wantStore, store)
					assert.Equal(t, tt.wantStore == contextapi.StoreDemo, pc.cfg.Demo, "demo")
					if store == contextapi.StorePostgreSQL {
						assert.NotEmpty(t, pc.passwordSecret.name, "the password comes from a Secret")
						assert.NotEqual(t, "contextapi-default-cursor-key", pc.cfg.CursorSecret,
							"replicas share a cursor key of the operator's")
					}
					assert.Equal(t, "json", pc.cfg.LogFormat, "logs a collector parses")
					assertListensOn(t, c, "http", pc.cfg.Addr)
					assertListensOn(t, c, "metrics", pc.cfg.MetricsAddr)
					assert.Less(t, pc.cfg.CacheMaxBytes, goMemLimit(t, r, c)/2, "the cache budget fits GOMEMLIMIT twice")
				})
			}
		}
	}
}

// TestConfigKeysAreChecked proves the check above catches a misspelt key.
func TestConfigKeysAreChecked(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"known keys", "cache_ttl: 5m\ndb_max_open_conns: 6\ndemo: false\n", ""},
		{"misspelt key", "cache_tll: 5m\n", "cache_tll is not a configuration key"},
		{"nested key", "cache:\n  ttl: 5m\n", "cache is not a configuration key"},
		{"not a scalar", "addr: [\":8080\"]\n", "addr: []interface {} is not a scalar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := configKeys([]byte(tt.yaml))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.wantErr)
		})
	}
}

// TestConfigMapsHoldOnlyKnownNames: every ConfigMap is the configuration file, the
// database variables, or the dashboard; no key is a stray.
func TestConfigMapsHoldOnlyKnownNames(t *testing.T) {
	for _, tt := range targets {
		for _, cm := range all[corev1.ConfigMap](render(t, tt.dir)) {
			t.Run(tt.name+"/"+cm.Name, func(t *testing.T) {
				var keys []string
				for k := range cm.Data {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				switch {
				case strings.HasPrefix(cm.Name, "contextapi-config-"):
					assert.Equal(t, []string{"config.yaml"}, keys)
					_, err := configKeys([]byte(cm.Data["config.yaml"]))
					assert.NoError(t, err)
				case strings.HasPrefix(cm.Name, "contextapi-database-"):
					for _, k := range keys {
						key, ours := strings.CutPrefix(k, "CONTEXTAPI_")
						assert.True(t, libpqVariables[k] || ours && isKey(strings.ToLower(key)),
							"%s is neither a libpq variable nor a configuration key", k)
					}
				case cm.Name == "contextapi-dashboard":
					assert.Equal(t, []string{"contextapi-dashboard.json"}, keys)
				default:
					assert.Fail(t, "unexpected ConfigMap")
				}
			})
		}
	}
}

func isKey(name string) bool {
	for _, k := range contextapi.Keys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// assertListensOn checks that addr's port is the container port of that name.
func assertListensOn(t *testing.T, c *corev1.Container, portName, addr string) {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err, "%s address %q", portName, addr)
	for _, p := range c.Ports {
		if p.Name == portName {
			assert.Equal(t, port, strconv.Itoa(int(p.ContainerPort)), "container port %s against the configured address", portName)
			return
		}
	}
	assert.Fail(t, "no container port named "+portName)
}

func goMemLimit(t *testing.T, r rendering, c *corev1.Container) int64 {
	t.Helper()
	env, err := containerEnv(r, c)
	require.NoError(t, err)
	n, err := parseGoByteCount(env["GOMEMLIMIT"])
	require.NoError(t, err)
	return n
}
