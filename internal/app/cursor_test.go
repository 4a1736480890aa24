package app

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestCursorRoundTripKeepsMicroseconds(t *testing.T) {
	codec := NewCursorCodec([]byte("secret"))
	c := domain.Cursor{StartTime: time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), ID: 1<<62 + 5}
	got, err := codec.Decode(codec.Encode(c))
	require.NoError(t, err)
	assert.Equal(t, c, got)
}

func TestCursorRejectsEveryFlippedBit(t *testing.T) {
	codec := NewCursorCodec([]byte("secret"))
	token := codec.Encode(domain.Cursor{StartTime: testNow, ID: 3})
	for i := range token {
		b := []byte(token)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		_, err := codec.Decode(string(b))
		assert.Error(t, err, "position %d", i)
	}
	_, err := codec.Decode(token + "A")
	assert.Error(t, err)
}

// A cursor has one spelling: no other character anywhere, the last one's unused bits
// included, is accepted (the R9 corpus found a changed last character accepted).
func TestCursorHasOneSpelling(t *testing.T) {
	codec := NewCursorCodec([]byte("secret"))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for id := int64(1); id <= 5; id++ {
		token := codec.Encode(domain.Cursor{StartTime: testNow.Add(time.Duration(id) * time.Microsecond), ID: id})
		for i := range token {
			for _, r := range alphabet {
				if byte(r) == token[i] {
					continue
				}
				other := token[:i] + string(r) + token[i+1:]
				_, err := codec.Decode(other)
				require.Error(t, err, "%s accepted for %s", other, token)
			}
		}
	}
}

func FuzzCursorDecode(f *testing.F) {
	codec := NewCursorCodec([]byte("secret"))
	f.Add(codec.Encode(domain.Cursor{StartTime: testNow, ID: 3}))
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := codec.Decode(token)
		if err == nil {
			assert.Equal(t, token, codec.Encode(c), "only tokens we made decode")
		}
	})
}
