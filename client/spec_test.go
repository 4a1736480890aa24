package client_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"

	"github.com/contextapi/contextapi/client"
)

// specPath is the service's OpenAPI document, served as /openapi.json. It is OpenAPI
// 3.1 (type arrays for nullable members), which some client generators cannot read: the
// client is written by hand, and these tests keep it complete.
var specPath = filepath.Join("..", "internal", "adapters", "httpapi", "openapi.yaml")

// operations maps every operation of the document a program would call to the Client
// method that performs it.
var operations = map[string]string{
	"listIncidents":     "ListIncidents",
	"queryContext":      "ListIncidents",
	"getIncident":       "GetIncident",
	"similarIncidents":  "SimilarIncidents",
	"semanticSearch":    "SemanticSearch",
	"successRate":       "SuccessRate",
	"namespaceCounts":   "NamespaceCounts",
	"severityCounts":    "SeverityCounts",
	"trend":             "Trend",
	"recoveryContext":   "RecoveryContext",
	"historicalContext": "HistoricalContext",
	"health":            "Health",
	"ready":             "Ready",
	"readyz":            "Ready",
}

// aliases are operations that are another's under a second path; the client calls the
// original.
var aliases = map[string]string{
	"queryContext": "listIncidents", // upstream's name for the same list: same parameters, same answer
	"readyz":       "ready",         // the Kubernetes-style name of /health/ready
}

// notCovered lists the operations the client leaves out on purpose, and why.
var notCovered = map[string]string{
	"live":    "the kubelet's liveness probe: {status: alive} whenever the process runs, which Health tells too, with more",
	"livez":   "the Kubernetes-style name of /health/live, left out for the same reason",
	"metrics": "Prometheus text for a scraper, not JSON for a program",
	"openapi": "the document these tests read: tools fetch it, programs using the API need not",
}

// TestEveryOperationHasAMethodAndEveryMemberAField fails when the document gains an
// operation without a Client method, or a response member (at any depth, through $ref
// and allOf) without a struct field, or when a struct field names a member the document
// does not have.
func TestEveryOperationHasAMethodAndEveryMemberAField(t *testing.T) {
	for _, problem := range loadSpec(t).check() {
		t.Error(problem)
	}
}

// TestTheSpecCheckFindsWhatIsMissing proves the check above can fail: it finds a member
// added to the document, an operation added, and an operation whose method is gone.
func TestTheSpecCheckFindsWhatIsMissing(t *testing.T) {
	doc := loadSpec(t)
	fields := doc.pointer("#/components/schemas/IncidentEventFields")["properties"].(map[string]any)
	fields["blast_radius"] = map[string]any{"type": "integer"}
	checks := doc.pointer("#/components/schemas/Checks")["items"].(map[string]any)["properties"].(map[string]any)
	checks["latency_ms"] = map[string]any{"type": "number"}
	doc.root["paths"].(map[string]any)["/api/v1/incidents/{id}/timeline"] = map[string]any{
		"get": map[string]any{"operationId": "incidentTimeline", "responses": map[string]any{}},
	}
	problems := strings.Join(doc.check(), "\n")
	assert.Contains(t, problems, "getIncident: 200: member blast_radius has no field in client.Incident")
	assert.Contains(t, problems, "listIncidents: 200: member incidents[].blast_radius has no field in client.Incident")
	assert.Contains(t, problems, "recoveryContext: 200: member similar_incidents[].blast_radius has no field in client.SimilarIncident")
	assert.Contains(t, problems, "ready: 200: member checks[].latency_ms has no field in client.Check")
	assert.Contains(t, problems, "ready: 503: member checks[].latency_ms has no field in client.Check")
	assert.Contains(t, problems, "operation incidentTimeline (GET /api/v1/incidents/{id}/timeline) has no Client method")

	saved := operations["trend"]
	operations["trend"] = "IncidentTrend"
	defer func() { operations["trend"] = saved }()
	assert.Contains(t, loadSpec(t).check(), "operation trend: method Client.IncidentTrend does not exist")
}

// spec is the OpenAPI document as plain maps and slices.
type spec struct{ root map[string]any }

func loadSpec(t *testing.T) spec {
	t.Helper()
	data, err := os.ReadFile(specPath)
	require.NoError(t, err)
	var root map[string]any
	require.NoError(t, yaml.Unmarshal(data, &root))
	require.NotEmpty(t, root["paths"])
	return spec{root}
}

// op is one operation of the document.
type op struct {
	id, method, path string
	node             map[string]any
}

// operations lists every operation, in a stable order.
func (s spec) operations() []op {
	var out []op
	for path, item := range s.root["paths"].(map[string]any) {
		for method, node := range item.(map[string]any) {
			n, ok := node.(map[string]any)
			if !ok || n["operationId"] == nil {
				continue
			}
			out = append(out, op{id: n["operationId"].(string), method: strings.ToUpper(method), path: path, node: n})
		}
	}
	slices.SortFunc(out, func(a, b op) int { return strings.Compare(a.id, b.id) })
	return out
}

// check lists everything the client lacks, or has too much, against the document.
func (s spec) check() []string {
	var problems []string
	clientType := reflect.TypeFor[*client.Client]()
	problemType := reflect.TypeFor[client.Problem]()
	seen := map[string]bool{}
	for _, o := range s.operations() {
		seen[o.id] = true
		if _, skip := notCovered[o.id]; skip {
			continue
		}
		name, ok := operations[o.id]
		if !ok {
			problems = append(problems, "operation "+o.id+" ("+o.method+" "+o.path+") has no Client method")
			continue
		}
		m, ok := clientType.MethodByName(name)
		if !ok {
			problems = append(problems, "operation "+o.id+": method Client."+name+" does not exist")
			continue
		}
		answer := m.Type.Out(0)
		for status, resp := range s.resolve(o.node["responses"]) {
			content, _ := s.resolve(resp)["content"].(map[string]any)
			for mediaType, media := range content {
				schema := media.(map[string]any)["schema"]
				c := checker{spec: s, where: o.id + ": " + status + ": "}
				switch {
				case status == "200" && mediaType == "application/json":
					c.compare("", schema, answer, "")
				case mediaType == "application/problem+json":
					c.compare("", schema, problemType, "")
				default:
					c.problems = append(c.problems, "unexpected "+mediaType+" answer")
				}
				problems = append(problems, c.problems...)
			}
		}
	}
	for id := range operations {
		if !seen[id] {
			problems = append(problems, "operations names "+id+", which the document does not have")
		}
	}
	for id := range notCovered {
		if !seen[id] {
			problems = append(problems, "notCovered names "+id+", which the document does not have")
		}
	}
	slices.Sort(problems)
	return problems
}

// pointer follows a local JSON pointer such as #/components/schemas/Incident.
func (s spec) pointer(ref string) map[string]any {
	node := s.root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		node, _ = node[part].(map[string]any)
	}
	return node
}

// resolve follows $ref until it reaches a node that is not a reference.
func (s spec) resolve(node any) map[string]any {
	m, _ := node.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m = s.pointer(ref)
	}
	return m
}
