package domain

import "testing"

func TestIncidentText(t *testing.T) {
	tests := []struct {
		name  string
		given IncidentText
		want  string
	}{
		{"every part", IncidentText{AlertName: "HighMemoryUsage", Severity: "critical", Kind: "Deployment", Name: "api",
			Namespace: "payments", ActionType: "increase_resources", ErrorMessage: "OOMKilled\nagain.", AlertDescription: "memory above 90%"},
			"Alert HighMemoryUsage (critical) on Deployment api in namespace payments. Action: increase_resources. Error: OOMKilled again. Description: memory above 90%."},
		{"cluster-scoped, no error, no description", IncidentText{AlertName: "NodeNotReady", Severity: "warning", Kind: "Node", Name: "worker-3",
			ActionType: "drain_node"},
			"Alert NodeNotReady (warning) on Node worker-3. Action: drain_node."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.given.Text(); got != tc.want {
				t.Errorf("Text() =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
