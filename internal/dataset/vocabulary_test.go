package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVocabularyIsConsistent(t *testing.T) {
	for _, a := range alerts {
		assert.Contains(t, DemoAlertNames, a.name)
		assert.Contains(t, families, a.family, a.name)
		for _, ch := range a.actions {
			assert.Contains(t, DemoActionTypes, ch.action, a.name)
		}
	}
	for _, action := range DemoActionTypes {
		def, ok := actionDefs[action]
		if assert.True(t, ok, action) {
			assert.NotEmpty(t, def.failures, action)
			assert.Less(t, def.minMs, def.maxMs, action)
		}
	}
	for _, o := range workloads {
		assert.Contains(t, DemoNamespaces, o.namespace, o.name)
		assert.Contains(t, DemoTargetKinds, o.kind, o.name)
	}
}
