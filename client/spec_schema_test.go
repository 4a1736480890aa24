package client_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// properties are an object schema's members, its allOf parts' included.
func (s spec) properties(schema map[string]any) map[string]any {
	out := map[string]any{}
	for _, part := range asSlice(schema["allOf"]) {
		for k, v := range s.properties(s.resolve(part)) {
			out[k] = v
		}
	}
	own, _ := schema["properties"].(map[string]any)
	for k, v := range own {
		vm, _ := v.(map[string]any)
		if _, kept := out[k]; kept && vm["type"] == nil && vm["$ref"] == nil {
			continue // a refinement (a const) of a member an allOf part types
		}
		out[k] = v
	}
	return out
}

// types are a schema's type, or types in OpenAPI 3.1's array form.
func types(schema map[string]any) []string {
	switch t := schema["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// checker compares a schema with a Go type, member by member, collecting differences.
type checker struct {
	spec     spec
	where    string
	problems []string
}

func (c *checker) fail(format string, args ...any) {
	c.problems = append(c.problems, c.where+fmt.Sprintf(format, args...))
}

func (c *checker) compare(path string, schemaNode any, typ reflect.Type, tagOpts string) {
	schema := c.spec.resolve(schemaNode)
	ts := types(schema)
	if slices.Contains(ts, "null") && !nilable(typ) {
		c.fail("member %s is nullable but %s cannot be nil", path, typ)
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	props := c.spec.properties(schema)
	switch {
	case len(props) > 0:
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() {
			c.fail("member %s is an object but %s is no struct", path, typ)
			return
		}
		fields := jsonFields(typ)
		for _, name := range sortedKeys(props) {
			f, ok := fields[name]
			if !ok {
				c.fail("member %s has no field in %s", join(path, name), typ)
				continue
			}
			c.compare(join(path, name), props[name], f.typ, f.opts)
		}
		for _, name := range sortedKeys(fields) {
			if _, ok := props[name]; !ok {
				c.fail("field %s.%s (json %q) is no member of the document's %s", typ, fields[name].goName, name, orRoot(path))
			}
		}
	case slices.Contains(ts, "array") && schema["items"] != nil:
		if typ.Kind() != reflect.Slice {
			c.fail("member %s is an array but %s is no slice", orRoot(path), typ)
			return
		}
		c.compare(path+"[]", schema["items"], typ.Elem(), "")
	case isSchema(schema["additionalProperties"]):
		if typ.Kind() != reflect.Map || typ.Key().Kind() != reflect.String {
			c.fail("member %s is a map but %s is no map[string]...", orRoot(path), typ)
			return
		}
		c.compare(path+"{}", schema["additionalProperties"], typ.Elem(), "")
	default:
		c.compareScalar(path, ts, typ, tagOpts)
	}
}

// compareScalar checks that a member's JSON type decodes into the field's Go type.
func (c *checker) compareScalar(path string, ts []string, typ reflect.Type, tagOpts string) {
	kind := typ.Kind()
	integer := kind >= reflect.Int && kind <= reflect.Uint64
	for _, t := range ts {
		ok := true
		switch t {
		case "null":
		case "string":
			ok = kind == reflect.String || typ == reflect.TypeFor[time.Time]() || integer && strings.Contains(tagOpts, "string")
		case "integer":
			ok = integer
		case "number":
			ok = kind == reflect.Float64 || kind == reflect.Float32
		case "boolean":
			ok = kind == reflect.Bool
		case "object":
			ok = kind == reflect.Map || kind == reflect.Interface
		case "array":
			ok = kind == reflect.Slice
		}
		if !ok {
			c.fail("member %s is a JSON %s but its field is a %s", orRoot(path), t, typ)
		}
	}
}

// field is one JSON member of a struct.
type field struct {
	goName string
	typ    reflect.Type
	opts   string
}

// jsonFields lists the members encoding/json reads into typ, embedded structs flattened
// (the outer field winning, as encoding/json decides).
func jsonFields(typ reflect.Type) map[string]field {
	out := map[string]field{}
	var embedded []reflect.Type
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			embedded = append(embedded, f.Type)
			continue
		case name == "":
			name = f.Name
		}
		out[name] = field{goName: f.Name, typ: f.Type, opts: opts}
	}
	for _, e := range embedded {
		for name, f := range jsonFields(e) {
			if _, ok := out[name]; !ok {
				out[name] = f
			}
		}
	}
	return out
}

func nilable(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return true
	}
	return false
}

func isSchema(v any) bool { _, ok := v.(map[string]any); return ok }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orRoot(path string) string {
	if path == "" {
		return "(the answer)"
	}
	return path
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
