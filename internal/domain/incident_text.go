package domain

import "strings"

// IncidentText is what an incident's embedding is made from: the parts of the trace a
// person would use to tell what went wrong. `contextapi embed` embeds Text() of each
// trace without an embedding; text queries are compared with these embeddings, so the
// template is documented (docs/embeddings.md) and changing it means embedding again.
type IncidentText struct {
	AlertName, Severity   string
	Kind, Name, Namespace string // the object; Namespace "" when cluster-scoped
	ActionType            string
	ErrorMessage          string // "" when none
	AlertDescription      string // the alert's description annotation, "" when none
}

// Text renders the template, leaving out the parts that are empty:
//
//	Alert HighMemoryUsage (critical) on Deployment api in namespace payments.
//	Action: increase_resources. Error: OOMKilled again. Description: memory above 90%.
//
// on one line (the break above is for reading only).
func (t IncidentText) Text() string {
	var b strings.Builder
	b.WriteString("Alert " + t.AlertName)
	if t.Severity != "" {
		b.WriteString(" (" + t.Severity + ")")
	}
	b.WriteString(" on " + t.Kind + " " + t.Name)
	if t.Namespace != "" {
		b.WriteString(" in namespace " + t.Namespace)
	}
	b.WriteString(".")
	for _, part := range []struct{ label, value string }{
		{"Action", t.ActionType}, {"Error", t.ErrorMessage}, {"Description", t.AlertDescription},
	} {
		if v := strings.Join(strings.Fields(part.value), " "); v != "" {
			b.WriteString(" " + part.label + ": " + strings.TrimSuffix(v, ".") + ".")
		}
	}
	return b.String()
}
