package test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
)

// The README's configuration table names every configuration key, so a new key cannot
// land undocumented.
func TestReadmeNamesEveryConfigurationKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, k := range contextapi.Keys {
		assert.Contains(t, string(readme), "`"+k.Name+"`", "README's configuration table lacks %s", k.Name)
	}
}
