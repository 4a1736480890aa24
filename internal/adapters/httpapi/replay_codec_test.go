package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplayableRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		give *Replayable
	}{
		{"body and link", &Replayable{body: []byte(`{"incidents":[]}`), length: []string{"16"},
			link: []string{`</api/v1/incidents?cursor=abc>; rel="next"`}}},
		{"no link", &Replayable{body: []byte(`{"a":1}`), length: []string{"7"}}},
		{"empty body", &Replayable{body: []byte{}, length: []string{"0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.give.MarshalBinary()
			require.NoError(t, err)
			got, err := UnmarshalReplayable(b)
			require.NoError(t, err)
			assert.Equal(t, tt.give, got)
		})
	}
}

func TestUnmarshalReplayableRefusesTruncated(t *testing.T) {
	b, err := (&Replayable{body: []byte("x"), length: []string{"1"}, link: []string{"<a>; rel=\"next\""}}).MarshalBinary()
	require.NoError(t, err)
	for _, bad := range [][]byte{nil, b[:3], {0xff, 0xff, 0xff}} {
		_, err := UnmarshalReplayable(bad)
		assert.Error(t, err, "%q", bad)
	}
}
