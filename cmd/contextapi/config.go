package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	contextapi "github.com/contextapi/contextapi"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

const envPrefix = "CONTEXTAPI_"

// switches are the keys whose flag alone means true (--demo), as with --demo=true.
var switches = map[string]bool{"demo": true, "readiness_requires_database": true}

// addConfigFlags declares the flags of the given keys plus --config.
func addConfigFlags(fs *pflag.FlagSet, keys ...string) {
	fs.String("config", "", "optional YAML configuration file")
	for _, k := range contextapi.Keys {
		for _, want := range keys {
			if k.Name == want {
				fs.String(flagName(k.Name), k.Default, k.Usage)
				if switches[k.Name] {
					fs.Lookup(flagName(k.Name)).NoOptDefVal = "true"
				}
			}
		}
	}
}

func flagName(key string) string { return strings.ReplaceAll(key, "_", "-") }

// loadConfig merges, lowest precedence first: defaults, the YAML file, DATABASE_URL,
// CONTEXTAPI_* variables, flags the user set. Then it validates the result.
func loadConfig(fs *pflag.FlagSet) (contextapi.Config, error) {
	k := koanf.New(".")
	defaults := map[string]any{}
	known := map[string]bool{}
	for _, key := range contextapi.Keys {
		defaults[key.Name] = key.Default
		known[key.Name] = true
	}
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return contextapi.Config{}, err
	}
	if path, _ := fs.GetString("config"); path != "" {
		y := koanf.New(".")
		if err := y.Load(file.Provider(path), yaml.Parser()); err != nil {
			return contextapi.Config{}, &contextapi.ConfigError{Key: "config", Reason: fmt.Sprintf("cannot read %s: %v", path, err)}
		}
		for _, key := range y.Keys() {
			if !known[key] {
				return contextapi.Config{}, &contextapi.ConfigError{Key: key, Reason: "unknown key in " + path}
			}
		}
		if err := k.Merge(y); err != nil {
			return contextapi.Config{}, err
		}
	}
	// Plain DATABASE_URL is honoured, below CONTEXTAPI_DATABASE_URL.
	if v, ok := os.LookupEnv("DATABASE_URL"); ok && v != "" {
		_ = k.Set("database_url", v)
	}
	var unrecognised []string
	err := k.Load(env.Provider(".", env.Opt{
		Prefix: envPrefix,
		TransformFunc: func(name, value string) (string, any) {
			key := strings.ToLower(strings.TrimPrefix(name, envPrefix))
			if !known[key] {
				if !serviceLink(name) && !cliVariable(name) {
					unrecognised = append(unrecognised, name)
				}
				return "", nil
			}
			return key, value
		},
	}), nil)
	if err != nil {
		return contextapi.Config{}, err
	}
	err = k.Load(posflag.ProviderWithFlag(fs, ".", nil, func(f *pflag.Flag) (string, any) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if !f.Changed || !known[key] {
			return "", nil
		}
		return key, f.Value.String()
	}), nil)
	if err != nil {
		return contextapi.Config{}, err
	}
	raw := map[string]string{}
	for _, key := range contextapi.Keys {
		raw[key.Name] = k.String(key.Name)
		if list, ok := k.Get(key.Name).([]any); ok {
			// A YAML list (database_replica_urls) reads as the comma-separated string
			// the variables and flags give.
			items := make([]string, len(list))
			for i, v := range list {
				items[i] = fmt.Sprint(v)
			}
			raw[key.Name] = strings.Join(items, ",")
		}
	}
	cfg, err := contextapi.ParseConfig(raw, os.LookupEnv)
	sort.Strings(unrecognised)
	cfg.Unrecognised = unrecognised
	return cfg, err
}

// serviceLink tells the variables Kubernetes injects for a Service named contextapi
// (CONTEXTAPI_SERVICE_HOST, CONTEXTAPI_PORT_8080_TCP, ...) from misspelt settings.
func serviceLink(name string) bool {
	return strings.HasPrefix(name, envPrefix+"SERVICE_") || name == envPrefix+"PORT" || strings.HasPrefix(name, envPrefix+"PORT_")
}

// requireDatabase refuses commands that need a database when none is configured.
func requireDatabase(cfg contextapi.Config) error {
	if !cfg.HasDatabase() {
		return &contextapi.ConfigError{Key: "database_url", Reason: "is required (flag --database-url, CONTEXTAPI_DATABASE_URL / DATABASE_URL, or the PG* variables)"}
	}
	return nil
}
